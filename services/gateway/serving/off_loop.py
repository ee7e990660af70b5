"""Blocking work of an inference request (parsing a large body, decoding files) in a thread or a
worker process, within the gateway's shared bound on such work (InferenceRuntime.decoding)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TypeVar

from services.gateway.serving.decoder_processes import WorkerLost
from services.gateway.serving.inference_runtime import InferenceRuntime
from services.gateway.serving.refusals import Refusal, Refused

T = TypeVar("T")

BUSY_DECODING = "the gateway is busy decoding other requests"


async def off_the_loop(
    runtime: InferenceRuntime, wait_s: float, fn: Callable[..., T], /, *args: object, **kwargs: object
) -> T:
    """fn(*args, **kwargs) in a thread once a slot is free; Refused (BACKEND_UNAVAILABLE), each
    contract's "retry later", when none frees within `wait_s` seconds (the call's time limit)."""
    work = runtime.decoding
    if not await work.acquire(wait_s):
        raise Refused(Refusal.BACKEND_UNAVAILABLE, BUSY_DECODING)
    return await work.run_holding(fn, *args, **kwargs)


async def in_worker_process(runtime: InferenceRuntime, wait_s: float, fn: Callable[..., T], /, *args: object) -> T:
    """fn(*args) in one of the gateway's worker processes (DecoderProcesses) once a slot is free,
    for work that would hold the GIL long enough to slow every other request; refusals as
    off_the_loop's. The slot stays taken until the process is done, even for a caller gone."""
    work = runtime.decoding
    if not await work.acquire(wait_s):
        raise Refused(Refusal.BACKEND_UNAVAILABLE, BUSY_DECODING)
    try:
        task = asyncio.ensure_future(runtime.decoder_processes.run(fn, *args))
    except BaseException:
        work.release()
        raise

    def release_slot(done: asyncio.Future[T]) -> None:
        work.release()
        if not done.cancelled():
            done.exception()  # read, so that asyncio does not log the error of a caller gone

    task.add_done_callback(release_slot)
    try:
        return await asyncio.shield(task)
    except WorkerLost:
        raise Refused(Refusal.BACKEND_UNAVAILABLE, "a decoding process stopped; retry") from None
