"""One way for a test to wait for something that happens in another task, process or service:
ask again until the answer is the one wanted, and fail with the last answer seen."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T] | T],
    accept: Callable[[T], bool] = bool,
    *,
    timeout_s: float = 10.0,
    interval_s: float = 0.05,
    what: str = "the condition",
) -> T:
    """The first answer of `probe()` that `accept` takes; AssertionError after `timeout_s`."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        answer = probe()
        if inspect.isawaitable(answer):
            answer = await answer
        if accept(answer):
            return answer
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{what} did not hold within {timeout_s} s; last seen: {answer!r}")
        await asyncio.sleep(interval_s)


def eventually_blocking(
    probe: Callable[[], T],
    accept: Callable[[T], bool] = bool,
    *,
    timeout_s: float = 10.0,
    interval_s: float = 0.05,
    what: str = "the condition",
) -> T:
    """`eventually` for a test without an event loop (a launcher's subprocess, a thread)."""
    deadline = time.monotonic() + timeout_s
    while True:
        answer = probe()
        if accept(answer):
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not hold within {timeout_s} s; last seen: {answer!r}")
        time.sleep(interval_s)
