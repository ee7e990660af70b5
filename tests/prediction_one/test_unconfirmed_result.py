"""A trained model whose FinishTrainingJob gets no answer (the registry slow or away) is kept
until the registry says whether it recorded it: never deleted on a guess."""

from __future__ import annotations

import asyncio

import asyncpg

from tests.polling import eventually
from tests.prediction_one.conftest import PREFIX, TrainingPlatform, start_trainer

CSV = b"x,y\n" + b"".join(f"{i * 7 % 13},{'a' if i % 3 else 'b'}\n".encode() for i in range(80))
RPC_TIMEOUT_S = 1.0


async def status_of(platform: TrainingPlatform, key: str, process_id: str) -> str:
    response = await platform.client.get(
        f"{PREFIX}/models/results", params={"external_process_id": process_id}, headers={"x-api-key": key}
    )
    return (await response.json())["status"]


async def test_a_finish_that_times_out_keeps_the_model_and_finishes_once_the_registry_answers(
    registry, start_gateway, tmp_path
):
    trainer, settings = await start_trainer(registry, tmp_path, rpc_timeout_s=RPC_TIMEOUT_S, training_time_budget_s=1.0)
    try:
        gateway = await start_gateway(trainer_address=f"127.0.0.1:{settings.trainer_port}")
        platform = TrainingPlatform(gateway, trainer, settings)
        key = await platform.api_key()
        process_id = await platform.upload(key, CSV)
        results = settings.data_dir / "artifacts" / "results"
        database = await asyncpg.connect(registry.database_url)
        try:
            await platform.train(key, process_id, {"tc": "y", "tt": "binary_classification", "tv": "a", "cv": "2"})
            await eventually(
                lambda: status_of(platform, key, process_id),
                lambda status: status == "running",
                timeout_s=60,
                what="the job to run",
            )
            # Every write to the job's row now waits: the trainer's FinishTrainingJob times out.
            lock = database.transaction()
            await lock.start()
            await database.execute("SELECT 1 FROM training_jobs WHERE job_id = $1 FOR UPDATE", process_id)
            await eventually(
                lambda: results.exists() and any(results.iterdir()),
                timeout_s=60,
                what="the worker to hand over its result",
            )
            await asyncio.sleep(RPC_TIMEOUT_S * 3)  # the first FinishTrainingJob has timed out by now
            assert any(results.iterdir()), "the result was deleted while its fate was unknown"
            await lock.rollback()
            finished = await platform.wait_for_result(key, process_id, timeout_s=60)
            assert finished["status"] == "finished", finished
            assert any(results.iterdir())
        finally:
            await database.close()
    finally:
        await trainer.stop()
