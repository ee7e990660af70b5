"""`python -m deploy.launcher` as a person runs it: a real process with real children and PostgreSQL."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from deploy.launcher import Launcher, StartupError
from deploy.settings import LauncherSettings
from tests.polling import eventually_blocking

BIN = Path(sys.executable).parent
TOKEN_LINE = re.compile(r"admin token:\s+(\S+)")
CHAT_MODEL_LINE = re.compile(r"chat model:\s+(\S+) \(running; OpenAI-compatible at (\S+)\)")
CHAT_KEY_LINE = re.compile(r"chat API key:\s+(\S+)")
# The start includes uploading the default chat model (98 MB) and loading it into Triton.
STARTUP_TIMEOUT_S = 180
GRPC_SERVICES = ("registry", "scheduler", "trainer")


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def descendants(pid: int) -> list[int]:
    found = []
    for child in children(pid):
        found += [child, *descendants(child)]
    return found


def identity(pid: int) -> tuple[int, str] | None:
    """(pid, start time): tells a process from a later one that reuses its id; None when gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == "Z" else (pid, fields[19])


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""


def service_pid(launcher_pid: int, module: str) -> int | None:
    for pid in children(launcher_pid):
        if f"-m {module} " in cmdline(pid) + " ":
            return pid
    return None


def health_status(address: str, service: str = "") -> int | None:
    with grpc.insecure_channel(address) as channel:
        try:
            response = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=5
            )
        except grpc.RpcError:
            return None
    return response.status


