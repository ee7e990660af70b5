"""Per-day request counts by status class, added up in memory and sent to the registry in batches.

Counting costs a dict update per request; a flush every flush_interval_s sends the sums with one
RecordUsage call that names the batch (its flush id), with the API keys that admitted requests
since the last flush and when each last did (the registry records their last use). A batch the
registry does not take goes to the spool on disk and is sent again, with the same id, at every
later flush until it is taken: stop() flushes what is left, and counts survive a registry or
database outage and a gateway restart. Only a crash loses what was counted since the last flush.
"""

from __future__ import annotations

import asyncio
import functools
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from services.gateway.serving.usage_spool import UsageSpool
from services.runtime.logging import get_logger
from services.runtime.tasks import cancel_and_wait
from torii.v1 import apis_pb2, registry_service_pb2, registry_service_pb2_grpc

log = get_logger("usage")

_CLASSES = {2: 0, 4: 1, 5: 2}
# Spooled batches sent per flush, so a long outage's backlog drains without one long flush.
REPLAY_BATCHES_PER_FLUSH = 50


def _today() -> str:
    return _day_label(int(time.time() // 86_400))


@functools.lru_cache(maxsize=2)
def _day_label(days_since_epoch: int) -> str:
    """Every request asks for its UTC day; the label changes once a day."""
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(days=days_since_epoch)).strftime("%Y-%m-%d")


class UsageRecorder:
    def __init__(
        self,
        registry: registry_service_pb2_grpc.RegistryServiceStub,
        spool: UsageSpool,
        *,
        flush_interval_s: float = 2.0,
        today: Callable[[], str] = _today,
    ) -> None:
        self._registry = registry
        self._spool = spool
        self._flush_interval_s = flush_interval_s
        self._today = today
        self._counts: defaultdict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        self._key_uses: dict[str, datetime] = {}
        """API key id → when it last admitted a request; bounded by the keys the catalog holds."""
        self._chat_tokens: defaultdict[tuple[str, str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        """(api id, day, key id, project) → [requests, prompt tokens, completion tokens]."""
        self._task: asyncio.Task | None = None
        self._flushing = asyncio.Lock()

    def count(self, api_id: str, http_status: int) -> None:
        status_class = _CLASSES.get(http_status // 100)
        if status_class is not None:
            self._counts[(api_id, self._today())][status_class] += 1

    def count_chat_tokens(self, api_id: str, key_id: str, project: str, prompt: int, completion: int) -> None:
        """One chat request that reached the engine, with the tokens it used (its prompt, and what
        was generated, also when the client left before the end)."""
        counted = self._chat_tokens[(api_id, self._today(), key_id, project)]
        counted[0] += 1
        counted[1] += prompt
        counted[2] += completion

    def key_used(self, key_id: str, at: datetime) -> None:
        self._key_uses[key_id] = at

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
        """Send what was counted since the last flush, then what the spool holds."""
        async with self._flushing:
            if self._counts or self._key_uses or self._chat_tokens:
                taken, self._counts = self._counts, defaultdict(lambda: [0, 0, 0])
                keys_taken, self._key_uses = self._key_uses, {}
                tokens_taken, self._chat_tokens = self._chat_tokens, defaultdict(lambda: [0, 0, 0])
                batch = registry_service_pb2.RecordUsageRequest(
                    flush_id=str(uuid.uuid4()),
                    increments=[
                        apis_pb2.DailyUsage(api_id=api_id, day=day, count_2xx=c2, count_4xx=c4, count_5xx=c5)
                        for (api_id, day), (c2, c4, c5) in taken.items()
                    ],
                    key_uses=[_key_use(key_id, used_at) for key_id, used_at in keys_taken.items()],
                    chat_tokens=[
                        apis_pb2.ChatTokenUsage(
                            api_id=api_id,
                            day=day,
                            key_id=key_id,
                            project=project,
                            requests=requests,
                            prompt_tokens=prompt,
                            completion_tokens=completion,
                        )
                        for (api_id, day, key_id, project), (requests, prompt, completion) in tokens_taken.items()
                    ],
                )
                if not await self._send(batch) and not await self._spooled(batch):
                    self._keep_in_memory(taken, keys_taken, tokens_taken)
            for path, batch in await asyncio.to_thread(self._spool.pending, REPLAY_BATCHES_PER_FLUSH):
                if not await self._send(batch):
                    break
                await asyncio.to_thread(self._spool.done, path)

    async def _send(self, batch: registry_service_pb2.RecordUsageRequest) -> bool:
        try:
            await self._registry.RecordUsage(batch)
        except grpc.aio.AioRpcError as error:
            log.warning(
                "usage_flush_failed", code=error.code().name, apis=len(batch.increments), flush_id=batch.flush_id
            )
            return False
        return True

    async def _spooled(self, batch: registry_service_pb2.RecordUsageRequest) -> bool:
        try:
            return await asyncio.to_thread(self._spool.keep, batch)
        except OSError as error:
            log.error("usage_spool_write_failed", error=repr(error), flush_id=batch.flush_id)
            return False

    def _keep_in_memory(
        self,
        taken: dict[tuple[str, str], list[int]],
        keys_taken: dict[str, datetime],
        tokens_taken: dict[tuple[str, str, str, str], list[int]],
    ) -> None:
        # Only when the spool cannot take the batch; counts stay bounded by APIs × keys × days.
        for key, counts in taken.items():
            _add_to(self._counts[key], counts)
        for token_key, tokens in tokens_taken.items():
            _add_to(self._chat_tokens[token_key], tokens)
        for key_id, used_at in keys_taken.items():
            self._key_uses.setdefault(key_id, used_at)  # a use counted since is the later one


def _add_to(kept: list[int], counts: list[int]) -> None:
    for index, value in enumerate(counts):
        kept[index] += value


def _key_use(key_id: str, used_at: datetime) -> registry_service_pb2.ApiKeyUse:
    stamp = Timestamp()
    stamp.FromDatetime(used_at)
    return registry_service_pb2.ApiKeyUse(key_id=key_id, used_at=stamp)
