"""The embedded PostgreSQL (pgserver) that the launcher runs when no DATABASE_URL is given.

pgserver starts `postgres` through `pg_ctl`, which detaches it into its own session, so it is not
a child the launcher could signal: stop() asks pg_ctl to stop it and checks that it did.
"""

from __future__ import annotations

import asyncio
import json
import warnings
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from services.runtime.logging import get_logger

if TYPE_CHECKING:
    from pgserver import PostgresServer

log = get_logger("embedded_postgres")

DATABASE = "torii"


class EmbeddedPostgres:
    def __init__(self, pgdata: Path) -> None:
        self._pgdata = pgdata
        self._server: PostgresServer | None = None
        self._starting: asyncio.Future[str] | None = None

    async def start(self) -> str:
        """Start (or adopt) the server, create the `torii` database if needed, and return its DSN."""
        # A thread, because pgserver blocks; kept so stop() can wait for a start a signal interrupted.
        self._starting = asyncio.ensure_future(asyncio.to_thread(self._start_blocking))
        admin_dsn = await asyncio.shield(self._starting)
        await _create_database(admin_dsn, DATABASE)
        return urlunsplit(urlsplit(admin_dsn)._replace(path=f"/{DATABASE}"))

    @property
    def running(self) -> bool:
        return self._server is not None and _is_alive(self._server.get_pid())

    async def restart(self) -> None:
        """Start the server again after it exited (a crash, a kill): same data folder and socket, so
        the DSN the services hold stays valid."""
        if self._server is None:
            raise RuntimeError("the embedded PostgreSQL was never started")
        await asyncio.to_thread(self._server.ensure_postgres_running)
        log.info("embedded_postgres_restarted", pid=self._server.get_pid())

    async def stop(self) -> None:
        if self._starting is not None:
            await asyncio.gather(self._starting, return_exceptions=True)
        if self._server is not None:
            await asyncio.to_thread(self._stop_blocking, self._server)
            self._server = None

    def _start_blocking(self) -> str:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (root, containers) and falls back to /tmp.
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
            import pgserver  # only needed when no DATABASE_URL is given

        self._pgdata.mkdir(parents=True, exist_ok=True)
        _forget_dead_handles(self._pgdata)
        self._server = server = pgserver.get_server(self._pgdata, cleanup_mode="stop")
        log.info("embedded_postgres_started", pgdata=str(self._pgdata), pid=server.get_pid())
        return server.get_uri()

    def _stop_blocking(self, server: PostgresServer) -> None:
        pid = server.get_pid()
        server.cleanup()
        if _is_alive(pid):
            log.error("embedded_postgres_still_running", pid=pid, pgdata=str(self._pgdata))
        else:
            log.info("embedded_postgres_stopped", pid=pid)


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop the ids of dead processes from pgserver's list of the server's users.

    pgserver stops the server only when the last process in `.handle_pids.json` lets go of it; a
    launcher that was killed (SIGKILL, power loss) stays in that list for good, and every later
    launcher would then leave PostgreSQL running when it stops.
    """
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    alive = [pid for pid in json.loads(handles.read_text()) if _is_alive(pid)]
    handles.write_text(json.dumps(alive))


def _is_alive(pid: int | None) -> bool:
    """Whether the process runs; a zombie (exited, not yet reaped) counts as stopped."""
    if pid is None:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


async def _create_database(admin_dsn: str, name: str) -> None:
    connection = await asyncpg.connect(admin_dsn, timeout=10)
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await connection.execute(f'CREATE DATABASE "{name}"')
            log.info("database_created", database=name)
    finally:
        await connection.close()
