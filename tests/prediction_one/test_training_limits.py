"""No training job can take the trainer down: window and fold settings bounded by the data, a
memory estimate checked before the windows are built, a wall-clock limit per job, and the
owner's cancel of a queued or a running job, through the real registry, trainer and gateway."""

from __future__ import annotations

import asyncio

import pytest

from services.trainer.settings import TrainerSettings
from tests.polling import eventually
from tests.prediction_one.conftest import PREFIX, TrainingPlatform, start_trainer
from tests.prediction_one.test_job_control import stubs  # noqa: F401 - a fixture used here
from tests.prediction_one.test_time_series import daily_sales_csv
from tests.prediction_one.test_trainer_recovery import _slow_csv
from tests.prediction_one.test_training_errors import _refused
from torii.v1 import training_pb2
from torii.v1 import training_registry_service_pb2 as tr

SERIES = {"tc": "sales", "tt": "regression", "tsm": True, "tsc": "date", "tss": "store", "tsf": 1}


@pytest.fixture
async def platform_with(registry, start_gateway, tmp_path):
    """Starts a platform whose trainer has the given settings (one per test)."""
    trainers = []

    async def start(**trainer_settings) -> TrainingPlatform:
        trainer, settings = await start_trainer(registry, tmp_path, **trainer_settings)
        trainers.append(trainer)
        gateway = await start_gateway(trainer_address=f"127.0.0.1:{settings.trainer_port}")
        return TrainingPlatform(gateway, trainer, settings)

    try:
        yield start
    finally:
        for trainer in trainers:
            await trainer.stop()


async def _failure(platform: TrainingPlatform, learn: bytes, config: dict) -> str:
    key = await platform.api_key("train")
    process_id = await platform.upload(key, learn)
    await platform.train(key, process_id, config)
    result = await platform.wait_for_result(key, process_id)
    assert result["status"] == "failed", result
    return result["message"]


async def test_a_horizon_far_past_the_data_fails_the_job_with_the_reason(training_platform):
    # 60 days per store; before the bound, tst 100,000 made the worker build 12 million
    # candidate windows (about 0.5 GB here, 22.5 GB for tst 1,000,000 on store_sales.csv).
    message = await _failure(training_platform, daily_sales_csv(days=60), {**SERIES, "tst": 100_000})
    assert message.startswith("not enough history for the window 1..100000 day(s) ahead"), message
    assert message.endswith("choose a window end (tst) of at most 59"), message


async def test_more_folds_than_the_rows_allow_fail_the_job(training_platform):
    rows = b"x,y\n" + b"".join(f"{i * 1.37 % 11:.2f},{i * 2 % 7}\n".encode() for i in range(30))
    message = await _failure(training_platform, rows, {"tc": "y", "tt": "regression", "cv": "10"})
    assert "cv=10 folds need at least 50 rows (5 in each fold); the data has 30: choose at most 6 folds" in message


async def test_more_folds_than_any_data_allows_are_refused_at_submit(training_platform):
    platform = training_platform
    key = await platform.api_key("train")
    process_id = await platform.upload(key, daily_sales_csv(days=30))
    response = await platform.client.post(
        f"{PREFIX}/models",
        json={
            "external_process_id": process_id,
            "name": "m",
            "config": {"tc": "sales", "tt": "regression", "cv": "21"},
        },
        headers={"x-api-key": key},
    )
    await _refused(response, "a fold count of 2 to 20")


async def test_windows_over_the_memory_budget_fail_the_job_before_they_are_built(platform_with):
    # The windows of 400 days × 2 stores × 7 horizons take a few MB; this trainer allows 1 MB.
    platform = await platform_with(training_memory_budget_bytes=1_000_000)
    message = await _failure(platform, daily_sales_csv(days=400), {**SERIES, "tst": 7})
    assert message.startswith("this window needs too much memory: about "), message
    assert "800 rows with a target × 7 horizons" in message and "one training job may use 1.0 MB" in message
    assert message.endswith("lower the window end (tst) or train on fewer rows"), message


async def test_a_job_past_the_wall_clock_limit_is_stopped_and_fails(platform_with):
    platform = await platform_with(training_job_timeout_s=0.5)
    started = asyncio.get_running_loop().time()
    # 60,000 rows, 5 folds: several seconds of training with no limit.
    message = await _failure(platform, _slow_csv(), {"tc": "y", "tt": "binary_classification", "tv": "1", "cv": "5"})
    assert message.startswith("training was stopped after 0.5 s, the longest one job may run on this trainer"), message
    assert asyncio.get_running_loop().time() - started < 30
    assert platform.trainer.runner.running_jobs == []  # the worker is gone and the slot free


def test_the_trainer_limits_have_safe_defaults():
    settings = TrainerSettings()
    assert settings.training_memory_budget_bytes == 4 << 30
    assert settings.training_job_timeout_s == 3600.0


async def _status(registry, job_id: str) -> training_pb2.TrainingJob:
    return (await registry.GetTrainingJob(tr.GetTrainingJobRequest(job_id=job_id))).job


async def test_the_owner_cancels_a_queued_and_a_running_job(training_platform, stubs):  # noqa: F811
    """TrainingRegistryService/CancelTrainingJob (no Prediction One route exists for it): one job
    trains at a time, so the second waits queued; cancelled, it never starts."""
    platform = training_platform
    _, registry = stubs
    admin = platform.gateway.registry.admin_user_id
    key = await platform.api_key("train")
    config = {"tc": "y", "tt": "binary_classification", "tv": "1", "cv": "5"}
    running_id = await platform.upload(key, _slow_csv())
    await platform.train(key, running_id, config)
    await eventually(
        lambda: _status(registry, running_id),
        lambda job: job.status == training_pb2.TRAINING_JOB_STATUS_RUNNING,
        timeout_s=60,
        what="the first job to run",
    )
    queued_id = await platform.upload(key, _slow_csv(rows=2_000))
    await platform.train(key, queued_id, config)
    assert (await _status(registry, queued_id)).status == training_pb2.TRAINING_JOB_STATUS_QUEUED

    await registry.CancelTrainingJob(tr.CancelTrainingJobRequest(actor_user_id=admin, job_id=queued_id))
    await registry.CancelTrainingJob(tr.CancelTrainingJobRequest(actor_user_id=admin, job_id=running_id))
    for process_id in (running_id, queued_id):
        result = await platform.wait_for_result(key, process_id)
        assert result["status"] == "cancelled", result
    runner = platform.trainer.runner
    await eventually(
        lambda: runner.running_jobs,
        lambda running: not running,
        timeout_s=10,
        what="the cancelled running job's worker to be killed",
    )

    # The slot is free: claims resume, and the trainer has this long to (wrongly) claim the cancelled job.
    await asyncio.sleep(5 * platform.trainer_settings.job_poll_interval_s)
    queued = await _status(registry, queued_id)
    assert queued.status == training_pb2.TRAINING_JOB_STATUS_CANCELLED
    assert queued.attempts == 0 and not queued.HasField("started_at"), "a cancelled queued job never starts"
    assert runner.running_jobs == []
