"""Uploaded data sets."""

from __future__ import annotations

import asyncpg

from services.registry.domain.training_types import DataSet, NewDataSet


def _data_set(row) -> DataSet:
    return DataSet(
        data_set_id=row["data_set_id"],
        account_id=str(row["account_id"]),
        owner_user_id=str(row["owner_user_id"]),
        name=row["name"],
        extension=row["extension"],
        column_count=row["column_count"],
        data_count=row["data_count"],
        size_bytes=row["size_bytes"],
        sha256=row["sha256"],
        artifact_uri=row["artifact_uri"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


async def insert_data_set(connection, account_id: str, owner_user_id: str, new: NewDataSet) -> DataSet:
    """Insert on the caller's connection (and transaction); the database gives the id."""
    row = await connection.fetchrow(
        "INSERT INTO data_sets (account_id, owner_user_id, name, extension, column_count, data_count, size_bytes,"
        " sha256, artifact_uri) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *",
        account_id,
        owner_user_id,
        new.name,
        new.extension,
        new.column_count,
        new.data_count,
        new.size_bytes,
        new.sha256,
        new.artifact_uri,
    )
    return _data_set(row)


class DataSetStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get(self, data_set_id: int) -> DataSet | None:
        row = await self._pool.fetchrow("SELECT * FROM data_sets WHERE data_set_id = $1", data_set_id)
        return _data_set(row) if row else None

    async def list(self, account_id: str | None, offset: int, limit: int) -> tuple[list[DataSet], int]:
        """A page, newest first, and how many there are in all."""
        async with self._pool.acquire() as connection:
            rows = await connection.fetch(
                "SELECT * FROM data_sets WHERE $1::uuid IS NULL OR account_id = $1"
                " ORDER BY created_at DESC, data_set_id DESC OFFSET $2 LIMIT $3",
                account_id,
                offset,
                limit,
            )
            total = await connection.fetchval(
                "SELECT count(*) FROM data_sets WHERE $1::uuid IS NULL OR account_id = $1", account_id
            )
        return [_data_set(row) for row in rows], total

    async def delete(self, data_set_id: int) -> DataSet | None:
        """Delete the row (jobs that used it keep running: their reference turns NULL); None if it was gone."""
        row = await self._pool.fetchrow("DELETE FROM data_sets WHERE data_set_id = $1 RETURNING *", data_set_id)
        return _data_set(row) if row else None
