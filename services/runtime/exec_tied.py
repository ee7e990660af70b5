"""`python -m services.runtime.exec_tied PARENT_PID PROGRAM [ARG ...]`: become PROGRAM, tied to PARENT_PID.

On Linux the kernel sends the program SIGKILL when its parent dies, even by SIGKILL, so nothing
started this way outlives the process that started it. The flag survives exec.

Why a separate process rather than subprocess's preexec_fn: preexec_fn runs Python between fork
and exec, which is unsafe in a process with threads (gRPC has several) and was seen to crash the
child with a segmentation fault.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def exec_tied(parent_pid: int, argv: list[str], death_signal: int = signal.SIGKILL) -> None:
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, death_signal)
        if os.getppid() != parent_pid:  # the parent died before the flag was set
            sys.exit(1)
    os.execv(argv[0], argv)


def tied_command(argv: list[str]) -> list[str]:
    """The command line that runs argv tied to this process."""
    return [sys.executable, "-m", "services.runtime.exec_tied", str(os.getpid()), *argv]


if __name__ == "__main__":
    exec_tied(int(sys.argv[1]), sys.argv[2:])
