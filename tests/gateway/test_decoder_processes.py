"""Large bodies are decoded in worker processes: another interpreter, and a lost worker costs one
request, not the gateway."""

from __future__ import annotations

import os

import pytest

from services.gateway.serving.decoder_processes import DecoderProcesses, WorkerLost
from tests.gateway.decoder_work import die, pid_and_square


async def test_work_runs_in_another_process_and_a_lost_worker_is_replaced():
    processes = DecoderProcesses(1)
    try:
        pid, square = await processes.run(pid_and_square, 12)
        assert square == 144 and pid != os.getpid()
        with pytest.raises(WorkerLost):
            await processes.run(die)
        replacement, square = await processes.run(pid_and_square, 3)
        assert square == 9 and replacement not in (pid, os.getpid())
    finally:
        processes.close()
