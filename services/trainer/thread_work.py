"""Blocking work (reading and checking uploads) in threads, a bounded number at once.

A thread cannot be stopped: when its caller is cancelled (the client went away) the thread runs
on, so it keeps its slot until it really ends, and what it produced is handed to `abandoned`
for cleaning up instead of being lost with nobody to remove it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class ThreadWork:
    def __init__(self, limit: int) -> None:
        self._slots = asyncio.Semaphore(limit)

    async def run(self, function: Callable[..., T], *args, abandoned: Callable[[T], None] | None = None) -> T:
        await self._slots.acquire()
        work = asyncio.ensure_future(asyncio.to_thread(function, *args))
        work.add_done_callback(lambda _: self._slots.release())
        try:
            return await asyncio.shield(work)
        except asyncio.CancelledError:
            work.add_done_callback(lambda done: _hand_over(done, abandoned))
            raise


def _hand_over(done: asyncio.Future, abandoned: Callable | None) -> None:
    """The result of work nobody waits for any more to `abandoned`; its error is dropped (the
    caller was cancelled and answers nothing)."""
    if done.cancelled() or done.exception() is not None:
        return
    if abandoned is not None:
        abandoned(done.result())
