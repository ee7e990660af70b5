"""Follow a training job: the registry holds its state, so any trainer can answer a watcher."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from torii.v1 import training_pb2
from torii.v1 import training_registry_service_pb2 as tr

FINAL_STATUSES = frozenset(
    {
        training_pb2.TRAINING_JOB_STATUS_FINISHED,
        training_pb2.TRAINING_JOB_STATUS_FAILED,
        training_pb2.TRAINING_JOB_STATUS_CANCELLED,
    }
)


async def watch_job(registry, job_id: str, poll_interval_s: float) -> AsyncIterator[training_pb2.TrainingJob]:
    """The job now, then each time its status or progress changes, until it ends."""
    last: tuple | None = None
    while True:
        job = (await registry.GetTrainingJob(tr.GetTrainingJobRequest(job_id=job_id))).job
        seen = (job.status, job.progress.SerializeToString(), job.message)
        if seen != last:
            last = seen
            yield job
        if job.status in FINAL_STATUSES:
            return
        await asyncio.sleep(poll_interval_s)
