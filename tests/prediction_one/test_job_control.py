"""Training jobs over gRPC: progress streams while a job runs, and a cancelled job's worker stops."""

from __future__ import annotations

import grpc
import pytest

from services.runtime.grpc_client import open_channel
from tests.polling import eventually
from tests.prediction_one.test_trainer_recovery import _slow_csv
from tests.service_token import SERVICE_TOKEN
from torii.v1 import (
    trainer_service_pb2,
    trainer_service_pb2_grpc,
    training_pb2,
    training_registry_service_pb2_grpc,
)
from torii.v1 import (
    training_registry_service_pb2 as tr,
)


@pytest.fixture
async def stubs(training_platform):
    trainer_channel = open_channel(
        f"127.0.0.1:{training_platform.trainer_settings.trainer_port}", 10, service_token=SERVICE_TOKEN
    )
    registry_channel = open_channel(training_platform.gateway.registry.address, 10, service_token=SERVICE_TOKEN)
    try:
        yield (
            trainer_service_pb2_grpc.TrainerServiceStub(trainer_channel),
            training_registry_service_pb2_grpc.TrainingRegistryServiceStub(registry_channel),
        )
    finally:
        await trainer_channel.close()
        await registry_channel.close()


async def _start_slow_job(platform) -> str:
    key = await platform.api_key("train")
    process_id = await platform.upload(key, _slow_csv())
    await platform.train(key, process_id, {"tc": "y", "tt": "binary_classification", "tv": "1", "cv": "5"})
    return process_id


async def test_progress_streams_and_a_cancelled_job_stops(training_platform, stubs):
    trainer, registry = stubs
    process_id = await _start_slow_job(training_platform)
    seen: list[training_pb2.TrainingJob] = []
    stream = trainer.WatchTrainingJob(trainer_service_pb2.WatchTrainingJobRequest(job_id=process_id), timeout=120)
    async for update in stream:
        seen.append(update.job)
        if update.job.status == training_pb2.TRAINING_JOB_STATUS_RUNNING and update.job.progress.phase:
            break
    running = seen[-1]
    assert running.status == training_pb2.TRAINING_JOB_STATUS_RUNNING and 0 <= running.progress.percent <= 100
    stream.cancel()

    admin = training_platform.gateway.registry.admin_user_id
    await registry.CancelTrainingJob(tr.CancelTrainingJobRequest(actor_user_id=admin, job_id=process_id))
    final = None
    async for update in trainer.WatchTrainingJob(
        trainer_service_pb2.WatchTrainingJobRequest(job_id=process_id), timeout=30
    ):
        final = update.job
    assert final.status == training_pb2.TRAINING_JOB_STATUS_CANCELLED
    runner = training_platform.trainer.runner
    await eventually(
        lambda: runner.running_jobs,
        lambda running: not running,
        timeout_s=10,
        what="the cancelled job's worker to be killed and its slot freed",
    )
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await registry.CancelTrainingJob(tr.CancelTrainingJobRequest(actor_user_id=admin, job_id=process_id))
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_reading_an_artifact_outside_the_store_is_refused(stubs):
    trainer, _ = stubs
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        async for _ in trainer.ReadArtifact(trainer_service_pb2.ReadArtifactRequest(artifact_uri="file:///etc/passwd")):
            pass
    assert refused.value.code() == grpc.StatusCode.NOT_FOUND
