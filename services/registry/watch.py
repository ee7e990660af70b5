"""Fan-out of API changes from PostgreSQL's LISTEN/NOTIFY to every open watch stream.

Triggers (migration 001) notify `torii_api_changed` with the API's id on any change to it, its
rules or its keys, from any registry replica. One listening connection serves all streams.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import asyncpg

from services.runtime.logging import get_logger

log = get_logger("watch")

CHANNEL = "torii_api_changed"
# Put on every queue when the listening connection is lost: the streams end and clients re-watch.
CONNECTION_LOST = object()


class ApiChangeHub:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        self._connection: asyncpg.Connection | None = None
        self._queues: set[asyncio.Queue] = set()

    async def start(self) -> None:
        self._connection = await asyncpg.connect(self._dsn)
        await self._connection.add_listener(CHANNEL, self._on_notify)
        self._connection.add_termination_listener(self._on_lost)

    async def stop(self) -> None:
        self._broadcast(CONNECTION_LOST)
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close(timeout=5)

    def _broadcast(self, item) -> None:
        for queue in self._queues:
            queue.put_nowait(item)

    def _on_notify(self, _connection, _pid, _channel, payload: str) -> None:
        self._broadcast(payload)

    def _on_lost(self, _connection) -> None:
        if self._connection is not None:
            log.warning("watch_connection_lost")
            self._broadcast(CONNECTION_LOST)

    @asynccontextmanager
    async def subscribe(self):
        """A queue of changed API ids (or CONNECTION_LOST), live from the moment this is entered."""
        queue: asyncio.Queue = asyncio.Queue()
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)


def drain(queue: asyncio.Queue, first) -> tuple[list[str], bool]:
    """first plus whatever else is queued, each id once and in order; and whether the connection was lost."""
    ids: dict[str, None] = {}
    lost = False
    item = first
    while True:
        if item is CONNECTION_LOST:
            lost = True
        else:
            ids[item] = None
        if queue.empty():
            return list(ids), lost
        item = queue.get_nowait()
