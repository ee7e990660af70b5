import asyncio

import asyncpg

from services.registry.migrations import apply_migrations, migration_files


async def test_concurrent_starts_apply_each_migration_once(database_url):
    results = await asyncio.gather(*(apply_migrations(database_url) for _ in range(4)))
    applied = sorted(name for names in results for name in names)
    assert applied == [name for _, name, _ in migration_files()]
    connection = await asyncpg.connect(database_url)
    try:
        versions = await connection.fetch("SELECT version FROM schema_migrations ORDER BY version")
    finally:
        await connection.close()
    assert [row["version"] for row in versions] == list(range(1, len(applied) + 1))
    assert await apply_migrations(database_url) == []
