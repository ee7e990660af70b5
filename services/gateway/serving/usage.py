"""Per-day request counts by status class, added up in memory and sent to the registry in batches.

Counting costs a dict update per request; a flush every flush_interval_s sends the sums with one
RecordUsage call. A failed flush keeps its counts for the next one, and stop() flushes what is
left, so a graceful shutdown loses nothing.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timezone

import grpc

from services.runtime.logging import get_logger
from services.runtime.tasks import cancel_and_wait
from torii.v1 import apis_pb2, registry_service_pb2, registry_service_pb2_grpc

log = get_logger("usage")

_CLASSES = {2: 0, 4: 1, 5: 2}


def _today() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d")


class UsageRecorder:
    def __init__(
        self,
        registry: registry_service_pb2_grpc.RegistryServiceStub,
        *,
        flush_interval_s: float = 2.0,
        today: Callable[[], str] = _today,
    ) -> None:
        self._registry = registry
        self._flush_interval_s = flush_interval_s
        self._today = today
        self._counts: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        self._task: asyncio.Task | None = None
        self._flushing = asyncio.Lock()

    def count(self, api_id: str, http_status: int) -> None:
        status_class = _CLASSES.get(http_status // 100)
        if status_class is not None:
            self._counts[(api_id, self._today())][status_class] += 1

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="usage-flush")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        await self.flush()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._flush_interval_s)
            await self.flush()

    async def flush(self) -> None:
        async with self._flushing:
            if not self._counts:
                return
            taken, self._counts = self._counts, defaultdict(lambda: [0, 0, 0])
            increments = [
                apis_pb2.DailyUsage(api_id=api_id, day=day, count_2xx=c2, count_4xx=c4, count_5xx=c5)
                for (api_id, day), (c2, c4, c5) in taken.items()
            ]
            try:
                await self._registry.RecordUsage(registry_service_pb2.RecordUsageRequest(increments=increments))
            except grpc.aio.AioRpcError as error:
                log.warning("usage_flush_failed", code=error.code().name, apis=len(increments))
                for key, counts in taken.items():
                    kept = self._counts[key]
                    for index, value in enumerate(counts):
                        kept[index] += value
