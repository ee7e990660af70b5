"""Bad input to the training API gets the contract's error and leaves nothing half-stored."""

from __future__ import annotations

import asyncpg
import pytest

from services.gateway.prediction_one.clients import CLIENTS
from tests.prediction_one.conftest import PREFIX, TrainingPlatform, start_trainer
from tests.urls import path_of

BAD_REQUEST = {"code": 4001000204, "error": "PREDA_EXTERNAL_BAD_REQUEST"}
GOOD_CSV = b"x,y\n" + b"".join(f"{i},{'a' if i % 3 else 'b'}\n".encode() for i in range(60))


async def _urls(platform: TrainingPlatform, key: str, extension: str = "csv") -> dict:
    response = await platform.client.get(
        f"{PREFIX}/data-sets/upload-url", params={"extension": extension}, headers={"x-api-key": key}
    )
    return await response.json()


def _stored_files(platform: TrainingPlatform) -> list:
    folder = platform.trainer_settings.data_dir / "artifacts" / "datasets"
    return sorted(folder.iterdir()) if folder.exists() else []


async def _refused(response, message_part: str) -> None:
    body = await response.json()
    assert response.status == 400, body
    assert {key: body[key] for key in ("code", "error")} == BAD_REQUEST, body
    assert message_part in body["message"], body


@pytest.mark.parametrize(
    "data, message",
    [
        (b"a,b\n\xff\xfe\xfa,1\n", "neither UTF-8 nor Shift_JIS"),
        (b"a,b\n1,2\n3,4,5\n", "row 2 has 3 fields; the header has 2"),
        (b"a,b\n", "no data rows"),
        (b"", "empty"),
    ],
)
async def test_a_bad_training_file_is_refused_and_not_kept(training_platform, data, message):
    platform = training_platform
    key = await platform.api_key("train")
    urls = await _urls(platform, key)
    await _refused(await platform.client.put(path_of(urls["learn_data_set_upload_url"]), data=data), message)
    assert _stored_files(platform) == []
    listed = await platform.client.get(f"{PREFIX}/data-sets", headers={"x-api-key": key})
    assert (await listed.json())["data_sets"] == []


async def test_signed_urls_refuse_tampering_and_expiry(training_platform):
    platform = training_platform
    key = await platform.api_key("train")
    url = path_of((await _urls(platform, key))["learn_data_set_upload_url"])
    tampered = url.replace("signature=", "signature=0")
    await _refused(await platform.client.put(tampered, data=GOOD_CSV), "signature")
    other_slot = url.replace("/learn/", "/eval/")
    await _refused(await platform.client.put(other_slot, data=GOOD_CSV), "signature")
    signer = platform.client.app[CLIENTS].signer
    path = url.split("?", 1)[0]
    expired = path_of(signer.sign("http://x", path, now=0))
    await _refused(await platform.client.put(expired, data=GOOD_CSV), "expired")
    assert _stored_files(platform) == []


async def test_an_oversize_upload_is_refused_and_not_kept(registry, start_gateway, tmp_path):
    trainer, settings = await start_trainer(registry, tmp_path, max_dataset_bytes=100)
    try:
        gateway = await start_gateway(trainer_address=f"127.0.0.1:{settings.trainer_port}")
        platform = TrainingPlatform(gateway, trainer, settings)
        key = await platform.api_key("train")
        urls = await _urls(platform, key)
        await _refused(
            await platform.client.put(path_of(urls["learn_data_set_upload_url"]), data=GOOD_CSV), "larger than"
        )
        folder = settings.data_dir / "artifacts"
        assert [path for path in folder.rglob("*") if path.is_file()] == []
    finally:
        await trainer.stop()


