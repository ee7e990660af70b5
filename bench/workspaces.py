"""The Data Forest workspace part of `make bench`: how long a signed create takes to become a
running container (p50/p99 over sequential workspaces), and a burst of workspaces created at once,
each of which must reach the state it should: running within the account's quota, queued on the
GPU queue (no free GPU), refused past the quota; none lost.

Runs against the bench's launcher (podman runner, the default image), signed as NCP's samples sign.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import statistics
import time

import aiohttp

IMAGE = "torii-python:3.11"
COMMAND = "sleep 600"
STATE_TIMEOUT_S = 120.0
BURST = 20
BURST_GPU = 2
"""Of the burst, this many ask for a T4 on the gpu queue: they must wait (QUEUED)."""
BURST_CPU_QUOTA = 14
"""CPUs of the account's quota during the burst: 14 one-CPU workspaces run, 4 are refused."""


class WorkspaceBenchError(Exception):
    pass


def _signature(secret: str, target: str, timestamp: str, access_key: str) -> str:
    message = f"POST {target}\n{timestamp}\n{access_key}"
    return base64.b64encode(hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()).decode()


class Signed:
    def __init__(self, session: aiohttp.ClientSession, base: str, access_key: str, secret: str) -> None:
        self._session = session
        self._base = base
        self._access_key = access_key
        self._secret = secret

    async def post(self, operation: str, body: dict) -> tuple[int, dict]:
        target = f"/api/v2/{operation}"
        timestamp = str(time.time_ns() // 1_000_000)
        headers = {
            "x-ncp-apigw-timestamp": timestamp,
            "x-ncp-iam-access-key": self._access_key,
            "x-ncp-apigw-signature-v2": _signature(self._secret, target, timestamp, self._access_key),
        }
        async with self._session.post(self._base + target, json=body, headers=headers) as response:
            return response.status, await response.json()


async def _signed_client(session: aiohttp.ClientSession, base: str, token: str) -> tuple[Signed, str, str]:
    admin = {"Authorization": f"Bearer {token}"}
    async with session.post(f"{base}/manage/v1/ncp-keys", json={}, headers=admin) as response:
        created = await response.json()
        if response.status != 201:
            raise WorkspaceBenchError(f"no NCP key: {response.status} {created}")
    signed = Signed(session, base, created["ncp_key"]["access_key"], created["secret_key"])
    status, accounts = await signed.post("accounts/getList", {})
    if status != 200:
        raise WorkspaceBenchError(f"accounts/getList: {status} {accounts}")
    return signed, accounts["contents"][0]["id"], created["ncp_key"]["account_id"]


async def _set_quota(session, base: str, token: str, account_id: str, workspaces: int, cpus: int) -> None:
    quota = {
        "account_id": account_id,
        "workspaces": workspaces,
        "cpu_count": cpus,
        "memory_mb": 1 << 20,
        "gpu_count": 8,
    }
    async with session.put(
        f"{base}/manage/v1/workspace-quota", json=quota, headers={"Authorization": f"Bearer {token}"}
    ) as response:
        if response.status != 200:
            raise WorkspaceBenchError(f"quota: {response.status} {await response.text()}")


def _create_body(account: str, name: str, *, gpu: bool = False) -> dict:
    resource: dict[str, object] = {"cpuCount": 1, "memoryMb": 128}
    if gpu:
        resource |= {"gpuCount": 1, "gpuModel": "T4"}
    return {
        "accountId": account,
        "name": name,
        "configuration": {
            "docker": {"image": IMAGE, "command": COMMAND},
            "queueName": "gpu" if gpu else "cpu",
            "resource": resource,
        },
    }


async def _state(signed: Signed, workspace_id: str) -> str:
    status, detail = await signed.post("aiworkspaces/getDetail", {"id": workspace_id})
    return detail["runtime"]["state"] if status == 200 else f"HTTP {status}"


async def _until(signed: Signed, workspace_id: str, wanted: set[str], timeout_s: float = STATE_TIMEOUT_S) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        state = await _state(signed, workspace_id)
        if state in wanted or state == "FAILED" or time.monotonic() > deadline:
            return state
        await asyncio.sleep(0.05)


async def _delete_all(signed: Signed, ids: list[str]) -> None:
    await asyncio.gather(*(signed.post("aiworkspaces/delete", {"id": workspace_id}) for workspace_id in ids))


async def start_latencies(signed: Signed, account: str, count: int) -> list[float]:
    """Create → RUNNING, one workspace at a time, each deleted before the next."""
    latencies = []
    for index in range(count):
        started = time.perf_counter()
        status, created = await signed.post("aiworkspaces/create", _create_body(account, f"lat-{index}"))
        if status != 200:
            raise WorkspaceBenchError(f"create: {status} {created}")
        state = await _until(signed, created["id"], {"RUNNING"})
        if state != "RUNNING":
            raise WorkspaceBenchError(f"workspace {created['id']} ended {state}, not RUNNING")
        latencies.append(time.perf_counter() - started)
        await _delete_all(signed, [created["id"]])
    return latencies


async def burst(signed: Signed, account: str) -> dict:
    """BURST creates at once; each judged against the state it should reach."""
    bodies = [_create_body(account, f"burst-{index}", gpu=index < BURST_GPU) for index in range(BURST)]
    started = time.perf_counter()
    answers = await asyncio.gather(*(signed.post("aiworkspaces/create", body) for body in bodies))
    created = [(body, answer["id"]) for body, (status, answer) in zip(bodies, answers) if status == 200]
    refused = [answer for status, answer in answers if status != 200]
    quota_refusals = sum(answer.get("message") == "exceeded limit on resource quota" for answer in refused)
    states = await asyncio.gather(
        *(
            _until(signed, workspace_id, {"QUEUED"} if body["configuration"]["queueName"] == "gpu" else {"RUNNING"})
            for body, workspace_id in created
        )
    )
    settled_s = time.perf_counter() - started
    cpu_expected = BURST_CPU_QUOTA - BURST_GPU  # the GPU ones hold a CPU of the quota too
    running = states.count("RUNNING")
    queued = states.count("QUEUED")
    expected_refused = BURST - BURST_GPU - cpu_expected
    ok = min(running, cpu_expected) + min(queued, BURST_GPU) + min(quota_refusals, expected_refused)
    listed_status, listed = await signed.post("aiworkspaces/getList", {})
    await _delete_all(signed, [workspace_id for _, workspace_id in created])
    return {
        "sent": BURST,
        "created": len(created),
        "running": running,
        "queued": queued,
        "refused_quota": quota_refusals,
        "expected": {"running": cpu_expected, "queued": BURST_GPU, "refused_quota": expected_refused},
        "listed": listed["total"] if listed_status == 200 else None,
        "settled_s": round(settled_s, 2),
        "ok_fraction": round(ok / BURST, 3),
    }


async def measure(base: str, token: str, count: int = 10) -> dict:
    async with aiohttp.ClientSession() as session:
        signed, account, account_id = await _signed_client(session, base, token)
        await _set_quota(session, base, token, account_id, workspaces=BURST, cpus=BURST_CPU_QUOTA)
        latencies = await start_latencies(signed, account, count)
        outcome = await burst(signed, account)
    ordered = sorted(latencies)
    return {
        "start_s": [round(value, 3) for value in latencies],
        "start_p50_s": round(statistics.median(ordered), 3),
        "start_p99_s": round(ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))], 3),
        "burst": outcome,
    }
