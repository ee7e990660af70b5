"""Blocking work of inference requests (parsing large bodies, decoding files) run in threads,
a bounded number at once, shared by every request of the gateway application.

The bound is what keeps one client's burst of heavy requests from taking every core and all
the memory: the rest wait for a slot, within their own time limit, and are refused past it.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def cpu_count() -> int:
    """The cores this process may run on (a container's share, not the host's)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class BoundedWork:
    """At most `slots` holders at once; work runs in the loop's default thread pool.

    A slot whose work started in a thread stays taken until that thread ends, even when the
    request that started it is cancelled (client gone, time limit): a thread cannot be stopped,
    so freeing its slot early would let more threads run than the bound says.
    """

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError("slots must be at least 1")
        self.slots = slots
        self.in_use = 0
        self._free = asyncio.Semaphore(slots)

    async def acquire(self, wait_s: float | None) -> bool:
        """Take a slot, waiting at most `wait_s` seconds (None: as long as it takes); False if none came."""
        try:
            async with asyncio.timeout(wait_s):
                await self._free.acquire()
        except TimeoutError:
            return False
        self.in_use += 1
        return True

    def release(self) -> None:
        self.in_use -= 1
        self._free.release()

    async def run_holding(self, fn: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        """fn(*args, **kwargs) in a thread, for a caller holding a slot, which this gives back
        when the thread ends. The caller's context (the request id of log lines) goes along."""
        call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
        try:
            future = asyncio.get_running_loop().run_in_executor(None, call)
        except BaseException:
            self.release()
            raise
        future.add_done_callback(self._finished)
        # shield: cancelling the caller must not cancel `future`, whose end frees the slot.
        return await asyncio.shield(future)

    def _finished(self, future: asyncio.Future) -> None:
        self.release()
        if not future.cancelled():
            future.exception()  # read, so that a caller that went away leaves no "never retrieved" log
