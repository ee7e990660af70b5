"""Training from the management API: a job started, fed and submitted, its model published as a
Prediction One API, retrained and the API moved; and the refusals. A real registry and trainer."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gateway.helpers import assert_documented, error_of, member_elsewhere
from tests.polling import eventually
from tests.prediction_one.conftest import (  # noqa: F401 - a fixture used here
    TrainingPlatform,
    start_trainer,
    training_platform,
)

JOBS = "/manage/v1/training-jobs"
MODELS = "/manage/v1/trained-models"
MISSING_JOB = "00000000-0000-4000-8000-000000000000"
SMALL_DATA = b"x,y\n" + b"".join(f"{i % 13},{(i % 13) * 2 + (i % 3)}\n".encode() for i in range(60))


async def _documented(response, method: str, path: str, status: int = 200) -> dict:
    body = await response.json()
    assert response.status == status, body
    assert_documented(method, path, status, body)
    return body


async def _new_job(platform: TrainingPlatform, headers: dict[str, str]) -> dict:
    response = await platform.client.post(JOBS, headers=headers)
    return (await _documented(response, "POST", JOBS, 201))["job"]


async def _put_data(platform: TrainingPlatform, headers: dict[str, str], job_id: str, data: bytes = SMALL_DATA) -> dict:
    response = await platform.client.put(
        f"{JOBS}/{job_id}/data",
        data=data,
        params={"filename": "small.csv"},
        headers={**headers, "Content-Type": "text/csv"},
    )
    return await _documented(response, "PUT", JOBS + "/{job_id}/data")


async def _until_ended(platform: TrainingPlatform, headers: dict[str, str], job_id: str) -> dict:
    async def job() -> dict:
        return (await (await platform.client.get(f"{JOBS}/{job_id}", headers=headers)).json())["job"]

    return await eventually(
        job,
        lambda seen: seen["status"] in ("finished", "failed", "cancelled"),
        timeout_s=120,
        interval_s=0.1,
        what=f"training job {job_id} to end",
    )


def _trainer_files(platform: TrainingPlatform) -> list[Path]:
    folder = platform.trainer_settings.data_dir / "artifacts" / "datasets"
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


async def test_train_publish_retrain_and_apply(training_platform: TrainingPlatform):
    platform = training_platform
    client, admin = platform.client, platform.gateway.admin

    job = await _new_job(platform, admin)
    assert (job["status"], job["kind"], job["model_number"]) == ("awaiting_data", "train", None)
    uploaded = await _put_data(platform, admin, job["job_id"])
    assert uploaded["job"]["status"] == "awaiting_data"
    data_set = uploaded["data_set"]
    assert (data_set["name"], data_set["column_count"], data_set["data_count"]) == ("small.csv", 2, 60)

    columns = await _documented(
        await client.get(f"{JOBS}/{job['job_id']}/columns", headers=admin), "GET", JOBS + "/{job_id}/columns"
    )
    assert columns["column_names"] == ["x", "y"] and columns["row_count"] == 60
    assert [(column["name"], column["type"]) for column in columns["columns"]] == [("x", "integer"), ("y", "integer")]

    # No problem_type: a numeric target is a regression.
    submitted = await _documented(
        await client.post(f"{JOBS}/{job['job_id']}/submit", json={"model_name": "small", "target": "y"}, headers=admin),
        "POST",
        JOBS + "/{job_id}/submit",
    )
    assert submitted["job"]["status"] in ("queued", "running", "finished")
    finished = await _until_ended(platform, admin, job["job_id"])
    assert finished["status"] == "finished", finished
    number = finished["model_number"]
    models = await (await client.get(MODELS, headers=admin)).json()
    (model,) = models["trained_models"]
    assert (model["model_number"], model["problem_type"], model["target_column"]) == (number, "regression", "y")

    published = await _documented(
        await client.post(f"{MODELS}/{number}/classifier", json={"api_type": "trial"}, headers=admin),
        "POST",
        MODELS + "/{model_number}/classifier",
        201,
    )
    api = published["api"]
    assert (api["contract"], api["api_type"], api["execution_type"]) == ("prediction_one", "trial", "serverless")
    assert api["model_version_id"] == finished["model_version_id"] and published["api_key"]
    shown = await (await client.get(f"/manage/v1/apis/{api['api_id']}", headers=admin)).json()
    assert shown["api"]["name"] == f"small (model {number})"

    retrain = (
        await _documented(
            await client.post(f"{MODELS}/{number}/retrain", headers=admin),
            "POST",
            MODELS + "/{model_number}/retrain",
            201,
        )
    )["job"]
    assert (retrain["kind"], retrain["status"]) == ("retrain", "awaiting_data")
    early = await client.post(f"{JOBS}/{retrain['job_id']}/apply", headers=admin)
    assert "has not finished" in await error_of(early, 409, "FAILED_PRECONDITION")
    started = await _put_data(platform, admin, retrain["job_id"])
    assert started["job"]["status"] in ("queued", "running", "finished")  # a retrain starts with its data
    retrained = await _until_ended(platform, admin, retrain["job_id"])
    assert retrained["status"] == "finished", retrained
    assert retrained["model_number"] != number

    applied = await _documented(
        await client.post(f"{JOBS}/{retrain['job_id']}/apply", headers=admin), "POST", JOBS + "/{job_id}/apply"
    )
    assert [moved["api_id"] for moved in applied["apis"]] == [api["api_id"]]
    assert applied["apis"][0]["model_version_id"] == retrained["model_version_id"]
    not_a_retrain = await client.post(f"{JOBS}/{job['job_id']}/apply", headers=admin)
    assert "not a retrain" in await error_of(not_a_retrain, 409, "FAILED_PRECONDITION")


@pytest.fixture
async def fed_job(training_platform: TrainingPlatform) -> str:
    """A job of the admin's with its data uploaded, not submitted."""
    job = await _new_job(training_platform, training_platform.gateway.admin)
    await _put_data(training_platform, training_platform.gateway.admin, job["job_id"])
    return job["job_id"]


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"problem_type": "binary_classification"}, "positive_class"),
        ({"problem_type": "regression", "imbalance": True}, "imbalance"),
        ({"problem_type": "multi_classification", "time_series": {"enabled": True}}, "time_series"),
        (
            {"problem_type": "regression", "time_series": {"enabled": True, "window_start": 1}},
            "time_series.time_column",
        ),
        (
            {
                "problem_type": "regression",
                "time_series": {"enabled": True, "time_column": "x", "window_start": 3, "window_end": 2},
            },
            "time_series.window_end",
        ),
        ({"cv": 99}, "cv"),
        ({"tc": "y"}, "tc"),
        ({"problem_type": "clustering"}, "problem_type"),
        ({"target": "nope"}, "nope"),
    ],
)
async def test_a_bad_config_is_refused_naming_its_field(training_platform, fed_job, config, named):
    body = {"model_name": "m", "target": "y", **config}
    response = await training_platform.client.post(
        f"{JOBS}/{fed_job}/submit", json=body, headers=training_platform.gateway.admin
    )
    assert named in await error_of(response, 400, "INVALID_ARGUMENT")
    job = await (
        await training_platform.client.get(f"{JOBS}/{fed_job}", headers=training_platform.gateway.admin)
    ).json()
    assert job["job"]["status"] == "awaiting_data"


