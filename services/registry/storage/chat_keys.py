"""Chat keys: a credential row (the hashed secret, the expiry) with its limits, projects and APIs."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from datetime import date

import asyncpg

from services.registry.domain.chat_key_types import ChatKey, ChatKeyChanges, ChatKeyLimits
from services.registry.domain.types import ChatTokenUsage
from services.registry.storage.usage import chat_tokens_by

_SELECT = """
SELECT k.key_id, c.chat_account_id, k.name, k.requests_per_minute, k.tokens_per_minute, k.max_in_flight,
       k.tokens_per_day, k.tokens_per_month, k.projects, k.default_project, k.rotated_at, c.created_at,
       c.expires_at,
       ARRAY(SELECT g.api_id::text FROM chat_key_apis g WHERE g.key_id = k.key_id ORDER BY g.api_id) AS api_ids
FROM chat_keys k JOIN credentials c ON c.credential_id = k.key_id
"""


def select_chat_key(where: str) -> str:
    return _SELECT + where


def chat_key_of(row) -> ChatKey:
    return ChatKey(
        key_id=str(row["key_id"]),
        account_id=str(row["chat_account_id"]),
        name=row["name"],
        api_ids=tuple(row["api_ids"]),
        limits=ChatKeyLimits(
            requests_per_minute=row["requests_per_minute"],
            tokens_per_minute=row["tokens_per_minute"],
            max_in_flight=row["max_in_flight"],
            tokens_per_day=row["tokens_per_day"],
            tokens_per_month=row["tokens_per_month"],
        ),
        projects=tuple(row["projects"]),
        default_project=row["default_project"],
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        rotated_at=row["rotated_at"],
    )


class ChatKeyStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create(self, key: ChatKey, secret_sha256: bytes) -> ChatKey:
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "INSERT INTO credentials (credential_id, chat_account_id, secret_sha256, expires_at)"
                " VALUES ($1, $2, $3, $4)",
                key.key_id,
                key.account_id,
                secret_sha256,
                key.expires_at,
            )
            await connection.execute(
                "INSERT INTO chat_keys (key_id, name, projects, default_project) VALUES ($1, $2, $3, $4)",
                key.key_id,
                key.name,
                list(key.projects),
                key.default_project,
            )
            await _set_limits(connection, key.key_id, key.limits)
            await _set_apis(connection, key.key_id, key.api_ids)
            return await _get(connection, key.key_id)  # type: ignore[return-value]

    async def get(self, key_id: str) -> ChatKey | None:
        return await _get(self._pool, key_id)

    async def list(self, account_id: str) -> builtins.list[ChatKey]:
        rows = await self._pool.fetch(
            _SELECT + " WHERE c.chat_account_id = $1 ORDER BY c.created_at, k.key_id", account_id
        )
        return [chat_key_of(row) for row in rows]

    async def change(self, key_id: str, changes: ChatKeyChanges) -> ChatKey | None:
        async with self._pool.acquire() as connection, connection.transaction():
            # Locked as an admission locks it, so no request is decided half-way through a change.
            if await connection.fetchval("SELECT true FROM chat_keys WHERE key_id = $1 FOR UPDATE", key_id) is None:
                return None
            if changes.name is not None:
                await connection.execute("UPDATE chat_keys SET name = $2 WHERE key_id = $1", key_id, changes.name)
            if changes.limits is not None:
                await _set_limits(connection, key_id, changes.limits)
            if changes.projects is not None:
                await connection.execute(
                    "UPDATE chat_keys SET projects = $2, default_project = $3 WHERE key_id = $1",
                    key_id,
                    list(changes.projects),
                    changes.default_project,
                )
            if changes.api_ids is not None:
                await connection.execute(
                    "DELETE FROM chat_key_apis WHERE key_id = $1 AND NOT api_id = ANY($2::uuid[])",
                    key_id,
                    list(changes.api_ids),
                )
                await _set_apis(connection, key_id, changes.api_ids)
            return await _get(connection, key_id)

    async def rotate(self, key_id: str, secret_sha256: bytes) -> ChatKey | None:
        async with self._pool.acquire() as connection, connection.transaction():
            rotated = await connection.fetchval(
                "UPDATE chat_keys SET rotated_at = now() WHERE key_id = $1 RETURNING true", key_id
            )
            if not rotated:
                return None
            await connection.execute(
                "UPDATE credentials SET secret_sha256 = $2 WHERE credential_id = $1", key_id, secret_sha256
            )
            return await _get(connection, key_id)

    async def chat_api_ids(self, account_id: str, api_ids: Sequence[str]) -> set[str]:
        rows = await self._pool.fetch(
            "SELECT api_id FROM published_apis WHERE api_id = ANY($1::uuid[]) AND account_id = $2"
            " AND contract = 'openai_chat'",
            list(api_ids),
            account_id,
        )
        return {str(row["api_id"]) for row in rows}

    async def usage(self, key_id: str, first: date, last: date) -> builtins.list[ChatTokenUsage]:
        return await chat_tokens_by(self._pool, "key_id", key_id, first, last)


async def _get(executor: asyncpg.Pool | asyncpg.Connection, key_id: str) -> ChatKey | None:
    row = await executor.fetchrow(_SELECT + " WHERE k.key_id = $1", key_id)
    return chat_key_of(row) if row else None


async def _set_limits(connection: asyncpg.Connection, key_id: str, limits: ChatKeyLimits) -> None:
    await connection.execute(
        "UPDATE chat_keys SET requests_per_minute = $2, tokens_per_minute = $3, max_in_flight = $4,"
        " tokens_per_day = $5, tokens_per_month = $6 WHERE key_id = $1",
        key_id,
        limits.requests_per_minute,
        limits.tokens_per_minute,
        limits.max_in_flight,
        limits.tokens_per_day,
        limits.tokens_per_month,
    )


async def _set_apis(connection: asyncpg.Connection, key_id: str, api_ids: Sequence[str]) -> None:
    await connection.execute(
        # An API deleted since it was checked is left out rather than failing the whole change.
        "INSERT INTO chat_key_apis (key_id, api_id) SELECT $1, a.api_id FROM published_apis a"
        " WHERE a.api_id = ANY($2::uuid[]) ON CONFLICT DO NOTHING",
        key_id,
        list(api_ids),
    )
