"""A bound on the calls one gateway process has in flight to the registry on the request path.

Without it, a few thousand concurrent requests became as many concurrent calls, the registry's
gRPC server shed those past its pending-call limit at random (CANCELLED), and their callers got
503 instead of their answer. A burst waits here for a slot instead, up to a limit.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from services.gateway.serving.refusals import Refusal, Refused


class RegistrySlots:
    def __init__(self, max_in_flight: int, wait_s: float, busy: str) -> None:
        """wait_s: longest wait for a free slot; past it the call is refused as the platform's
        failure (BACKEND_UNAVAILABLE) with `busy` as its detail."""
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self._slots = asyncio.Semaphore(max_in_flight)
        self._wait_s = wait_s
        self._busy = busy

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(self._wait_s):
                await self._slots.acquire()
        except TimeoutError:
            raise Refused(Refusal.BACKEND_UNAVAILABLE, self._busy) from None
        try:
            yield
        finally:
            self._slots.release()
