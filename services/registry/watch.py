"""Fan-out of changes from PostgreSQL's LISTEN/NOTIFY to every open watch stream.

Triggers notify a channel with the changed row's id, from any registry replica: migration 001
`torii_api_changed` on any change to an API, its rules or its keys; migration 015
`torii_workspace_changed` when a workspace is created, reconfigured or deleted. One listening
connection per channel serves all its streams.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import asyncpg

from services.runtime.logging import get_logger

log = get_logger("watch")

API_CHANNEL = "torii_api_changed"
WORKSPACE_CHANNEL = "torii_workspace_changed"
# Put on every queue when the listening connection is lost: the streams end and clients re-watch.
CONNECTION_LOST = object()


class ChangeHub:
    def __init__(self, dsn: str, channel: str, reconnect_delay_s: float = 1.0) -> None:
        self._dsn = dsn
        self._channel = channel
        self._reconnect_delay_s = reconnect_delay_s
        self._connection: asyncpg.Connection | None = None
        self._queues: set[asyncio.Queue] = set()
        self._reconnecting: asyncio.Task | None = None
        self._stopping = False

    async def start(self) -> None:
        connection = await asyncpg.connect(self._dsn)
        await connection.add_listener(self._channel, self._on_notify)
        connection.add_termination_listener(self._on_lost)
        self._connection = connection

    async def stop(self) -> None:
        self._stopping = True
        if self._reconnecting is not None:
            self._reconnecting.cancel()
        self._broadcast(CONNECTION_LOST)
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close(timeout=5)

    @property
    def listening(self) -> bool:
        return self._connection is not None and not self._connection.is_closed()

    def _broadcast(self, item) -> None:
        for queue in self._queues:
            queue.put_nowait(item)

    def _on_notify(self, _connection, _pid, _channel, payload: str) -> None:
        self._broadcast(payload)

    def _on_lost(self, _connection) -> None:
        """Streams end (their clients watch again and get a fresh snapshot); the hub reconnects."""
        if self._stopping:
            return
        log.warning("watch_connection_lost", channel=self._channel)
        self._connection = None
        self._broadcast(CONNECTION_LOST)
        if self._reconnecting is None or self._reconnecting.done():
            self._reconnecting = asyncio.get_running_loop().create_task(self._reconnect())

    async def _reconnect(self) -> None:
        while not self._stopping:
            await asyncio.sleep(self._reconnect_delay_s)
            try:
                await self.start()
                log.info("watch_connection_restored")
                return
            except (OSError, asyncpg.PostgresError) as error:
                log.warning("watch_reconnect_failed", error=str(error))

    @asynccontextmanager
    async def subscribe(self):
        """A queue of changed ids (or CONNECTION_LOST), live from the moment this is entered."""
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
