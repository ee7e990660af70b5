"""The registry's health follows its database: NOT_SERVING while PostgreSQL does not answer.

Every registry call needs the database, so a registry whose PostgreSQL is down cannot serve: its
health check says so (the gateway's /readyz and load balancers read it) until a probe succeeds
again. Calls made meanwhile answer UNAVAILABLE (the interceptor's is_unavailable).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import asyncpg

from services.runtime.logging import get_logger
from services.runtime.tasks import cancel_and_wait

log = get_logger("registry.database_health")


class DatabaseHealth:
    def __init__(
        self,
        pool: asyncpg.Pool,
        report: Callable[[bool], Awaitable[None]],
        interval_s: float,
        timeout_s: float,
    ) -> None:
        self._pool = pool
        self._report = report
        self._interval_s = interval_s
        self._timeout_s = timeout_s
        self._task: asyncio.Task | None = None
        self.answering = True

    def start(self) -> None:
        self._task = asyncio.create_task(self._probe_forever(), name="database-health")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def _probe_forever(self) -> None:
        while True:
            answering = await self._probe()
            if answering != self.answering:
                self.answering = answering
                (log.info if answering else log.error)("database_answering" if answering else "database_lost")
                await self._report(answering)
            await asyncio.sleep(self._interval_s)

    async def _probe(self) -> bool:
        try:
            # Not asyncio.wait_for: on Python 3.11 it can swallow a cancellation that arrives as
            # the query ends, and stop() then waits for a probe loop that never ends (seen: a
            # test session stalled in the registry fixture's teardown while probes went on).
            async with asyncio.timeout(self._timeout_s):
                await self._pool.fetchval("SELECT 1")
        except asyncio.CancelledError:
            raise
        except Exception as error:  # any failure means the registry cannot serve
            log.debug("database_probe_failed", error=repr(error))
            return False
        return True
