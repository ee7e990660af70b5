"""Triton dies in the middle of a chat stream: the stream ends with an error event, and once the
scheduler has restarted Triton and reloaded the model, the next request is answered."""

from __future__ import annotations

import json
import os
import signal

from services.scheduler.app import SchedulerApp
from services.scheduler.settings import SchedulerSettings
from tests.e2e.chat_platform import HELLO, SCHEDULER, upload_gguf
from tests.e2e.conftest import Clock, Platform
from tests.e2e.test_triton_restart import free_port
from tests.gateway.helpers import create_api
from tests.polling import eventually


async def test_a_stream_cut_by_triton_ends_with_an_error_event_and_the_next_request_is_answered(
    registry, start_gateway, tmp_path
):
    address = f"127.0.0.1:{free_port()}"
    scheduler = SchedulerApp(
        SchedulerSettings(
            data_dir=tmp_path / "scheduler",
            artifact_root=tmp_path,
            registry_address=registry.address,
            scheduler_port=0,
            triton_mode="local",
            triton_addresses=[address],
            reconcile_interval_s=0.2,
            **SCHEDULER,
        )
    )
    await scheduler.start()
    try:
        gateway = await start_gateway(triton_addresses=[address], usage_flush_interval_s=0.2)
        platform = Platform(gateway, scheduler, Clock(), address, 0.2)
        uploaded = await upload_gguf(platform)
        created = await create_api(
            gateway, uploaded["version"]["model_version_id"], execution_type="dedicated", chat_model_id="acme/restart"
        )
        await platform.wait_for_status(created["api"]["api_id"], "running", timeout_s=120)
        headers = {"Authorization": f"Bearer {created['api_key']}"}
        long = {
            "model": "acme/restart",
            "messages": [{"role": "user", "content": "Write a very long story about a dragon."}],
            "max_tokens": 400,
            "stream": True,
        }

        response = await platform.client.post("/v1/chat/completions", json=long, headers=headers)
        assert response.status == 200
        assert (await response.content.readline()).startswith(b"data: ")
        killed = scheduler.triton_supervisor.triton.pid
        assert killed is not None and _group(killed), "Triton's model processes run in its process group"
        os.kill(killed, signal.SIGKILL)
        events = [event for event in (await response.read()).decode().split("\n\n") if event]
        assert events[-1].startswith("data: {") and "[DONE]" not in events[-1], events[-3:]
        error = json.loads(events[-1].removeprefix("data: "))["error"]
        assert set(error) == {"message", "type", "param", "code"}
        assert "Triton" not in error["message"] and "grpc" not in error["message"].lower()

        short = {"model": "acme/restart", "messages": HELLO, "max_tokens": 2}

        async def answered() -> int:
            again = await platform.client.post("/v1/chat/completions", json=short, headers=headers)
            await again.read()
            return again.status

        await eventually(answered, lambda status: status == 200, timeout_s=120, interval_s=0.5, what="an answer")
        # The killed Triton's Python-backend stub (llama.cpp with the model loaded) went with it.
        await eventually(lambda: _group(killed), lambda left: left == [], what="the old stub processes gone")
    finally:
        await scheduler.stop()


def _group(pgid: int) -> list[int]:
    """The live processes of a process group (zombies excepted), from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command's closing parenthesis: state, ppid, pgrp.
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry))
    return members