async def test_column_info_file_overrides_types_and_bad_ones_are_refused(training_platform):
    platform = training_platform
    key = await platform.api_key("train")
    urls = await _urls(platform, key)
    assert (await platform.client.put(path_of(urls["learn_data_set_upload_url"]), data=GOOD_CSV)).status == 200
    unreadable = await platform.client.put(path_of(urls["column_info_upload_url"]), data=b"x,complex\n")
    await _refused(unreadable, "complex")
    naming_nothing = await platform.client.put(
        path_of(urls["column_info_upload_url"]), data=b"column_name,column_type\nnope,float\n"
    )
    assert naming_nothing.status == 200  # checked against the data when it is used
    params = {"external_process_id": urls["external_process_id"]}
    info = await platform.client.get(f"{PREFIX}/data-sets/column-info", params=params, headers={"x-api-key": key})
    await _refused(info, "nope")
    good = await platform.client.put(path_of(urls["column_info_upload_url"]), data="\ufeffx,string\n".encode())
    assert good.status == 200, await good.text()
    assert len(_stored_files(platform)) == 2  # the learning file and the latest column info only
    info = await platform.client.get(f"{PREFIX}/data-sets/column-info", params=params, headers={"x-api-key": key})
    columns = (await info.json())["training_data_columns"]
    assert columns[0]["name"] == "x" and columns[0]["initial_data_type"] == 2


@pytest.mark.parametrize(
    "config, message",
    [
        ({"tt": "binary_classification", "tv": "a"}, "config.tc is required"),
        ({"tc": "y", "tt": "clustering"}, "config.tt must be one of"),
        ({"tc": "y", "tt": "binary_classification"}, "config.tv"),
        ({"tc": "y", "tt": "regression", "cv": "x"}, "config.cv must be an integer"),
        ({"tc": "y", "tt": "multi_classification", "cv": -2}, "config.cv must be"),
        ({"tc": "y", "tt": "regression", "im": True}, "classification only"),
        ({"tc": "y", "tt": "regression", "typo": 1}, "unknown keys: typo"),
        ({"tc": "y", "tt": "binary_classification", "tsm": True, "tv": "a"}, "needs tt = regression"),
    ],
)
async def test_bad_training_settings_are_refused(training_platform, config, message):
    platform = training_platform
    key = await platform.api_key("train")
    process_id = await platform.upload(key, GOOD_CSV)
    response = await platform.client.post(
        f"{PREFIX}/models",
        json={"external_process_id": process_id, "name": "m", "config": config},
        headers={"x-api-key": key},
    )
    await _refused(response, message)


async def test_unknown_process_ids_and_missing_keys_answer_the_contracts_messages(training_platform):
    platform = training_platform
    key = await platform.api_key("train")
    unknown = "00000000-0000-0000-0000-000000000000"
    for path in ("/models/results", "/data-sets/column-info"):
        response = await platform.client.get(
            f"{PREFIX}{path}", params={"external_process_id": unknown}, headers={"x-api-key": key}
        )
        await _refused(response, "This job may be deleted.")
    response = await platform.client.get(f"{PREFIX}/models/results", params={"external_process_id": unknown})
    await _refused(response, "invalid_api_key.")
    response = await platform.client.get(f"{PREFIX}/no-such-route", headers={"x-api-key": key})
    await _refused(response, "No such API")


async def test_a_failed_training_says_why(training_platform):
    platform = training_platform
    key = await platform.api_key("train")
    process_id = await platform.upload(key, GOOD_CSV)
    await platform.train(key, process_id, {"tc": "not_a_column", "tt": "regression"})
    result = await platform.wait_for_result(key, process_id)
    assert result["status"] == "failed" and "not_a_column" in result["message"]


async def test_an_expired_key_answers_inactive_credential(training_platform):
    platform = training_platform
    key = await platform.api_key("train")
    connection = await asyncpg.connect(platform.gateway.registry.database_url)
    try:
        await connection.execute(
            "UPDATE credentials SET expires_at = now() - interval '1 second' WHERE purpose IS NOT NULL"
        )
    finally:
        await connection.close()
    response = await platform.client.get(
        f"{PREFIX}/data-sets/upload-url", params={"extension": "csv"}, headers={"x-api-key": key}
    )
    await _refused(response, "Inactive_credential.")
