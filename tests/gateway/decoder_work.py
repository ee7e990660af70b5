"""Functions the decoder-process tests send to a worker process (they must be importable there)."""

from __future__ import annotations

import os


def pid_and_square(value: int) -> tuple[int, int]:
    return os.getpid(), value * value


def die() -> None:
    os._exit(3)  # what the kernel's OOM killer does to a worker, as far as the pool can tell
