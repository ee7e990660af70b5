"""Model versions by number, and the versions training made (Prediction One's models)."""

from __future__ import annotations

from collections.abc import Callable

import asyncpg

from services.registry.domain.training_types import TrainedModel
from services.registry.domain.types import Model, ModelVersion
from services.registry.storage.models import _model, _version
from services.runtime.errors import FailedPrecondition, NotFound

_SELECT_VERSION = """
SELECT v.*, m.account_id, m.name AS model_name, m.created_at AS model_created_at
FROM model_versions v JOIN models m USING (model_id)
"""

_SELECT_TRAINED = """
SELECT v.*, m.account_id, m.name AS model_name, j.owner_user_id, j.config AS job_config,
       EXISTS (SELECT 1 FROM published_apis a
               WHERE a.model_version_id = v.model_version_id
                  OR a.serving_model_version_id = v.model_version_id) AS in_use
FROM model_versions v JOIN models m USING (model_id) JOIN training_jobs j ON j.job_id = v.training_job_id
"""


def _with_model(row) -> tuple[ModelVersion, Model]:
    model = _model(
        {
            "model_id": row["model_id"],
            "account_id": row["account_id"],
            "name": row["model_name"],
            "created_at": row["model_created_at"],
        }
    )
    return _version(row), model


def _trained(row) -> TrainedModel:
    return TrainedModel(
        version=_version(row),
        model_name=row["model_name"],
        owner_user_id=str(row["owner_user_id"]),
        account_id=str(row["account_id"]),
        config=row["job_config"],
        in_use=row["in_use"],
    )


class TrainedModelStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def version_by_number(self, number: int) -> tuple[ModelVersion, Model] | None:
        row = await self._pool.fetchrow(_SELECT_VERSION + " WHERE v.number = $1", number)
        return _with_model(row) if row else None

    async def version_by_id(self, model_version_id: str) -> tuple[ModelVersion, Model] | None:
        row = await self._pool.fetchrow(_SELECT_VERSION + " WHERE v.model_version_id = $1", model_version_id)
        return _with_model(row) if row else None

    async def get(self, number: int) -> TrainedModel | None:
        row = await self._pool.fetchrow(_SELECT_TRAINED + " WHERE v.number = $1", number)
        return _trained(row) if row else None

    async def list(self, account_id: str | None, offset: int, limit: int) -> tuple[list[TrainedModel], int]:
        """A page, newest first, and how many there are in all."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(
                _SELECT_TRAINED + " WHERE $1::uuid IS NULL OR m.account_id = $1"
                " ORDER BY v.created_at DESC, v.number DESC OFFSET $2 LIMIT $3",
                account_id,
                offset,
                limit,
            )
            total = await connection.fetchval(
                "SELECT count(*) FROM model_versions v JOIN models m USING (model_id)"
                " WHERE v.training_job_id IS NOT NULL AND ($1::uuid IS NULL OR m.account_id = $1)",
                account_id,
            )
        return [_trained(row) for row in rows], total

    async def delete(self, number: int, check: Callable[[TrainedModel], None]) -> TrainedModel:
        """Delete the version under a row lock once check() (which raises to refuse) has seen it.

        Its job's reference turns NULL; retrain keys for it go with it.
        """
        async with self._pool.acquire() as connection, connection.transaction():
            row = await connection.fetchrow(_SELECT_TRAINED + " WHERE v.number = $1 FOR UPDATE OF v", number)
            if row is None:
                raise NotFound(f"no trained model with id {number}")
            trained = _trained(row)
            check(trained)
            try:
                await connection.execute(
                    "DELETE FROM model_versions WHERE model_version_id = $1", trained.version.model_version_id
                )
            except asyncpg.ForeignKeyViolationError:
                # A published API took it up between the check and the delete.
                raise FailedPrecondition(f"model {number} is used by a published API") from None
            return trained
