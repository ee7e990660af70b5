"""`python -m deploy.exec_child LAUNCHER_PID MODULE`: become `python -m MODULE`, tied to the launcher.

On Linux the kernel sends the service SIGTERM when the launcher dies, even by SIGKILL, so no
service outlives a launcher that had no chance to stop it. The flag survives exec.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1


def main() -> None:
    launcher_pid, module = int(sys.argv[1]), sys.argv[2]
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != launcher_pid:  # the launcher died before the flag was set
            sys.exit(1)
    os.execv(sys.executable, [sys.executable, "-m", module])


if __name__ == "__main__":
    main()
