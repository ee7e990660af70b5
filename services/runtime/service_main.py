"""Run a service until SIGTERM or SIGINT, then stop it gracefully."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from typing import Protocol

from services.runtime.logging import configure_logging, get_logger
from services.runtime.settings import CommonSettings

log = get_logger("service")


class Service(Protocol):
    async def start(self) -> object: ...

    async def stop(self) -> None: ...


async def run_until_signalled(start: Callable[[], Awaitable[object]], stop: Callable[[], Awaitable[None]]) -> None:
    """Await start(), wait for SIGTERM/SIGINT, then await stop(), whose grace drains in-flight calls."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    try:
        await start()
        await stopping.wait()
        log.info("shutdown_requested")
    finally:
        await stop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)


def run_service(
    name: str,
    settings: CommonSettings,
    make_service: Callable[[], Service],
    *,
    loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = None,
) -> None:
    """A service process's main: JSON logs, then the service until a signal stops it.
    loop_factory: the event loop to run on (None: asyncio's own)."""
    configure_logging(name, settings.log_level)

    async def main() -> None:
        service = make_service()
        await run_until_signalled(service.start, service.stop)

    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(main())
