"""Numbered SQL migrations, applied in order under an advisory lock so replicas can start together."""

from __future__ import annotations

import re
from importlib import resources

import asyncpg

from services.runtime.logging import get_logger

log = get_logger("migrations")

# Any constant shared by every process that migrates this database.
_ADVISORY_LOCK_KEY = 0x7041_7049_0001
_FILE_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


def migration_files() -> list[tuple[int, str, str]]:
    """(number, name, sql) for each numbered .sql file in this package, in order."""
    found = []
    for entry in resources.files(__package__).iterdir():
        match = _FILE_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if numbers != list(range(1, len(numbers) + 1)):
        raise RuntimeError(f"migrations must be numbered 001, 002, ... without gaps; found {numbers}")
    return found


async def apply_migrations(dsn_or_connection: str | asyncpg.Connection) -> list[str]:
    """Apply the migrations not yet applied; return the names applied now."""
    owns_connection = isinstance(dsn_or_connection, str)
    connection: asyncpg.Connection = await asyncpg.connect(dsn_or_connection) if owns_connection else dsn_or_connection
    try:
        await connection.execute("SELECT pg_advisory_lock($1)", _ADVISORY_LOCK_KEY)
        try:
            await connection.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY, name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            done = {row["version"] for row in await connection.fetch("SELECT version FROM schema_migrations")}
            applied = []
            for number, name, sql in migration_files():
                if number in done:
                    continue
                async with connection.transaction():
                    await connection.execute(sql)
                    await connection.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", number, name
                    )
                log.info("migration_applied", migration=name)
                applied.append(name)
            return applied
        finally:
            await connection.execute("SELECT pg_advisory_unlock($1)", _ADVISORY_LOCK_KEY)
    finally:
        if owns_connection:
            await connection.close()
