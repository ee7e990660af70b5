"""Training jobs: their rows, the uploads attached to them, claiming, and the versions they make."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from services.registry.domain.training_types import (
    DataSet,
    JobKind,
    JobStatus,
    NamedModel,
    NewDataSet,
    TrainingJob,
    UploadSlot,
)
from services.registry.domain.types import JsonObject, ModelVersion
from services.registry.storage.data_sets import insert_data_set
from services.registry.storage.models import insert_next_version
from services.runtime.errors import NotFound

_SELECT_JOB = """
SELECT j.*, v.number AS model_number
FROM training_jobs j LEFT JOIN model_versions v ON v.model_version_id = j.model_version_id
"""

_DATA_SET_COLUMNS = {UploadSlot.LEARN: "learn_data_set_id", UploadSlot.EVAL: "eval_data_set_id"}


def _job(row) -> TrainingJob:
    return TrainingJob(
        job_id=str(row["job_id"]),
        account_id=str(row["account_id"]),
        owner_user_id=str(row["owner_user_id"]),
        kind=JobKind(row["kind"]),
        status=JobStatus(row["status"]),
        message=row["message"],
        learn_data_set_id=row["learn_data_set_id"],
        eval_data_set_id=row["eval_data_set_id"],
        column_types_uri=row["column_types_uri"],
        model_name=row["model_name"],
        config=row["config"],
        base_model_version_id=str(row["base_model_version_id"] or ""),
        progress=row["progress"],
        result_uri=row["result_uri"],
        model_version_id=str(row["model_version_id"] or ""),
        model_number=row["model_number"] or 0,
        trainer_id=row["trainer_id"],
        attempts=row["attempts"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
    )


async def _read(connection, job_id: str, lock: bool = False) -> TrainingJob | None:
    row = await connection.fetchrow(_SELECT_JOB + " WHERE j.job_id = $1" + (" FOR UPDATE OF j" if lock else ""), job_id)
    return _job(row) if row else None


async def _existing(connection, job_id: str, lock: bool = False) -> TrainingJob:
    """The job, under a row lock if asked; NotFound when there is none."""
    job = await _read(connection, job_id, lock=lock)
    if job is None:
        raise NotFound(f"no training job with id {job_id}")
    return job


async def _write(connection, job: TrainingJob) -> None:
    """Write what may change after creation; finished_at is stamped when the job first ends."""
    await connection.execute(
        "UPDATE training_jobs SET status = $2, message = $3, learn_data_set_id = $4, eval_data_set_id = $5,"
        " column_types_uri = $6, model_name = $7, config = $8, progress = $9, result_uri = $10,"
        " model_version_id = $11, trainer_id = $12, attempts = $13, updated_at = now(),"
        " finished_at = CASE WHEN $2 IN ('finished', 'failed', 'cancelled') THEN COALESCE(finished_at, now()) END"
        " WHERE job_id = $1",
        job.job_id,
        job.status.value,
        job.message,
        job.learn_data_set_id,
        job.eval_data_set_id,
        job.column_types_uri,
        job.model_name,
        job.config,
        job.progress,
        job.result_uri,
        job.model_version_id or None,
        job.trainer_id,
        job.attempts,
    )


class TrainingJobStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create(self, job: TrainingJob) -> TrainingJob:
        async with self._pool.acquire() as connection:
            await connection.execute(
                "INSERT INTO training_jobs (job_id, account_id, owner_user_id, kind, status, model_name, config,"
                " base_model_version_id, column_types_uri) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                job.job_id,
                job.account_id,
                job.owner_user_id,
                job.kind.value,
                job.status.value,
                job.model_name,
                job.config,
                job.base_model_version_id or None,
                job.column_types_uri,
            )
            return await _existing(connection, job.job_id)

    async def get(self, job_id: str) -> TrainingJob | None:
        async with self._pool.acquire() as connection:
            return await _read(connection, job_id)

    async def change(self, job_id: str, decide: Callable[[TrainingJob], TrainingJob]) -> TrainingJob:
        """Read the job under a row lock, let decide() apply the domain's rules, write what changed.

        decide() raises a DomainError to refuse; then nothing is written.
        """
        async with self._pool.acquire() as connection, connection.transaction():
            before = await _existing(connection, job_id, lock=True)
            after = decide(before)
            if after == before:
                return before
            await _write(connection, after)
            return await _existing(connection, job_id)

    async def attach_data_set(
        self, job_id: str, slot: UploadSlot, new: NewDataSet, check: Callable[[TrainingJob], None]
    ) -> tuple[TrainingJob, DataSet]:
        """Record the data set, owned by the job's owner, as the job's file for slot; check() may refuse."""
        async with self._pool.acquire() as connection, connection.transaction():
            job = await _existing(connection, job_id, lock=True)
            check(job)
            data_set = await insert_data_set(connection, job.account_id, job.owner_user_id, new)
            await connection.execute(
                f"UPDATE training_jobs SET {_DATA_SET_COLUMNS[slot]} = $2, updated_at = now() WHERE job_id = $1",
                job_id,
                data_set.data_set_id,
            )
            return await _existing(connection, job_id), data_set

    async def claim(self, trainer_id: str) -> TrainingJob | None:
        """Move the oldest queued job to running; concurrent trainers skip each other's rows."""
        async with self._pool.acquire() as connection:
            job_id = await connection.fetchval(
                "UPDATE training_jobs SET status = 'running', attempts = attempts + 1, started_at = now(),"
                " updated_at = now(), trainer_id = $1, progress = '{}', message = ''"
                " WHERE status = 'queued' AND job_id = ("
                "   SELECT job_id FROM training_jobs WHERE status = 'queued'"
                "   ORDER BY created_at, job_id LIMIT 1 FOR UPDATE SKIP LOCKED)"
                " RETURNING job_id",
                trainer_id,
            )
            return await _read(connection, job_id) if job_id else None

    async def change_running(self, decide: Callable[[TrainingJob], TrainingJob]) -> list[TrainingJob]:
        """Lock every running job and write what decide() makes of each, in one transaction."""
        async with self._pool.acquire() as connection, connection.transaction():
            rows = await connection.fetch(
                _SELECT_JOB + " WHERE j.status = 'running' ORDER BY j.created_at, j.job_id FOR UPDATE OF j"
            )
            changed = []
            for row in rows:
                after = decide(_job(row))
                await _write(connection, after)
                changed.append(await _existing(connection, after.job_id))
            return changed

    async def finish(
        self,
        job_id: str,
        decide: Callable[[TrainingJob], TrainingJob],
        version_id: str,
        fields: JsonObject,
        *,
        into_model_id: str | None = None,
        named_model: NamedModel | None = None,
    ) -> tuple[TrainingJob, ModelVersion]:
        """Make the version and write the finished job in one transaction.

        The version goes into model into_model_id, or into the account's model named like named_model,
        which is created (with named_model's id) when missing.
        """
        async with self._pool.acquire() as connection, connection.transaction():
            finished = decide(await _existing(connection, job_id, lock=True))
            if named_model is not None:
                await connection.execute(
                    "INSERT INTO models (model_id, account_id, name) VALUES ($1, $2, $3)"
                    " ON CONFLICT (account_id, name) DO NOTHING",
                    named_model.model_id,
                    named_model.account_id,
                    named_model.name,
                )
                model_id = await connection.fetchval(
                    "SELECT model_id FROM models WHERE account_id = $1 AND name = $2 FOR UPDATE",
                    named_model.account_id,
                    named_model.name,
                )
            else:
                model_id = await connection.fetchval(
                    "SELECT model_id FROM models WHERE model_id = $1 FOR UPDATE", into_model_id
                )
                if model_id is None:
                    raise NotFound(f"no model with id {into_model_id}")
            version = await insert_next_version(connection, version_id, str(model_id), fields, job_id)
            await _write(connection, finished)
            return await _existing(connection, job_id), version

    async def list(self, account_id: str | None, offset: int, limit: int) -> tuple[list[TrainingJob], int]:
        """A page, newest first, and how many there are in all; account_id None: every account's."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(
                _SELECT_JOB + " WHERE $1::uuid IS NULL OR j.account_id = $1"
                " ORDER BY j.created_at DESC, j.job_id DESC OFFSET $2 LIMIT $3",
                account_id,
                offset,
                limit,
            )
            total = await connection.fetchval(
                "SELECT count(*) FROM training_jobs WHERE $1::uuid IS NULL OR account_id = $1", account_id
            )
        return [_job(row) for row in rows], total
