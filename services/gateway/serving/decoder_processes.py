"""Worker processes for the gateway's heaviest CPU work: parsing and decoding large inference
bodies.

Threads keep that work off the event loop but not off the interpreter: parsing a 32 MB JSON body
holds the GIL for about 0.3 s and flattening its numbers takes over a second of Python, so while
one key floods large bodies every other tenant's requests queue for the GIL (measured on 2 cores:
a neighbour's p50 went from 4 ms to 42 ms with threads). A process has an interpreter of its
own. Work reaches it as bytes and leaves it as numpy arrays, both cheap to pickle.

The processes are started on first use (spawned, not forked: the gateway runs gRPC threads), so
a gateway that never sees a large body pays nothing; a worker that dies (out of memory, killed)
breaks the pool, which is started again for the next request.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from services.runtime.logging import get_logger

log = get_logger("decoder_processes")

T = TypeVar("T")


class WorkerLost(Exception):
    """The worker process running the work died; the work did not finish."""


class DecoderProcesses:
    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.workers = workers
        self._pool: ProcessPoolExecutor | None = None

    async def run(self, fn: Callable[..., T], /, *args: object) -> T:
        """fn(*args) in a worker process; fn and args must pickle (a module-level function)."""
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"))
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)
        except BrokenProcessPool:
            log.error("decoder_process_lost", workers=self.workers)
            if self._pool is pool:
                self._pool = None
                pool.shutdown(wait=False, cancel_futures=True)
            raise WorkerLost("a decoding process died") from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
