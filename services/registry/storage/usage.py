"""Per-API, per-UTC-day request counters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

import asyncpg

from services.registry.domain.types import ChatTokenUsage, DailyUsage
from services.registry.storage import credentials

# Longer than any gateway keeps a batch before it is applied or given up.
FLUSH_IDS_KEPT = "30 days"


class UsageStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def add(
        self,
        increments: list[DailyUsage],
        flush_id: str | None = None,
        key_uses: Sequence[tuple[str, datetime]] = (),
        chat_tokens: Sequence[ChatTokenUsage] = (),
    ) -> bool:
        """Add counts in one statement and record the keys' last uses; counts for APIs deleted
        meanwhile are dropped. With a flush_id, a batch already applied changes nothing; return
        whether this call applied it."""
        if not increments and not key_uses and not chat_tokens:
            return True
        async with self._pool.acquire() as connection, connection.transaction():
            if flush_id is not None:
                first_time = await connection.fetchval(
                    "INSERT INTO usage_flushes (flush_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING true", flush_id
                )
                if not first_time:
                    return False
                await connection.execute(
                    f"DELETE FROM usage_flushes WHERE applied_at < now() - interval '{FLUSH_IDS_KEPT}'"
                )
            if increments:
                await self._add(connection, increments)
            if chat_tokens:
                await self._add_chat_tokens(connection, chat_tokens)
            await credentials.mark_keys_used(connection, list(key_uses))
        return True

    async def _add(self, connection: asyncpg.Connection, increments: list[DailyUsage]) -> None:
        await connection.execute(
            "INSERT INTO api_usage_daily (api_id, day, count_2xx, count_4xx, count_5xx)"
            " SELECT i.api_id, i.day, SUM(i.c2), SUM(i.c4), SUM(i.c5)"
            " FROM unnest($1::uuid[], $2::date[], $3::bigint[], $4::bigint[], $5::bigint[])"
            "   AS i(api_id, day, c2, c4, c5)"
            " WHERE EXISTS (SELECT 1 FROM published_apis a WHERE a.api_id = i.api_id)"
            " GROUP BY i.api_id, i.day"
            " ON CONFLICT (api_id, day) DO UPDATE SET"
            "   count_2xx = api_usage_daily.count_2xx + EXCLUDED.count_2xx,"
            "   count_4xx = api_usage_daily.count_4xx + EXCLUDED.count_4xx,"
            "   count_5xx = api_usage_daily.count_5xx + EXCLUDED.count_5xx",
            [i.api_id for i in increments],
            [date.fromisoformat(i.day) for i in increments],
            [i.count_2xx for i in increments],
            [i.count_4xx for i in increments],
            [i.count_5xx for i in increments],
        )

    async def _add_chat_tokens(self, connection: asyncpg.Connection, tokens: Sequence[ChatTokenUsage]) -> None:
        await connection.execute(
            "INSERT INTO chat_token_usage_daily (api_id, day, key_id, project, requests, prompt_tokens,"
            " completion_tokens)"
            " SELECT t.api_id, t.day, t.key_id, t.project, SUM(t.requests), SUM(t.prompt), SUM(t.completion)"
            " FROM unnest($1::uuid[], $2::date[], $3::uuid[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[])"
            "   AS t(api_id, day, key_id, project, requests, prompt, completion)"
            " WHERE EXISTS (SELECT 1 FROM published_apis a WHERE a.api_id = t.api_id)"
            " GROUP BY t.api_id, t.day, t.key_id, t.project"
            " ON CONFLICT (api_id, day, key_id, project) DO UPDATE SET"
            "   requests = chat_token_usage_daily.requests + EXCLUDED.requests,"
            "   prompt_tokens = chat_token_usage_daily.prompt_tokens + EXCLUDED.prompt_tokens,"
            "   completion_tokens = chat_token_usage_daily.completion_tokens + EXCLUDED.completion_tokens",
            [t.api_id for t in tokens],
            [date.fromisoformat(t.day) for t in tokens],
            [t.key_id for t in tokens],
            [t.project for t in tokens],
            [t.requests for t in tokens],
            [t.prompt_tokens for t in tokens],
            [t.completion_tokens for t in tokens],
        )

    async def chat_tokens(self, api_id: str, first: date, last: date) -> list[ChatTokenUsage]:
        return await chat_tokens_by(self._pool, "api_id", api_id, first, last)

    async def days(self, api_id: str, first: date, last: date) -> list[DailyUsage]:
        rows = await self._pool.fetch(
            "SELECT * FROM api_usage_daily WHERE api_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day",
            api_id,
            first,
            last,
        )
        return [
            DailyUsage(str(row["api_id"]), row["day"].isoformat(), row["count_2xx"], row["count_4xx"], row["count_5xx"])
            for row in rows
        ]


async def chat_tokens_by(
    pool: asyncpg.Pool, column: Literal["api_id", "key_id"], value: str, first: date, last: date
) -> list[ChatTokenUsage]:
    """Chat tokens per day, key and project of one API or one key."""
    rows = await pool.fetch(
        f"SELECT * FROM chat_token_usage_daily WHERE {column} = $1 AND day BETWEEN $2 AND $3"
        " ORDER BY day, api_id, key_id, project",
        value,
        first,
        last,
    )
    return [
        ChatTokenUsage(
            str(row["api_id"]),
            row["day"].isoformat(),
            str(row["key_id"]),
            row["project"],
            row["requests"],
            row["prompt_tokens"],
            row["completion_tokens"],
        )
        for row in rows
    ]
