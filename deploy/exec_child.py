"""`python -m deploy.exec_child LAUNCHER_PID MODULE`: become `python -m MODULE`, tied to the launcher.

The kernel sends the service SIGTERM when the launcher dies, even by SIGKILL, so no service
outlives a launcher that had no chance to stop it (services.runtime.exec_tied does the tying).
"""

from __future__ import annotations

import signal
import sys

from services.runtime.exec_tied import exec_tied


def main() -> None:
    launcher_pid, module = int(sys.argv[1]), sys.argv[2]
    exec_tied(launcher_pid, [sys.executable, "-m", module], death_signal=signal.SIGTERM)


if __name__ == "__main__":
    main()
