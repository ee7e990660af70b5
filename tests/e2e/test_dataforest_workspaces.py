"""Data Forest workspaces run for real: signed requests to the gateway, the registry keeping them,
the scheduler's podman runner running them as containers (real podman), and getDetail telling
what happened: a job that echoes its env and args, reads its input and writes its output; one
killed past its memory; one whose exposed port answers; a GPU one waiting with no GPU here; and
delete removing the container."""

from __future__ import annotations

import asyncio
import subprocess

import aiohttp
import pytest

from tests.e2e.conftest import running_platform
from tests.gateway.dataforest.ncp_client import NcpClient
from tests.polling import eventually

IMAGES = {"python": ["torii-python:3.11"]}
JOB = """
import os, sys
print("MODE=" + os.environ["MODE"], "ARGS=" + ",".join(sys.argv[1:]))
text = open("/data/job/in.txt").read()
os.makedirs("/out", exist_ok=True)
open("/out/result.txt", "w").write(text.upper())
"""

pytestmark = pytest.mark.usefixtures("default_image")


@pytest.fixture
async def dataforest(registry, start_gateway, shared_triton, tmp_path):
    storage = tmp_path / "storage"
    scheduler_settings = {
        "workspace_runner": "podman",
        "dataforest_images": IMAGES,
        "workspace_storage_root": storage,
    }
    async with running_platform(
        registry, start_gateway, shared_triton, tmp_path, scheduler_settings, dataforest_images=IMAGES
    ) as platform:
        gateway = platform.gateway
        response = await gateway.client.post("/manage/v1/ncp-keys", json={}, headers=gateway.admin)
        created = await response.json()
        client = NcpClient(gateway, created["ncp_key"]["access_key"], created["secret_key"])
        client.storage = storage
        yield client


def _containers(workspace_id: str) -> list[str]:
    listed = subprocess.run(
        ["podman", "--runtime", "runc", "ps", "-a", "-q", "--filter", f"label=torii.workspace={workspace_id}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return listed.stdout.split()


async def _create(ncp, name: str, docker: dict, **configuration) -> str:
    account = (await (await ncp.post("/api/v2/accounts/getList")).json())["contents"][0]["id"]
    body = {
        "accountId": account,
        "name": name,
        "configuration": {
            "docker": {"image": "torii-python:3.11", **docker},
            "queueName": "cpu",
            "resource": {"cpuCount": 1, "memoryMb": 256},
            **configuration,
        },
    }
    response = await ncp.post("/api/v2/aiworkspaces/create", body)
    answer = await response.json()
    assert response.status == 200, answer
    return answer["id"]


async def _runtime(ncp, workspace_id: str) -> dict:
    detail = await (await ncp.post("/api/v2/aiworkspaces/getDetail", {"id": workspace_id})).json()
    return detail["runtime"]


async def _reaches(ncp, workspace_id: str, states: set[str], timeout_s: float = 60) -> dict:
    return await eventually(
        lambda: _runtime(ncp, workspace_id),
        lambda runtime: runtime["state"] in states,
        timeout_s=timeout_s,
        interval_s=0.2,
        what=f"workspace {workspace_id} to be {states}",
    )


async def test_a_job_gets_its_env_args_and_input_and_its_output_is_copied_out(dataforest):
    job_dir = dataforest.storage / "jobs" / "upper"
    job_dir.mkdir(parents=True)
    (job_dir / "job.py").write_text(JOB)
    (job_dir / "in.txt").write_text("hello workspace\n")
    workspace_id = await _create(
        dataforest,
        "upper",
        {"command": "python3 /data/job/job.py", "args": "one two", "env": {"MODE": "e2e"}, "workdir": "/data"},
        data={
            "input": [{"hdfs": "jobs/upper", "path": "/data/job"}],
            "output": [{"hdfs": "results/upper", "overwrite": False, "path": "/out"}],
        },
    )
    runtime = await _reaches(dataforest, workspace_id, {"SUCCEEDED", "FAILED"})
    assert (runtime["state"], runtime["exitCode"]) == ("SUCCEEDED", 0), runtime
    assert "MODE=e2e ARGS=one,two" in runtime["logTail"]
    assert (dataforest.storage / "results" / "upper" / "result.txt").read_text() == "HELLO WORKSPACE\n"
    listed = await (await dataforest.post("/api/v2/aiworkspaces/getList", {})).json()
    assert [item["name"] for item in listed["contents"]] == ["upper"]

    response = await dataforest.post("/api/v2/aiworkspaces/delete", {"id": workspace_id})
    assert response.status == 200
    await eventually(lambda: _containers(workspace_id), lambda found: found == [], timeout_s=30, what="removal")


async def test_a_job_past_its_memory_is_killed_and_says_so(dataforest):
    workspace_id = await _create(
        dataforest,
        "greedy",
        {"command": "python3 -c 'x = bytearray(400 * 1024 * 1024); print(len(x))'"},
        resource={"cpuCount": 1, "memoryMb": 64},
    )
    runtime = await _reaches(dataforest, workspace_id, {"SUCCEEDED", "FAILED"})
    assert (runtime["state"], runtime["exitCode"]) == ("FAILED", 137), runtime
    assert runtime["message"] == "killed: out of memory (the limit is 64 MiB)"


async def test_an_exposed_port_is_published_and_answers(dataforest):
    workspace_id = await _create(
        dataforest, "serves", {"command": "python3 -m http.server 8000", "exposeTcpPorts": [8000]}
    )
    runtime = await _reaches(dataforest, workspace_id, {"RUNNING", "FAILED"})
    assert runtime["state"] == "RUNNING", runtime
    [port] = runtime["ports"]
    assert port["containerPort"] == 8000 and port["host"] == "127.0.0.1"

    async def answers() -> int:
        try:
            async with aiohttp.ClientSession() as session:
                async with session.get(
                    f"http://127.0.0.1:{port['hostPort']}/", timeout=aiohttp.ClientTimeout(2)
                ) as got:
                    return got.status
        except aiohttp.ClientError:
            return 0

    assert await eventually(answers, lambda status: status == 200, timeout_s=20, what="the published port")
    await dataforest.post("/api/v2/aiworkspaces/delete", {"id": workspace_id})
    await eventually(lambda: _containers(workspace_id), lambda found: found == [], timeout_s=30, what="removal")


async def test_a_gpu_workspace_waits_here_and_never_starts(dataforest):
    workspace_id = await _create(
        dataforest,
        "wants-gpu",
        {"command": "nvidia-smi"},
        queueName="gpu",
        resource={"cpuCount": 1, "memoryMb": 256, "gpuCount": 1, "gpuModel": "T4"},
    )
    runtime = await _reaches(dataforest, workspace_id, {"QUEUED", "RUNNING", "FAILED"})
    assert runtime["state"] == "QUEUED"
    assert runtime["message"] == "waiting for 1 free T4 GPU(s): this runner has 0, 0 in use"
    await asyncio.sleep(0.5)  # a few reconcile passes (0.2 s each): still no container
    assert _containers(workspace_id) == []
    assert (await _runtime(dataforest, workspace_id))["state"] == "QUEUED"
