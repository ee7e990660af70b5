"""A trainer killed mid-job: its worker dies with it, and the next trainer requeues the job and
finishes it; a job whose trainers keep dying is failed with a message, never left running."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

import numpy as np

from services.runtime.grpc_client import open_channel
from tests.polling import eventually
from tests.prediction_one.conftest import PREFIX, TrainingPlatform, start_trainer
from tests.service_token import SERVICE_TOKEN
from torii.v1 import training_pb2, training_registry_service_pb2_grpc
from torii.v1 import training_registry_service_pb2 as tr


def _slow_csv(rows: int = 60_000) -> bytes:
    """Enough rows and a target LightGBM cannot learn quickly, so training lasts a few seconds."""
    rng = np.random.default_rng(3)
    features = rng.normal(size=(rows, 12))
    target = (features[:, 0] * features[:, 1] + rng.normal(scale=2.0, size=rows) > 0).astype(int)
    lines = [",".join([f"f{i}" for i in range(12)] + ["y"])]
    lines += [",".join(f"{value:.5f}" for value in row) + f",{label}" for row, label in zip(features, target)]
    return ("\n".join(lines) + "\n").encode()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _job(registry_address: str, job_id: str) -> training_pb2.TrainingJob:
    channel = open_channel(registry_address, 10, service_token=SERVICE_TOKEN)
    try:
        stub = training_registry_service_pb2_grpc.TrainingRegistryServiceStub(channel)
        return (await stub.GetTrainingJob(tr.GetTrainingJobRequest(job_id=job_id))).job
    finally:
        await channel.close()


async def _until(
    registry_address: str, job_id: str, wanted, what: str, timeout_s: float = 60.0
) -> training_pb2.TrainingJob:
    return await eventually(
        lambda: _job(registry_address, job_id), wanted, timeout_s=timeout_s, interval_s=0.1, what=f"the job {what}"
    )


async def _start_trainer_process(registry_address: str, data_dir, port: int) -> asyncio.subprocess.Process:
    env = {
        **os.environ,
        "TORII_REGISTRY_ADDRESS": registry_address,
        "TORII_DATA_DIR": str(data_dir),
        "TORII_TRAINER_PORT": str(port),
        "TORII_JOB_POLL_INTERVAL_S": "0.1",
        "TORII_TRAINING_TIME_BUDGET_S": "30",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.trainer",
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def test_a_job_of_a_killed_trainer_is_requeued_and_finished(registry, start_gateway, tmp_path):
    data_dir = tmp_path / "trainer-data"
    port = _free_port()
    process = await _start_trainer_process(registry.address, data_dir, port)
    try:
        gateway = await start_gateway(trainer_address=f"127.0.0.1:{port}")
        platform = TrainingPlatform(gateway, None, None)  # type: ignore[arg-type]
        key = await platform.api_key("train")
        process_id = await _upload_when_ready(platform, key)
        await platform.train(key, process_id, {"tc": "y", "tt": "binary_classification", "tv": "1", "cv": "5"})
        running = await _until(
            registry.address, process_id, lambda job: job.status == training_pb2.TRAINING_JOB_STATUS_RUNNING, "to run"
        )
        assert running.attempts == 1
        process.send_signal(signal.SIGKILL)
        await process.wait()
        assert (await _job(registry.address, process_id)).status == training_pb2.TRAINING_JOB_STATUS_RUNNING

        trainer, _ = await start_trainer(registry, tmp_path, data_dir=data_dir, training_time_budget_s=2.0)
        try:
            finished = await _until(
                registry.address,
                process_id,
                lambda job: job.status == training_pb2.TRAINING_JOB_STATUS_FINISHED,
                "to finish on the next trainer",
                120.0,
            )
        finally:
            await trainer.stop()
        assert finished.attempts == 2 and finished.model_number >= 1
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_a_job_whose_trainers_keep_dying_fails_with_a_message(registry, start_gateway, tmp_path):
    data_dir = tmp_path / "trainer-data"
    port = _free_port()
    gateway = await start_gateway(trainer_address=f"127.0.0.1:{port}")
    platform = TrainingPlatform(gateway, None, None)  # type: ignore[arg-type]
    key = await platform.api_key("train")
    process_id = None
    for attempt in (1, 2):
        process = await _start_trainer_process(registry.address, data_dir, port)
        try:
            if process_id is None:
                process_id = await _upload_when_ready(platform, key)
                await platform.train(key, process_id, {"tc": "y", "tt": "binary_classification", "tv": "1", "cv": "5"})
            await _until(
                registry.address,
                process_id,
                lambda job, attempt=attempt: (
                    job.status == training_pb2.TRAINING_JOB_STATUS_RUNNING and job.attempts == attempt
                ),
                f"to run its attempt {attempt}",
            )
        finally:
            process.send_signal(signal.SIGKILL)
            await process.wait()
    trainer, _ = await start_trainer(registry, tmp_path, data_dir=data_dir, training_max_attempts=2)
    try:
        failed = await _job(registry.address, process_id)
    finally:
        await trainer.stop()
    assert failed.status == training_pb2.TRAINING_JOB_STATUS_FAILED
    assert "2 times" in failed.message
    result = await platform.client.get(
        f"{PREFIX}/models/results", params={"external_process_id": process_id}, headers={"x-api-key": key}
    )
    body = await result.json()
    assert body["status"] == "failed" and "2 times" in body["message"]


async def _upload_when_ready(platform: TrainingPlatform, key: str, timeout_s: float = 30.0) -> str:
    """The trainer process takes a moment to start listening."""
    data = _slow_csv()

    async def upload() -> str | AssertionError:
        try:
            return await platform.upload(key, data)
        except AssertionError as refused:  # the gateway's answer while the trainer is not listening yet
            return refused

    return await eventually(
        upload,
        lambda outcome: isinstance(outcome, str),
        timeout_s=timeout_s,
        interval_s=0.2,
        what="the trainer process to take an upload",
    )
