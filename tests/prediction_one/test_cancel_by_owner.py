"""A training job's owner cancels it through the management API, queued or running; nobody else can."""

from __future__ import annotations

from tests.gateway.conftest import bearer
from tests.polling import eventually
from tests.prediction_one.conftest import PREFIX, TrainingPlatform
from tests.registry.helpers import make_member
from torii.v1 import registry_service_pb2 as pb

ROWS = b"x,z,y\n" + b"".join(f"{i * 7 % 13},{i % 5},{'a' if i % 3 else 'b'}\n".encode() for i in range(60_000))


async def status_of(platform: TrainingPlatform, key: str, process_id: str) -> str:
    response = await platform.client.get(
        f"{PREFIX}/models/results", params={"external_process_id": process_id}, headers={"x-api-key": key}
    )
    return (await response.json())["status"]


async def test_the_owner_cancels_a_running_job_and_an_outsider_cannot(training_platform):
    platform = training_platform
    key = await platform.api_key()
    process_id = await platform.upload(key, ROWS)
    await platform.train(key, process_id, {"tc": "y", "tt": "binary_classification", "tv": "a"})
    await eventually(
        lambda: status_of(platform, key, process_id),
        lambda status: status == "running",
        timeout_s=60,
        what="the job to run",
    )

    registry = platform.gateway.registry
    other = await registry.stub.CreateAccount(
        pb.CreateAccountRequest(actor_user_id=registry.admin_user_id, name="other")
    )
    outsider = await make_member(registry.stub, registry.admin_user_id, "olga", other.account.account_id)
    refused = await platform.client.post(
        f"/manage/v1/training-jobs/{process_id}/cancel", headers=bearer(outsider.token.secret)
    )
    assert refused.status == 404, await refused.text()

    cancelled = await platform.client.post(
        f"/manage/v1/training-jobs/{process_id}/cancel", headers=platform.gateway.admin
    )
    body = await cancelled.json()
    assert cancelled.status == 200, body
    assert body["job"]["job_id"] == process_id and body["job"]["status"] == "cancelled"
    await eventually(  # the worker is stopped, not left to finish
        lambda: platform.trainer.runner.running_jobs,
        lambda running: not running,
        timeout_s=60,
        what="the cancelled job's worker to stop",
    )
    assert await status_of(platform, key, process_id) == "cancelled"
    again = await platform.client.post(f"/manage/v1/training-jobs/{process_id}/cancel", headers=platform.gateway.admin)
    assert again.status == 409
