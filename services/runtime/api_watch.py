"""A live in-memory copy of every published API, kept by the registry's WatchApis stream.

The gateway routes requests from it and the scheduler reconciles from it. A broken stream is
watched again after a short delay; the last known state stays in place meanwhile, so the
gateway keeps serving while the registry restarts. Each fresh snapshot replaces that state, and
APIs deleted while the stream was down are reported as deleted.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import grpc

from services.runtime.logging import get_logger
from services.runtime.tasks import cancel_and_wait
from torii.v1 import apis_pb2, registry_service_pb2, registry_service_pb2_grpc

log = get_logger("api_watch")


@dataclass(frozen=True)
class WatchedApi:
    api: apis_pb2.PublishedApi
    keys: tuple[apis_pb2.ApiKeyDigest, ...]


OnChange = Callable[[str, WatchedApi | None], None]
"""Called with an API's id and its new state, or None once it is deleted. Must not block."""


class ApiWatcher:
    def __init__(
        self,
        stub: registry_service_pb2_grpc.RegistryServiceStub,
        on_change: OnChange,
        *,
        retry_delay_s: float = 0.5,
    ) -> None:
        self.apis: dict[str, WatchedApi] = {}
        self.synced = asyncio.Event()
        """Set once the first snapshot has arrived in full."""
        self.failed = asyncio.Event()
        """Set once a watch has failed (the registry down, or its database)."""
        self._stub = stub
        self._on_change = on_change
        self._retry_delay_s = retry_delay_s
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="api-watch")

    def seed(self, apis: dict[str, WatchedApi]) -> None:
        """Serve a state kept elsewhere (the gateway's disk) until the first snapshot replaces it;
        `synced` stays unset until then."""
        if not self.synced.is_set():
            self._replace_all(apis)

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._watch_once()
                log.info("api_watch_ended")
            except grpc.aio.AioRpcError as error:
                log.warning("api_watch_broken", code=error.code().name, details=error.details())
                self.failed.set()
            except Exception:  # keep watching; the traceback is logged
                log.exception("api_watch_crashed")
                self.failed.set()
            await asyncio.sleep(self._retry_delay_s)

    async def _watch_once(self) -> None:
        snapshot: dict[str, WatchedApi] | None = {}
        async for event in self._stub.WatchApis(registry_service_pb2.WatchApisRequest()):
            if event.type == registry_service_pb2.WATCH_EVENT_TYPE_SYNCED:
                self._replace_all(snapshot or {})
                snapshot = None
                self.synced.set()
                continue
            item = (
                WatchedApi(event.api, tuple(event.keys))
                if event.type == registry_service_pb2.WATCH_EVENT_TYPE_UPSERTED
                else None
            )
            if snapshot is not None:
                if item is not None:
                    snapshot[event.api_id] = item
            else:
                self._apply(event.api_id, item)

    def _replace_all(self, snapshot: dict[str, WatchedApi]) -> None:
        for api_id in set(self.apis) - set(snapshot):
            self._apply(api_id, None)
        for api_id, item in snapshot.items():
            if self.apis.get(api_id) != item:
                self._apply(api_id, item)

    def _apply(self, api_id: str, item: WatchedApi | None) -> None:
        if item is None:
            if self.apis.pop(api_id, None) is None:
                return
        else:
            self.apis[api_id] = item
        try:
            self._on_change(api_id, item)
        except Exception:  # one bad consumer call must not stop the feed
            log.exception("api_watch_consumer_failed", api_id=api_id)
