"""Supervised child processes: start, restart with backoff, stop with SIGTERM then SIGKILL.

Each child's stdout and stderr go to <logs_dir>/<name>.log, appended across restarts; the
previous launcher run's file is kept as <name>.log.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from services.runtime.logging import get_logger

log = get_logger("supervisor")

FIRST_BACKOFF_S = 0.5
MAX_BACKOFF_S = 10.0
STABLE_AFTER_S = 30.0
"""A child that ran this long before it exited is restarted after FIRST_BACKOFF_S again."""
RESTART_WINDOW_S = 60.0


@dataclass(frozen=True)
class ChildSpec:
    name: str
    module: str
    """Run as `python -m <module>` with the launcher's interpreter."""
    env: Mapping[str, str]


class Child:
    """One service process, restarted whenever it exits until stop() is called."""

    def __init__(self, spec: ChildSpec, log_path: Path, max_restarts_per_minute: int, stop_timeout_s: float) -> None:
        self.spec = spec
        self.log_path = log_path
        self.process: asyncio.subprocess.Process | None = None
        self._max_restarts = max_restarts_per_minute
        self._stop_timeout_s = stop_timeout_s
        self._restarts: deque[float] = deque()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._supervise(), name=f"supervise-{self.spec.name}")

    async def stop(self) -> None:
        """Stop restarting; SIGTERM the process, and SIGKILL it if it is still there after stop_timeout_s."""
        self._stopping.set()
        if self._task is not None:
            await self._task

    def kill(self) -> None:
        """Stop restarting and SIGKILL the process now."""
        self._stopping.set()
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()

    def log_tail(self, lines: int = 20) -> str:
        try:
            with self.log_path.open("rb") as file:
                file.seek(max(0, file.seek(0, os.SEEK_END) - 8192))
                text = file.read().decode("utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    async def _supervise(self) -> None:
        loop = asyncio.get_running_loop()
        backoff = FIRST_BACKOFF_S
        while True:
            started = loop.time()
            self.process = process = await self._spawn()
            exited = asyncio.ensure_future(process.wait())
            stopping = asyncio.ensure_future(self._stopping.wait())
            await asyncio.wait({exited, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if self._stopping.is_set():
                await self._terminate(process, exited)
                return
            stopping.cancel()
            log.warning(
                "child_exited",
                child=self.spec.name,
                pid=process.pid,
                code=process.returncode,
                log=str(self.log_path),
                log_tail=self.log_tail(5),
            )
            if loop.time() - started >= STABLE_AFTER_S:
                backoff = FIRST_BACKOFF_S
            delay = max(backoff, self._throttle_delay(loop.time()))
            backoff = min(backoff * 2, MAX_BACKOFF_S)
            try:
                await asyncio.wait_for(self._stopping.wait(), delay)
                return
            except TimeoutError:
                self._restarts.append(loop.time())
                log.info("child_restarting", child=self.spec.name, after_s=round(delay, 2))

    def _throttle_delay(self, now: float) -> float:
        """Seconds until one more restart keeps within max_restarts_per_minute."""
        while self._restarts and now - self._restarts[0] >= RESTART_WINDOW_S:
            self._restarts.popleft()
        if len(self._restarts) < self._max_restarts:
            return 0.0
        delay = self._restarts[0] + RESTART_WINDOW_S - now
        log.warning("child_restart_throttled", child=self.spec.name, wait_s=round(delay, 1))
        return delay

    async def _spawn(self) -> asyncio.subprocess.Process:
        with self.log_path.open("ab") as log_file:
            log_file.write(f"--- {time.strftime('%Y-%m-%dT%H:%M:%S%z')} launcher starts {self.spec.module}\n".encode())
            log_file.flush()
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "deploy.exec_child",
                str(os.getpid()),
                self.spec.module,
                env=dict(self.spec.env),
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                # Its own process group: a Ctrl-C in the terminal reaches only the launcher, which
                # then stops the children in order.
                process_group=0,
            )
        log.info("child_started", child=self.spec.name, pid=process.pid, log=str(self.log_path))
        return process

    async def _terminate(self, process: asyncio.subprocess.Process, exited: asyncio.Future[int]) -> None:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(asyncio.shield(exited), self._stop_timeout_s)
        except TimeoutError:
            log.warning("child_killed", child=self.spec.name, pid=process.pid, after_s=self._stop_timeout_s)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await exited
        log.info("child_stopped", child=self.spec.name, pid=process.pid, code=process.returncode)


class Supervisor:
    """Starts every child at once; stops them tier by tier, so dependents go before what they use."""

    def __init__(
        self, specs: Sequence[ChildSpec], logs_dir: Path, max_restarts_per_minute: int, stop_timeout_s: float
    ) -> None:
        logs_dir.mkdir(parents=True, exist_ok=True)
        for spec in specs:  # keep the previous run's log, one generation deep
            log_path = logs_dir / f"{spec.name}.log"
            if log_path.exists():
                log_path.replace(log_path.with_suffix(".log.1"))
        self.children = {
            spec.name: Child(spec, logs_dir / f"{spec.name}.log", max_restarts_per_minute, stop_timeout_s)
            for spec in specs
        }

    def start(self) -> None:
        for child in self.children.values():
            child.start()

    async def stop(self, tiers: Iterable[Iterable[str]]) -> None:
        """Stop each tier's children together, one tier after another."""
        for tier in tiers:
            names = list(tier)
            results = await asyncio.gather(*(self.children[name].stop() for name in names), return_exceptions=True)
            for name, result in zip(names, results, strict=True):
                if isinstance(result, BaseException):
                    log.error("child_supervision_failed", child=name, exc_info=result)

    def kill(self) -> None:
        """SIGKILL every child now (a second Ctrl-C)."""
        for child in self.children.values():
            child.kill()
