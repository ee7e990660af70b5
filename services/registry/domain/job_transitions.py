"""What may happen to a training job in each status: pure functions from a job to the job after.

Each raises a DomainError to refuse; the store calls them under the job's row lock.
"""

from __future__ import annotations

import dataclasses
import re

from services.registry.domain.names import require_name
from services.registry.domain.training_types import (
    DATA_SET_EXTENSIONS,
    UNSPECIFIED_PROBLEM_TYPE,
    JobStatus,
    NewDataSet,
    TrainingJob,
)
from services.registry.domain.types import JsonObject
from services.runtime.errors import FailedPrecondition, InvalidArgument

GIVING_UP = "the trainer stopped while training, {attempts} times; giving up"


def check_config(config: JsonObject) -> None:
    """A TrainingConfig names the target column and the problem type at least."""
    if not str(config.get("target_column", "")).strip():
        raise InvalidArgument("the training config needs a target_column")
    if config.get("problem_type", UNSPECIFIED_PROBLEM_TYPE) == UNSPECIFIED_PROBLEM_TYPE:
        raise InvalidArgument("the training config needs a problem_type")


def check_progress(progress: JsonObject) -> None:
    if not 0 <= float(progress.get("percent", 0)) <= 100:
        raise InvalidArgument("progress percent must be between 0 and 100")


def check_new_data_set(new: NewDataSet) -> NewDataSet:
    extension = new.extension.strip().lower().removeprefix(".")
    if extension not in DATA_SET_EXTENSIONS:
        allowed = ", ".join(DATA_SET_EXTENSIONS)
        raise InvalidArgument(f"a data set's extension is one of {allowed}, not {new.extension!r}")
    if not new.artifact_uri:
        raise InvalidArgument("the data set's artifact_uri is required")
    sha256 = new.sha256.lower()
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise InvalidArgument("the data set's sha256 must be 64 hexadecimal characters")
    if min(new.column_count, new.data_count, new.size_bytes) < 0:
        raise InvalidArgument("a data set's column_count, data_count and size_bytes are not negative")
    return dataclasses.replace(new, name=require_name(new.name, "data set"), extension=extension, sha256=sha256)


def require_awaiting_data(job: TrainingJob) -> None:
    if job.status is not JobStatus.AWAITING_DATA:
        raise FailedPrecondition(
            f"training job {job.job_id} is {job.status.value}; its files are uploaded before it is submitted"
        )


def attach_column_types(job: TrainingJob, uri: str) -> TrainingJob:
    require_awaiting_data(job)
    return dataclasses.replace(job, column_types_uri=uri)


def submit(job: TrainingJob, model_name: str | None, config: JsonObject | None) -> TrainingJob:
    """Queue a job awaiting its data; a None model_name or config keeps the job's own."""
    require_awaiting_data(job)
    if job.learn_data_set_id is None:
        raise FailedPrecondition(f"training job {job.job_id} has no learning data: upload it before submitting")
    return dataclasses.replace(
        job,
        status=JobStatus.QUEUED,
        model_name=job.model_name if model_name is None else model_name,
        config=job.config if config is None else config,
    )


def cancel(job: TrainingJob) -> TrainingJob:
    if job.status.is_final:
        raise FailedPrecondition(f"training job {job.job_id} is {job.status.value} already")
    return dataclasses.replace(job, status=JobStatus.CANCELLED)


def report_progress(job: TrainingJob, progress: JsonObject) -> TrainingJob:
    """Running jobs keep the progress; others are left as they are (the trainer then stops)."""
    if job.status is not JobStatus.RUNNING:
        return job
    return dataclasses.replace(job, progress=progress)


def require_running(job: TrainingJob) -> None:
    if job.status is not JobStatus.RUNNING:
        raise FailedPrecondition(f"training job {job.job_id} is {job.status.value}, not running")


def finish(job: TrainingJob, result_uri: str, model_version_id: str) -> TrainingJob:
    require_running(job)
    return dataclasses.replace(
        job,
        status=JobStatus.FINISHED,
        message="",
        result_uri=result_uri,
        model_version_id=model_version_id,
        # Whatever the last progress report said, a finished job is past every phase.
        progress={**job.progress, "phase": "finished", "percent": 100.0},
    )


def fail(job: TrainingJob, message: str) -> TrainingJob:
    if job.status.is_final:
        raise FailedPrecondition(f"training job {job.job_id} is {job.status.value} already")
    return dataclasses.replace(job, status=JobStatus.FAILED, message=message.strip() or "training failed")


def recover(job: TrainingJob, max_attempts: int) -> TrainingJob:
    """A job left running by a trainer that stopped: queued again, or failed once it has used its attempts."""
    if job.attempts < max_attempts:
        return dataclasses.replace(job, status=JobStatus.QUEUED, progress={}, message="")
    return dataclasses.replace(job, status=JobStatus.FAILED, message=GIVING_UP.format(attempts=job.attempts))
