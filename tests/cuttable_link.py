"""A TCP link to PostgreSQL that a test can cut and mend: a database outage without stopping the
server every other test shares (and without forking pg_ctl from a process that runs gRPC)."""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import parse_qs, urlsplit, urlunsplit


class CuttableLink:
    def __init__(self, dsn: str) -> None:
        self._dsn = dsn
        parts = urlsplit(dsn)
        socket_dir = parse_qs(parts.query).get("host", [""])[0]
        port = parts.port or 5432
        if socket_dir.startswith("/"):
            self._connect = lambda: asyncio.open_unix_connection(f"{socket_dir}/.s.PGSQL.{port}")
        else:
            self._connect = lambda: asyncio.open_connection(parts.hostname or "127.0.0.1", port)
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task] = set()
        self.port = 0

    @property
    def dsn(self) -> str:
        """The same database, reached through the link."""
        parts = urlsplit(self._dsn)
        credentials = parts.netloc.rpartition("@")[0]
        netloc = f"{credentials}@127.0.0.1:{self.port}" if credentials else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc, query="sslmode=disable"))

    async def mend(self) -> None:
        """Accept connections (again), on the same port."""
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        """Drop every open connection and refuse new ones, as a crashed or unreachable server does."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for pipe in list(self._pipes):
            pipe.cancel()
        await asyncio.gather(*self._pipes, return_exceptions=True)

    async def _relay(self, client_reader, client_writer) -> None:
        try:
            server_reader, server_writer = await self._connect()
        except OSError:
            client_writer.close()
            return
        upstream = asyncio.create_task(_pump(client_reader, server_writer))
        downstream = asyncio.create_task(_pump(server_reader, client_writer))
        self._pipes |= {upstream, downstream}
        try:
            await asyncio.wait({upstream, downstream}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pipe in (upstream, downstream):
                pipe.cancel()
                self._pipes.discard(pipe)
            for writer in (client_writer, server_writer):
                writer.close()


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
