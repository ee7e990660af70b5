"""The state chat admissions are decided on: leases of admitted requests and tokens spent per day.

An admission locks its key's row for the length of one transaction; every gateway process admits
through here, so the row lock is what makes limits exact. Times come from the database clock once
the lock is held, so the order of admissions and the order of their times agree.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

import asyncpg

from services.registry.domain.chat_admission import WINDOW
from services.registry.domain.chat_key_types import BucketState, ChatKey, WindowEntry
from services.registry.storage.chat_keys import chat_key_of, select_chat_key


class _LockedKey:
    def __init__(self, connection: asyncpg.Connection, key: ChatKey) -> None:
        self._connection = connection
        self.key = key

    async def state(self, project: str) -> BucketState:
        connection = self._connection
        key_id = self.key.key_id
        now: datetime = await connection.fetchval("SELECT clock_timestamp()")
        # Leases that no longer count for anything: out of the window, and finished or expired.
        await connection.execute(
            "DELETE FROM chat_key_leases WHERE key_id = $1 AND project = $2 AND admitted_at <= $3"
            " AND (finished OR expires_at <= $4)",
            key_id,
            project,
            now - WINDOW,
            now,
        )
        limits = self.key.limits
        # Only what the key's limits read: a window of a key without per-minute limits could hold
        # every request of the last minute, and each admission would read them all again.
        window = (
            await connection.fetch(
                "SELECT admitted_at, tokens FROM chat_key_leases"
                " WHERE key_id = $1 AND project = $2 AND admitted_at > $3 ORDER BY admitted_at",
                key_id,
                project,
                now - WINDOW,
            )
            if limits.requests_per_minute or limits.tokens_per_minute
            else []
        )
        in_flight = (
            await connection.fetchval(
                "SELECT count(*) FROM chat_key_leases WHERE key_id = $1 AND project = $2"
                " AND NOT finished AND expires_at > $3",
                key_id,
                project,
                now,
            )
            if limits.max_in_flight
            else 0
        )
        spent = await connection.fetchrow(
            "SELECT COALESCE(SUM(tokens) FILTER (WHERE day = $3), 0)::bigint AS day_tokens,"
            " COALESCE(SUM(tokens), 0)::bigint AS month_tokens FROM chat_key_spend_daily"
            " WHERE key_id = $1 AND project = $2 AND day BETWEEN date_trunc('month', $3::date)::date AND $3",
            key_id,
            project,
            now.date(),
        )
        return BucketState(
            now=now,
            window=tuple(WindowEntry(row["admitted_at"], row["tokens"]) for row in window),
            in_flight=in_flight,
            day_tokens=spent["day_tokens"],
            month_tokens=spent["month_tokens"],
        )

    async def lease(self, project: str, admitted_at: datetime, tokens: int, lease_seconds: int) -> str:
        lease_id = str(uuid.uuid4())
        await self._connection.execute(
            "INSERT INTO chat_key_leases (lease_id, key_id, project, day, admitted_at, expires_at, tokens)"
            " VALUES ($1, $2, $3, $4, $5::timestamptz, $5::timestamptz + make_interval(secs => $6), $7)",
            lease_id,
            self.key.key_id,
            project,
            admitted_at.date(),
            admitted_at,
            float(lease_seconds),
            tokens,
        )
        await self._connection.execute(
            "INSERT INTO chat_key_spend_daily (key_id, project, day, tokens) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (key_id, project, day) DO UPDATE SET tokens = chat_key_spend_daily.tokens + EXCLUDED.tokens",
            self.key.key_id,
            project,
            admitted_at.date(),
            tokens,
        )
        return lease_id


class ChatAdmissionStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @asynccontextmanager
    async def locked(self, key_id: str) -> AsyncIterator[_LockedKey | None]:
        async with self._pool.acquire() as connection, connection.transaction():
            row = await connection.fetchrow(select_chat_key(" WHERE k.key_id = $1 FOR UPDATE OF k"), key_id)
            yield _LockedKey(connection, chat_key_of(row)) if row else None

    async def finish(self, lease_id: str, tokens: int) -> bool:
        async with self._pool.acquire() as connection, connection.transaction():
            lease = await connection.fetchrow(
                "UPDATE chat_key_leases l SET tokens = $2, finished = true"
                " FROM (SELECT lease_id, tokens FROM chat_key_leases WHERE lease_id = $1 AND NOT finished FOR UPDATE)"
                " AS old WHERE l.lease_id = old.lease_id RETURNING l.key_id, l.project, l.day, old.tokens AS reserved",
                lease_id,
                tokens,
            )
            if lease is None:
                return False
            await connection.execute(
                "UPDATE chat_key_spend_daily SET tokens = GREATEST(tokens - $4::bigint + $5::bigint, 0)"
                " WHERE key_id = $1 AND project = $2 AND day = $3",
                lease["key_id"],
                lease["project"],
                lease["day"],
                lease["reserved"],
                tokens,
            )
            return True