async def test_a_job_is_submitted_after_its_data_and_fed_no_more(training_platform, fed_job):
    client, admin = training_platform.client, training_platform.gateway.admin
    empty = await _new_job(training_platform, admin)
    for response in (
        await client.post(f"{JOBS}/{empty['job_id']}/submit", json={"model_name": "m", "target": "y"}, headers=admin),
        await client.get(f"{JOBS}/{empty['job_id']}/columns", headers=admin),
    ):
        assert "no data yet" in await error_of(response, 409, "FAILED_PRECONDITION")
    submit = {"model_name": "m", "target": "y", "problem_type": "regression", "cv": 1}
    submitted = await client.post(f"{JOBS}/{fed_job}/submit", json=submit, headers=admin)
    assert submitted.status == 200, await submitted.text()
    again = await client.put(f"{JOBS}/{fed_job}/data", data=SMALL_DATA, headers=admin)
    assert "has its data already" in await error_of(again, 409, "FAILED_PRECONDITION")


async def test_unknown_and_other_accounts_jobs_and_models_are_not_found(training_platform, fed_job):
    client, admin = training_platform.client, training_platform.gateway.admin
    outsider = await member_elsewhere(training_platform.gateway)
    submit = {"model_name": "m", "target": "y"}
    for job_id, headers in ((MISSING_JOB, admin), (fed_job, outsider)):
        for response in (
            await client.put(f"{JOBS}/{job_id}/data", data=SMALL_DATA, headers=headers),
            await client.get(f"{JOBS}/{job_id}/columns", headers=headers),
            await client.post(f"{JOBS}/{job_id}/submit", json=submit, headers=headers),
            await client.post(f"{JOBS}/{job_id}/apply", headers=headers),
        ):
            await error_of(response, 404, "NOT_FOUND")
    for number in ("987654", "0", "x1", str(2**63)):
        await error_of(await client.post(f"{MODELS}/{number}/classifier", json={}, headers=admin), 404, "NOT_FOUND")
        await error_of(await client.post(f"{MODELS}/{number}/retrain", headers=admin), 404, "NOT_FOUND")
    await error_of(await client.post(JOBS), 401, "UNAUTHENTICATED")


async def test_an_upload_over_the_limit_is_413_and_not_kept(registry, start_gateway, tmp_path):
    trainer, settings = await start_trainer(registry, tmp_path)
    try:
        gateway = await start_gateway(trainer_address=f"127.0.0.1:{settings.trainer_port}", max_upload_bytes=100)
        platform = TrainingPlatform(gateway, trainer, settings)
        job = await _new_job(platform, gateway.admin)
        path = f"{JOBS}/{job['job_id']}/data"
        declared = await gateway.client.put(path, data=SMALL_DATA, headers=gateway.admin)
        assert "larger than the limit of 100 bytes" in await error_of(declared, 413, "PAYLOAD_TOO_LARGE")

        async def chunked():  # no Content-Length: counted as it streams
            for start in range(0, len(SMALL_DATA), 64):
                yield SMALL_DATA[start : start + 64]

        streamed = await gateway.client.put(path, data=chunked(), headers=gateway.admin)
        assert "larger than the limit of 100 bytes" in await error_of(streamed, 413, "PAYLOAD_TOO_LARGE")
        assert _trainer_files(platform) == []
        small = await gateway.client.put(path, data=b"x,y\n1,2\n3,4\n", headers=gateway.admin)
        assert small.status == 200, await small.text()
    finally:
        await trainer.stop()
