"""BoundedWork: blocking work in threads, at most `slots` at once, slots kept until threads end."""

from __future__ import annotations

import asyncio
import threading

import pytest

from services.gateway.serving.bounded_work import BoundedWork
from services.runtime.logging import request_id_var
from tests.polling import eventually


async def test_past_the_bound_a_caller_waits_and_gives_up_after_its_wait():
    work = BoundedWork(2)
    gate = threading.Event()
    try:
        running = [asyncio.create_task(_run(work, gate.wait)) for _ in range(2)]
        await eventually(lambda: work.in_use, lambda in_use: in_use == 2, what="both callers to hold a slot")
        assert not await work.acquire(0.1)
    finally:
        gate.set()  # never leave a thread behind, even when the assertion fails
    await asyncio.gather(*running)
    assert await work.acquire(0.1)
    work.release()


async def test_never_more_threads_than_slots():
    work = BoundedWork(2)
    lock, busy, most = threading.Lock(), [0], [0]

    def job() -> None:
        with lock:
            busy[0] += 1
            most[0] = max(most[0], busy[0])
        threading.Event().wait(0.02)
        with lock:
            busy[0] -= 1

    await asyncio.gather(*(_run(work, job) for _ in range(8)))
    assert most[0] == 2


async def test_a_cancelled_caller_keeps_its_slot_until_its_thread_ends():
    work = BoundedWork(1)
    gate = threading.Event()
    try:
        caller = asyncio.create_task(_run(work, gate.wait))
        # A caller that holds its slot has handed its work to a thread in the same step.
        await eventually(lambda: work.in_use, lambda in_use: in_use == 1, what="the caller to hold its slot")
        caller.cancel()
        with pytest.raises(asyncio.CancelledError):
            await caller
        assert not await work.acquire(0.1), "the thread still runs: its slot must stay taken"
    finally:
        gate.set()
    assert await work.acquire(1.0)
    work.release()


async def test_errors_reach_the_caller_and_free_the_slot():
    work = BoundedWork(1)

    def fail() -> None:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        await _run(work, fail)
    assert await work.acquire(0.1)
    work.release()


async def test_the_callers_context_goes_along():
    work = BoundedWork(1)
    token = request_id_var.set("req-7")
    try:
        assert await _run(work, request_id_var.get) == "req-7"
    finally:
        request_id_var.reset(token)


async def _run(work: BoundedWork, fn):
    assert await work.acquire(None)
    return await work.run_holding(fn)
