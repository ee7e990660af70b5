"""`python -m services.runtime.exec_tied PARENT_PID [--own-group] [--nice N] PROGRAM [ARG ...]`:
become PROGRAM, tied to PARENT_PID.

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


def exec_tied(
    parent_pid: int, argv: list[str], death_signal: int = signal.SIGKILL, *, own_group: bool = False, nice: int = 0
) -> None:
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, death_signal)
        if os.getppid() != parent_pid:  # the parent died before the flag was set
            sys.exit(1)
    if own_group:
        os.setpgid(0, 0)
    if nice:
        os.nice(nice)
    os.execv(argv[0], argv)


def tied_command(argv: list[str], *, own_group: bool = False, nice: int = 0) -> list[str]:
    """The command line that runs argv tied to this process. own_group: in a process group of its
    own (whose id is its pid), so whatever it starts can be stopped with it (os.killpg); nice: a
    lower CPU priority, inherited by what it starts."""
    options = [*(["--own-group"] if own_group else []), *(["--nice", str(nice)] if nice else [])]
    return [sys.executable, "-m", "services.runtime.exec_tied", str(os.getpid()), *options, *argv]


def _main(args: list[str]) -> None:
    parent_pid, rest = int(args[0]), args[1:]
    own_group, nice = False, 0
    while rest and rest[0] in ("--own-group", "--nice"):
        if rest[0] == "--own-group":
            own_group, rest = True, rest[1:]
        else:
            nice, rest = int(rest[1]), rest[2:]
    exec_tied(parent_pid, rest, own_group=own_group, nice=nice)


if __name__ == "__main__":
    _main(sys.argv[1:])
