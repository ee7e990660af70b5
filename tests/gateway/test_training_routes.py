"""The management API's view of Prediction One's training (/manage/v1/data-sets, trained-models,
training-jobs): over a real registry, and a real trainer where a job is trained end to end."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest

from tests.gateway.helpers import assert_documented, error_of, member_elsewhere
from tests.prediction_one.conftest import TrainingPlatform, training_platform  # noqa: F401 - a fixture used here
from tests.registry.training_helpers import queued_job, training_stub
from tests.urls import path_of
from torii.v1 import training_pb2
from torii.v1 import training_registry_service_pb2 as tr

JOBS = "/manage/v1/training-jobs"
SMALL_DATA = b"x,y\n" + b"".join(f"{i % 13},{(i % 13) * 2 + (i % 3)}\n".encode() for i in range(60))


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def _ok(response, method: str, path: str) -> dict:
    body = await response.json()
    assert response.status == 200, body
    assert_documented(method, path, 200, body)
    return body


async def test_a_trained_job_its_data_set_model_and_result_zip(training_platform: TrainingPlatform):
    platform = training_platform
    client, admin = platform.client, platform.gateway.admin
    key = await platform.api_key("train")
    process_id = await platform.upload(key, SMALL_DATA)
    await platform.train(key, process_id, {"tc": "y", "tt": "regression"}, name="small")
    p1_result = await platform.wait_for_result(key, process_id)
    assert p1_result["status"] == "finished", p1_result

    listed = await _ok(await client.get(JOBS, headers=admin), "GET", JOBS)
    assert listed["page"] == {"offset": 0, "limit": 30, "total": 1}
    (job,) = listed["jobs"]
    assert (job["job_id"], job["model_name"], job["status"], job["kind"]) == (process_id, "small", "finished", "train")
    assert job["progress"] == {"phase": "finished", "fold": job["progress"]["fold"], "percent": 100.0}
    assert job["model_number"] == p1_result["model_id"] and job["result_available"] is True
    started, finished = _moment(job["started_at"]), _moment(job["finished_at"])
    # An ended job's elapsed time is its run, from its start to its end, not until now.
    assert job["elapsed_seconds"] == pytest.approx((finished - started).total_seconds(), abs=0.001)
    assert _moment(job["created_at"]) <= started <= finished

    detail = await _ok(await client.get(f"{JOBS}/{process_id}", headers=admin), "GET", JOBS + "/{job_id}")
    assert detail == {"job": job}

    result = await client.get(f"{JOBS}/{process_id}/result", headers=admin)
    assert result.status == 200, await result.text()
    assert result.content_type == "application/zip"
    assert result.headers["Content-Disposition"].startswith(f'attachment; filename="result_{process_id}.zip"')
    zip_bytes = await result.read()
    p1_zip = await (await client.get(path_of(p1_result["result_url"]))).read()
    assert zip_bytes == p1_zip
    assert "model.onnx" in zipfile.ZipFile(io.BytesIO(zip_bytes)).namelist()

    data_sets = await _ok(await client.get("/manage/v1/data-sets", headers=admin), "GET", "/manage/v1/data-sets")
    (data_set,) = data_sets["data_sets"]
    assert (data_set["extension"], data_set["column_count"], data_set["data_count"]) == ("csv", 2, 60)
    assert data_set["size_bytes"] == len(SMALL_DATA) and data_sets["page"]["total"] == 1

    models = await _ok(await client.get("/manage/v1/trained-models", headers=admin), "GET", "/manage/v1/trained-models")
    (model,) = models["trained_models"]
    assert (model["model_number"], model["model_version_id"]) == (job["model_number"], job["model_version_id"])
    assert (model["model_name"], model["problem_type"], model["target_column"]) == ("small", "regression", "y")
    assert model["in_use"] is False


async def test_a_running_job_shows_its_progress_and_has_no_result_yet(gateway):
    async with training_stub(gateway.registry.address) as training:
        job = await queued_job(training, gateway.registry.admin_user_id, model_name="running")
        queued = await _ok(
            await gateway.client.get(f"{JOBS}/{job.job_id}", headers=gateway.admin), "GET", JOBS + "/{job_id}"
        )
        assert queued["job"]["status"] == "queued"
        assert (queued["job"]["started_at"], queued["job"]["elapsed_seconds"]) == (None, None)
        assert queued["job"]["progress"] == {"phase": "", "fold": 0, "percent": 0.0}

        claimed = (await training.ClaimTrainingJob(tr.ClaimTrainingJobRequest(trainer_id="t1"))).job
        assert claimed.job_id == job.job_id
        progress = training_pb2.TrainingProgress(phase="cross_validation", fold=2, percent=42.5)
        await training.ReportTrainingProgress(tr.ReportTrainingProgressRequest(job_id=job.job_id, progress=progress))

    before = datetime.now().astimezone()
    running = (
        await _ok(await gateway.client.get(f"{JOBS}/{job.job_id}", headers=gateway.admin), "GET", JOBS + "/{job_id}")
    )["job"]
    after = datetime.now().astimezone()
    assert running["status"] == "running" and running["finished_at"] is None
    assert running["progress"] == {"phase": "cross_validation", "fold": 2, "percent": 42.5}
    # While it runs, the time is counted from its start to now (the gateway's now, between before and after).
    started = _moment(running["started_at"])
    assert (before - started).total_seconds() - 0.001 <= running["elapsed_seconds"]
    assert running["elapsed_seconds"] <= (after - started).total_seconds() + 0.001
    assert running["result_available"] is False and running["model_number"] is None

    result = await gateway.client.get(f"{JOBS}/{job.job_id}/result", headers=gateway.admin)
    assert "has not finished" in await error_of(result, 409, "FAILED_PRECONDITION")


async def test_pages_of_jobs_newest_first(gateway):
    async with training_stub(gateway.registry.address) as training:
        made = [await queued_job(training, gateway.registry.admin_user_id, model_name=n) for n in ("a", "b", "c")]
    page = await _ok(
        await gateway.client.get(JOBS, params={"offset": "1", "limit": "1"}, headers=gateway.admin), "GET", JOBS
    )
    assert [job["job_id"] for job in page["jobs"]] == [made[1].job_id]
    assert page["page"] == {"offset": 1, "limit": 1, "total": 3}
    for query in ({"limit": "0"}, {"limit": "1001"}, {"offset": "-1"}, {"offset": "x"}):
        await error_of(await gateway.client.get(JOBS, params=query, headers=gateway.admin), 400, "INVALID_ARGUMENT")


async def test_another_accounts_jobs_are_not_found(gateway):
    async with training_stub(gateway.registry.address) as training:
        job = await queued_job(training, gateway.registry.admin_user_id)
    outsider = await member_elsewhere(gateway)
    listed = await _ok(await gateway.client.get(JOBS, headers=outsider), "GET", JOBS)
    assert listed["jobs"] == [] and listed["page"]["total"] == 0
    for path in (f"{JOBS}/{job.job_id}", f"{JOBS}/{job.job_id}/result"):
        await error_of(await gateway.client.get(path, headers=outsider), 404, "NOT_FOUND")
    for path in ("/manage/v1/data-sets", "/manage/v1/trained-models"):
        body = await (await gateway.client.get(path, headers=outsider)).json()
        assert body["page"]["total"] == 0, body


@pytest.mark.parametrize(
    "path",
    [
        "/manage/v1/data-sets",
        "/manage/v1/trained-models",
        JOBS,
        f"{JOBS}/00000000-0000-4000-8000-000000000000",
        f"{JOBS}/00000000-0000-4000-8000-000000000000/result",
    ],
)
async def test_every_route_needs_a_credential(gateway, path):
    await error_of(await gateway.client.get(path), 401, "UNAUTHENTICATED")
