"""Column-info reads a data set once per column-info file and target: a repeated call is answered
from what the first one found, not by decoding the whole table again."""

from __future__ import annotations

import asyncio

from tests.prediction_one.conftest import PREFIX

ROWS = b"id,amount,plan,churn\n" + b"".join(
    f"{n},{n * 3 % 17},p{n % 3},{'yes' if n % 2 else 'no'}\n".encode() for n in range(60)
)


async def column_info(platform, key: str, process_id: str, target: str = ""):
    params = {"external_process_id": process_id, **({"target": target} if target else {})}
    response = await platform.client.get(f"{PREFIX}/data-sets/column-info", params=params, headers={"x-api-key": key})
    return response.status, await response.json()


async def test_repeated_and_concurrent_calls_share_one_analysis(training_platform):
    platform = training_platform
    key = await platform.api_key("train")
    process_id = await platform.upload(key, ROWS)
    answers = await asyncio.gather(*(column_info(platform, key, process_id, "churn") for _ in range(4)))
    assert all(status == 200 for status, _ in answers), answers
    assert all(body == answers[0][1] for _, body in answers)

    # With the data set's file gone, only an answer kept from before can still come back.
    data_sets = platform.trainer_settings.data_dir / "artifacts" / "datasets"
    for path in data_sets.iterdir():
        path.unlink()
    status, body = await column_info(platform, key, process_id, "churn")
    assert (status, body) == (200, answers[0][1])
    status, body = await column_info(platform, key, process_id, "plan")  # another target: analysed anew
    assert status >= 400, body