def http_status(url: str) -> int:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_launcher_runs_supervises_and_stops_the_platform(tmp_path):
    gateway, registry, scheduler, trainer, triton = free_ports(5)
    ports = {"registry": registry, "scheduler": scheduler, "trainer": trainer}
    data_dir = tmp_path / "data"
    # Without TORII_SERVICE_TOKEN, as `make run` starts: the launcher makes the service token.
    hidden = {"DATABASE_URL", "TORII_DATABASE_URL", "TORII_SERVICE_TOKEN"}
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env.update(
        TORII_DATA_DIR=str(data_dir),
        TORII_GATEWAY_PORT=str(gateway),
        TORII_REGISTRY_PORT=str(registry),
        TORII_SCHEDULER_PORT=str(scheduler),
        TORII_TRAINER_PORT=str(trainer),
        TORII_TRITON_ADDRESSES=f'["127.0.0.1:{triton}"]',
        TORII_GATEWAY_WORKERS="2",
    )
    stdout_path, stderr_path = tmp_path / "launcher.out", tmp_path / "launcher.err"
    with stdout_path.open("wb") as stdout, stderr_path.open("wb") as stderr:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "deploy.launcher"], env=env, stdout=stdout, stderr=stderr, cwd=tmp_path
        )
    seen: set[tuple[int, str]] = set()

    def remember_processes() -> None:
        pids = descendants(launcher.pid)
        postmaster = data_dir / "postgres" / "postmaster.pid"
        if postmaster.exists():
            postgres = int(postmaster.read_text().split()[0])
            pids += [postgres, *descendants(postgres)]
        seen.update(i for i in map(identity, pids) if i)

    def launcher_output() -> str:
        return f"stdout:\n{stdout_path.read_text()}\nstderr (tail):\n{stderr_path.read_text()[-4000:]}"

    try:

        def token_printed():
            assert launcher.poll() is None, f"launcher exited with {launcher.returncode}\n{launcher_output()}"
            return TOKEN_LINE.search(stdout_path.read_text())

        token = eventually_blocking(
            token_printed, timeout_s=STARTUP_TIMEOUT_S, interval_s=0.2, what="the admin token line"
        ).group(1)
        assert re.fullmatch(r"[0-9a-f-]{36}\.[0-9a-f]{64}", token)
        out = stdout_path.read_text()
        assert f"http://127.0.0.1:{gateway} (2 worker processes)" in out
        assert f"127.0.0.1:{triton} (started by the scheduler)" in out
        for port in ports.values():
            assert f"127.0.0.1:{port}" in out
        assert "Ctrl-C" in out
        remember_processes()
        _the_seed_snippets_answer(out)
        _a_seed_workspace_runs_in_a_container(f"http://127.0.0.1:{gateway}", token)

        listed = subprocess.run(
            [BIN / "grpcurl", "-plaintext", f"127.0.0.1:{registry}", "list"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.split()
        assert "torii.v1.RegistryService" in listed
        assert "grpc.health.v1.Health" in listed
        token_file = data_dir / "service-token"
        assert token_file.stat().st_mode & 0o777 == 0o600
        service_token = token_file.read_text()
        assert re.fullmatch(r"[0-9a-f]{64}", service_token)
        assert f"service token:     in {token_file}" in out

        def authenticate(*headers: str) -> subprocess.CompletedProcess:
            return subprocess.run(
                [
                    BIN / "grpcurl",
                    "-plaintext",
                    *headers,
                    "-d",
                    f'{{"token": "{token}"}}',
                    f"127.0.0.1:{registry}",
                    "torii.v1.RegistryService/AuthenticateToken",
                ],
                capture_output=True,
                text=True,
                timeout=30,
            )

        refused = authenticate()
        assert refused.returncode != 0 and "Unauthenticated" in refused.stderr, refused
        answered = authenticate("-H", f"x-torii-service-token: {service_token}")
        assert answered.returncode == 0 and '"role": "ROLE_ADMIN"' in answered.stdout, answered

        scheduler_services = subprocess.run(
            [BIN / "grpcurl", "-plaintext", f"127.0.0.1:{scheduler}", "list"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout.split()
        assert "torii.v1.SchedulerService" in scheduler_services

        serving = health_pb2.HealthCheckResponse.SERVING
        for name, port in ports.items():
            assert health_status(f"127.0.0.1:{port}") == serving, name
        assert health_status(f"127.0.0.1:{registry}", "torii.v1.RegistryService") == serving
        assert http_status(f"http://127.0.0.1:{gateway}/healthz") == 200
        gateways = [p for p in children(launcher.pid) if "services.gateway" in cmdline(p)]
        assert len(gateways) == 2, [cmdline(p) for p in children(launcher.pid)]

        killed = service_pid(launcher.pid, "services.scheduler")
        assert killed, f"no scheduler among the launcher's children: {[cmdline(p) for p in children(launcher.pid)]}"
        os.kill(killed, signal.SIGKILL)

        def restarted():
            pid = service_pid(launcher.pid, "services.scheduler")
            return pid not in (None, killed)

        eventually_blocking(restarted, timeout_s=30, interval_s=0.2, what="the scheduler to be restarted")
        eventually_blocking(
            lambda: health_status(f"127.0.0.1:{scheduler}") == serving,
            timeout_s=30,
            interval_s=0.2,
            what="the restarted scheduler to answer SERVING",
        )
        remember_processes()

        # PostgreSQL is supervised too: killed, it comes back and the registry serves again.
        postmaster = data_dir / "postgres" / "postmaster.pid"
        dead_postgres = int(postmaster.read_text().split()[0])
        os.kill(dead_postgres, signal.SIGKILL)

        def postgres_restarted():
            try:
                pid = int(postmaster.read_text().split()[0])
            except (OSError, ValueError, IndexError):
                return False
            return pid != dead_postgres and identity(pid) is not None

        eventually_blocking(
            postgres_restarted, timeout_s=60, interval_s=0.2, what="the embedded PostgreSQL to be restarted"
        )
        eventually_blocking(
            lambda: authenticate("-H", f"x-torii-service-token: {service_token}").returncode == 0,
            timeout_s=60,
            interval_s=0.2,
            what="the registry to answer again once PostgreSQL is back",
        )
        remember_processes()

        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(timeout=30) == 0, launcher_output()
        assert "Torii stopped." in stdout_path.read_text()
        left = sorted(pid for pid, started in seen if identity(pid) == (pid, started))
        assert not left, f"still running after the launcher stopped: {[cmdline(p) for p in left]}"
        assert not (data_dir / "postgres" / "postmaster.pid").exists()
    finally:
        if launcher.poll() is None:
            remember_processes()
            launcher.kill()
            launcher.wait()
        for pid, started in seen:
            if identity(pid) == (pid, started):
                os.kill(pid, signal.SIGKILL)


def test_database_url_is_read_under_both_names(monkeypatch):
    monkeypatch.delenv("TORII_DATABASE_URL", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://plain")
    assert LauncherSettings().database_url == "postgresql://plain"
    monkeypatch.delenv("DATABASE_URL")
    monkeypatch.setenv("TORII_DATABASE_URL", "postgresql://prefixed")
    assert LauncherSettings().database_url == "postgresql://prefixed"


async def test_a_port_in_use_stops_the_start_with_a_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        gateway, registry, trainer = free_ports(3)
        settings = LauncherSettings(
            data_dir=tmp_path,
            database_url="postgresql://unused",
            gateway_port=gateway,
            registry_port=registry,
            scheduler_port=port,
            trainer_port=trainer,
        )
        with pytest.raises(StartupError) as raised:
            await Launcher(settings).start()
    assert f"port {port} (scheduler) is already in use" in str(raised.value)
    assert "TORII_SCHEDULER_PORT" in str(raised.value)


def test_gateway_workers_share_the_port_and_stop_before_the_registry():
    launcher = Launcher(LauncherSettings(database_url="postgresql://unused", gateway_workers=3))
    names = [service.name for service in launcher.services]
    assert names == ["registry", "scheduler", "trainer", "gateway", "gateway-2", "gateway-3"]
    assert launcher.stop_tiers == (("gateway", "gateway-2", "gateway-3", "scheduler", "trainer"), ("registry",))
    gateway = launcher.services[-1]
    assert launcher.child_env(gateway, "postgresql://unused", "token")["TORII_GATEWAY_REUSE_PORT"] == "true"
    single = Launcher(LauncherSettings(database_url="postgresql://unused"))
    assert single.child_env(single.services[-1], "", "")["TORII_GATEWAY_REUSE_PORT"] == "false"


async def test_a_taken_triton_port_stops_the_start_with_a_clear_error(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        gateway, registry, scheduler, trainer = free_ports(4)
        settings = LauncherSettings(
            data_dir=tmp_path,
            database_url="postgresql://unused",
            gateway_port=gateway,
            registry_port=registry,
            scheduler_port=scheduler,
            trainer_port=trainer,
            triton_addresses=[f"127.0.0.1:{port}"],
        )
        with pytest.raises(StartupError) as raised:
            await Launcher(settings).start()
    assert f"port {port} (triton) is already in use" in str(raised.value)
    assert "TORII_TRITON_ADDRESSES" in str(raised.value)


def test_the_gateway_may_bind_a_public_address_while_grpc_ports_stay_internal():
    launcher = Launcher(LauncherSettings(database_url="postgresql://unused", host="127.0.0.1", gateway_host="0.0.0.0"))
    bound = {service.name: service.host for service in launcher.services}
    assert bound["gateway"] == "0.0.0.0"
    assert {bound["registry"], bound["scheduler"], bound["trainer"]} == {"127.0.0.1"}
    gateway_env = launcher.child_env(launcher.services[-1], "", "")
    assert (gateway_env["TORII_HOST"], gateway_env["TORII_GATEWAY_HOST"]) == ("127.0.0.1", "0.0.0.0")
    assert launcher.gateway_url.startswith("http://127.0.0.1:")


def _the_seed_snippets_answer(banner: str) -> None:
    """The W&B Inference page's curl and Python snippets, with only the host and the key changed,
    against the chat model `make run` serves (shared/seeds/004_11c83b1441e45450.txt)."""
    model_match, key_match = CHAT_MODEL_LINE.search(banner), CHAT_KEY_LINE.search(banner)
    assert model_match and key_match, banner
    model_id, base_url = model_match.groups()
    key = key_match.group(1)
    chat = subprocess.run(
        [
            "curl",
            "-sS",
            f"{base_url}/chat/completions",
            "-H",
            "Content-Type: application/json",
            "-H",
            f"Authorization: Bearer {key}",
            "-H",
            "OpenAI-Project: <your-team>/<your-project>",
            "-d",
            f"""{{
    "model": "{model_id}",
    "messages": [
      {{ "role": "system", "content": "You are a helpful assistant." }},
      {{ "role": "user", "content": "Tell me a joke." }}
    ]
  }}""",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    answer = json.loads(chat.stdout)
    assert answer["model"] == model_id and answer["choices"][0]["message"]["content"], answer
    models = subprocess.run(
        [
            "curl",
            "-sS",
            f"{base_url}/models",
            "-H",
            "Content-Type: application/json",
            "-H",
            f"Authorization: Bearer {key}",
            "-H",
            "OpenAI-Project: <your-team>/<your-project>",
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert [model["id"] for model in json.loads(models.stdout)["data"]] == [model_id]
    snippet = f"""
import openai

client = openai.OpenAI(
    base_url='{base_url}',
    api_key="{key}",
    project="<your-team>/<your-project>",
)

response = client.chat.completions.create(
    model="{model_id}",
    messages=[
        {{"role": "system", "content": "You are a helpful assistant."}},
        {{"role": "user", "content": "Say hello."}}
    ],
)

print(response.choices[0].message.content)

response = client.models.list()

for model in response.data:
    print(model.id)
"""
    ran = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    printed = ran.stdout.strip().splitlines()
    assert printed[-1] == model_id and len(printed) >= 2, ran.stdout


def _a_seed_workspace_runs_in_a_container(base_url: str, admin_token: str) -> None:
    """The Data Forest seed's create (its image one of the list's, on the cpu queue: no GPU here),
    signed as NCP's samples sign, runs in a real podman container; delete removes it."""
    import requests

    from examples.dataforest.ncp_call import call

    made = requests.post(
        f"{base_url}/manage/v1/ncp-keys", json={}, headers={"Authorization": f"Bearer {admin_token}"}, timeout=30
    ).json()
    key = (base_url, made["ncp_key"]["access_key"], made["secret_key"])
    status, images = call(*key, "/api/v2/aiworkspaces/getDockerImageList", "{}")
    assert (status, json.loads(images)["dockerImages"]) == (200, {"python": ["torii-python:3.11"]})
    account = json.loads(call(*key, "/api/v2/accounts/getList", "{}")[1])["contents"][0]["id"]
    seed = {
        "accountId": account,
        "configuration": {
            "docker": {"command": "echo", "args": "seed ran", "image": "torii-python:3.11", "workdir": "/root/"},
            "name": "test",
            "queueName": "cpu",
            "resource": {"cpuCount": 1, "memoryMb": 1024},
            "userPackageUri": "string",
        },
        "description": "test",
        "name": "api-test",
    }
    status, created = call(*key, "/api/v2/aiworkspaces/create", json.dumps(seed))
    assert status == 200, created
    workspace = {"id": json.loads(created)["id"]}

    def detail() -> dict:
        return json.loads(call(*key, "/api/v2/aiworkspaces/getDetail", json.dumps(workspace))[1])

    ended = eventually_blocking(
        detail, lambda got: got["runtime"]["state"] in ("SUCCEEDED", "FAILED"), timeout_s=60, what="the workspace"
    )
    assert (ended["runtime"]["state"], ended["runtime"]["logTail"]) == ("SUCCEEDED", "seed ran\n"), ended
    assert call(*key, "/api/v2/aiworkspaces/delete", json.dumps(workspace))[0] == 200
    assert call(*key, "/api/v2/aiworkspaces/getDetail", json.dumps(workspace))[0] == 404


def test_without_podman_workspaces_are_left_pending_rather_than_failing(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no podman on it
    launcher = Launcher(LauncherSettings(data_dir=tmp_path))
    assert launcher.workspace_runner == "none"
    env = launcher.child_env(launcher.services[0], "", "")
    assert env["TORII_WORKSPACE_RUNNER"] == "none"
    assert json.loads(env["TORII_DATAFOREST_IMAGES"]) == {"python": ["torii-python:3.11"]}
    monkeypatch.setenv("TORII_WORKSPACE_RUNNER", "kubernetes")
    assert Launcher(LauncherSettings(data_dir=tmp_path)).workspace_runner == "kubernetes"
