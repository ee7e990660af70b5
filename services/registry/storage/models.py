"""Models and their versions."""

from __future__ import annotations

import asyncpg

from services.registry.domain.types import Model, ModelVersion
from services.runtime.errors import AlreadyExists


def _model(row) -> Model:
    return Model(str(row["model_id"]), str(row["account_id"]), row["name"], row["created_at"])


def _version(row) -> ModelVersion:
    return ModelVersion(
        model_version_id=str(row["model_version_id"]),
        model_id=str(row["model_id"]),
        version=row["version"],
        format=row["format"],
        artifact_uri=row["artifact_uri"],
        sha256=row["sha256"],
        size_bytes=row["size_bytes"],
        signature=row["signature"],
        preprocessing=row["preprocessing"],
        created_at=row["created_at"],
        number=row["number"],
        training_job_id=str(row["training_job_id"] or ""),
    )


async def insert_next_version(
    connection, version_id: str, model_id: str, fields: dict, training_job_id: str | None = None
) -> ModelVersion:
    """Insert the model's next version; the caller holds the model's row lock (or has just made it)."""
    row = await connection.fetchrow(
        "INSERT INTO model_versions (model_version_id, model_id, version, format, artifact_uri, sha256,"
        " size_bytes, signature, preprocessing, training_job_id)"
        " SELECT $1, $2, COALESCE(MAX(version), 0) + 1, $3, $4, $5, $6, $7, $8, $9"
        " FROM model_versions WHERE model_id = $2 RETURNING *",
        version_id,
        model_id,
        fields["format"],
        fields["artifact_uri"],
        fields["sha256"],
        fields["size_bytes"],
        fields["signature"],
        fields["preprocessing"],
        training_job_id,
    )
    return _version(row)


class ModelStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_model(
        self, model_id: str, account_id: str, name: str, version_id: str, fields: dict
    ) -> tuple[Model, ModelVersion]:
        """Insert the model and its version 1 together."""
        async with self._pool.acquire() as connection, connection.transaction():
            try:
                row = await connection.fetchrow(
                    "INSERT INTO models (model_id, account_id, name) VALUES ($1, $2, $3) RETURNING *",
                    model_id,
                    account_id,
                    name,
                )
            except asyncpg.UniqueViolationError:
                raise AlreadyExists(f"a model named {name!r} already exists in this account") from None
            version = await insert_next_version(connection, version_id, model_id, fields)
        return _model(row), version

    async def get_model(self, model_id: str) -> Model | None:
        row = await self._pool.fetchrow("SELECT * FROM models WHERE model_id = $1", model_id)
        return _model(row) if row else None

    async def list_models(self, account_id: str | None) -> list[Model]:
        rows = await self._pool.fetch(
            "SELECT * FROM models WHERE $1::uuid IS NULL OR account_id = $1 ORDER BY created_at, name", account_id
        )
        return [_model(row) for row in rows]

    async def add_version(self, version_id: str, model_id: str, fields: dict) -> ModelVersion:
        """Insert the next version number; the model row lock serialises concurrent uploads."""
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute("SELECT 1 FROM models WHERE model_id = $1 FOR UPDATE", model_id)
            return await insert_next_version(connection, version_id, model_id, fields)

    async def list_versions(self, model_id: str) -> list[ModelVersion]:
        rows = await self._pool.fetch("SELECT * FROM model_versions WHERE model_id = $1 ORDER BY version", model_id)
        return [_version(row) for row in rows]

    async def get_version_with_account(self, version_id: str) -> tuple[ModelVersion, str] | None:
        row = await self._pool.fetchrow(
            "SELECT v.*, m.account_id FROM model_versions v JOIN models m USING (model_id)"
            " WHERE v.model_version_id = $1",
            version_id,
        )
        return (_version(row), str(row["account_id"])) if row else None
