"""The asyncpg pool, created the same way wherever one is needed."""

from __future__ import annotations

import json

import asyncpg

# What a lost, restarting or unreachable PostgreSQL raises: the caller may retry, so services answer
# UNAVAILABLE rather than INTERNAL. (TimeoutError covers a pool or a server that stopped answering.)
_CONNECTION_LOST = (
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    ConnectionError,
    TimeoutError,
    OSError,
)


def is_database_unavailable(error: BaseException) -> bool:
    return isinstance(error, _CONNECTION_LOST)


async def _init_connection(connection: asyncpg.Connection) -> None:
    await connection.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(dsn: str, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=_init_connection, command_timeout=30
    )
