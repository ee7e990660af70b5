"""Keeps the local tritonserver running: restarted with backoff whenever it exits."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from services.runtime.logging import get_logger
from services.runtime.tasks import cancel_and_wait
from services.scheduler.triton.local_server import LocalTriton, TritonStartError

log = get_logger("triton_supervisor")

FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 10.0


class TritonSupervisor:
    def __init__(
        self,
        triton: LocalTriton,
        *,
        on_exit: Callable[[str], Awaitable[None]],
        on_ready: Callable[[], None],
        ready_timeout_s: float = 60.0,
    ) -> None:
        self.triton = triton
        self.restarts = 0
        self._on_exit = on_exit
        self._on_ready = on_ready
        self._ready_timeout_s = ready_timeout_s
        self._task: asyncio.Task | None = None

    async def start(self) -> str:
        """Start Triton once (a failure here is the caller's to report) and watch it from then on."""
        address = await self.triton.start(self._ready_timeout_s)
        self._task = asyncio.create_task(self._watch(), name="triton-supervisor")
        return address

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        await self.triton.stop()

    async def _watch(self) -> None:
        backoff = FIRST_BACKOFF_S
        while True:
            code = await self.triton.wait()
            reason = f"Triton exited unexpectedly (exit status {code})"
            log.error("triton_exited", code=code, log=str(self.triton.log_path))
            await self._on_exit(reason)
            while True:
                await asyncio.sleep(backoff)
                try:
                    await self.triton.start(self._ready_timeout_s)
                except TritonStartError as error:
                    log.error("triton_restart_failed", error=str(error)[-2000:])
                    backoff = min(backoff * 2, MAX_BACKOFF_S)
                    continue
                break
            self.restarts += 1
            backoff = FIRST_BACKOFF_S
            log.info("triton_restarted", restarts=self.restarts)
            self._on_ready()
