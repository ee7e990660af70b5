"""PodmanRunner against the real podman: what a workspace sees inside, what comes out, its limits, its
port, and a runner that restarts finding its containers again."""

from __future__ import annotations

import asyncio
import json
import subprocess
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from services.scheduler.workspaces.default_image import DEFAULT_IMAGE_LIST, DEFAULT_PODMAN_IMAGE, podman_reference
from services.scheduler.workspaces.images import ImageCatalog
from services.scheduler.workspaces.podman_containers import choose_gpu_devices, container_name, create_arguments
from services.scheduler.workspaces.podman_runner import PodmanRunner
from services.scheduler.workspaces.runner import (
    DataInput,
    DataOutput,
    Observed,
    Phase,
    WorkspaceFailed,
    WorkspaceSpec,
)
from tests.polling import eventually

pytestmark = pytest.mark.usefixtures("default_image")

PODMAN = ["podman", "--runtime", "runc"]
SLEEPING = "trap 'exit 0' TERM; sleep 120 & wait"


@pytest.fixture
def workspace_ids() -> Iterator[Callable[[], str]]:
    """New workspace ids; every container made for them is removed after the test, failed or not."""
    made: list[str] = []

    def new() -> str:
        made.append(f"test{uuid.uuid4().hex[:12]}")
        return made[-1]

    yield new
    if made:
        names = [container_name(workspace_id) for workspace_id in made]
        subprocess.run([*PODMAN, "rm", "--force", "--ignore", "--time", "0", *names], capture_output=True, timeout=60)


@pytest.fixture
def runner(tmp_path: Path) -> PodmanRunner:
    return PodmanRunner(tmp_path / "runner-state")


def left_beside_the_runner(folder: Path) -> list[str]:
    """What a collection left in `folder`, the runner's own state folder aside."""
    return sorted(path.name for path in folder.iterdir() if path.name != "runner-state")


def workspace(workspace_id: str, command: str, **fields: Any) -> WorkspaceSpec:
    return WorkspaceSpec(
        workspace_id=workspace_id,
        generation=fields.pop("generation", 1),
        account_id="account1",
        image=fields.pop("image", DEFAULT_PODMAN_IMAGE),
        command=command,
        memory_mb=fields.pop("memory_mb", 256),
        **fields,
    )


async def exited(runner: PodmanRunner, workspace_id: str) -> Observed:
    seen: dict[str, Observed] = await eventually(
        runner.observe_all,
        lambda seen: workspace_id in seen and seen[workspace_id].phase is Phase.EXITED,
        timeout_s=30,
        what=f"workspace {workspace_id} exited",
    )
    return seen[workspace_id]


def inspect(workspace_id: str) -> dict[str, Any]:
    done = subprocess.run(
        [*PODMAN, "container", "inspect", "--format", "json", container_name(workspace_id)],
        capture_output=True,
        check=True,
        timeout=30,
    )
    return json.loads(done.stdout)[0]


def containers_of(workspace_id: str) -> list[str]:
    done = subprocess.run(
        [*PODMAN, "ps", "-a", "--filter", f"label=torii.workspace={workspace_id}", "--format", "{{.ID}}"],
        capture_output=True,
        check=True,
        timeout=30,
        text=True,
    )
    return done.stdout.split()


async def test_a_workspace_sees_its_env_args_and_input_and_its_output_is_copied_out(runner, workspace_ids, tmp_path):
    storage = tmp_path / "storage"
    (storage / "folder" / "sub").mkdir(parents=True)
    (storage / "in.txt").write_text("input file\n")
    (storage / "folder" / "a.txt").write_text("folder a\n")
    (storage / "folder" / "sub" / "b.txt").write_text("folder b\n")
    (storage / "existing").write_text("older copy\n")
    spec = workspace(
        workspace_ids(),
        "echo",
        args='"greeting=$GREETING" second-arg; cat /data/in.txt /data/folder/a.txt /data/folder/sub/b.txt; pwd; '
        "mkdir -p out/dir && echo result > out/result.txt && echo inner > out/dir/inner.txt",
        env={"GREETING": "hello; $(not run)"},
        workdir="/work/here",
        inputs=(DataInput(storage / "in.txt", "/data/in.txt"), DataInput(storage / "folder", "/data/folder")),
        outputs=(
            DataOutput("/work/here/out/result.txt", storage / "results" / "result.txt", overwrite=False),
            DataOutput("/work/here/out/dir", storage / "existing", overwrite=True),
        ),
    )

    await runner.start(spec)
    observed = await exited(runner, spec.workspace_id)
    logs = await runner.logs(spec.workspace_id)

    assert (observed.generation, observed.exit_code, observed.message) == (1, 0, "")
    assert observed.started_at is not None and observed.finished_at is not None
    assert observed.started_at <= observed.finished_at
    assert logs.splitlines() == [
        "greeting=hello; $(not run) second-arg",
        "input file",
        "folder a",
        "folder b",
        "/work/here",
    ]

    await runner.collect_output(spec)

    assert (storage / "results" / "result.txt").read_text() == "result\n"
    assert (storage / "existing" / "inner.txt").read_text() == "inner\n"
    assert sorted(path.name for path in storage.iterdir()) == ["existing", "folder", "in.txt", "results"]

    # A reconciler that restarts after collecting collects again: its own copy must not fail it.
    (storage / "results" / "result.txt").write_text("changed since\n")
    await runner.collect_output(spec)
    assert (storage / "results" / "result.txt").read_text() == "changed since\n"


async def test_an_existing_destination_without_overwrite_or_a_missing_path_fails_the_collection(
    runner, workspace_ids, tmp_path
):
    spec = workspace(workspace_ids(), "echo made > /made.txt")
    kept = tmp_path / "kept.txt"
    kept.write_text("keep me\n")
    await runner.start(spec)
    await exited(runner, spec.workspace_id)

    refused = replace(spec, outputs=(DataOutput("/made.txt", kept, overwrite=False),))
    with pytest.raises(WorkspaceFailed, match=f"output destination {kept} exists and overwrite is false"):
        await runner.collect_output(refused)
    missing = replace(spec, outputs=(DataOutput("/not/there", tmp_path / "never", overwrite=True),))
    with pytest.raises(WorkspaceFailed, match="output /not/there not found in the container"):
        await runner.collect_output(missing)

    assert kept.read_text() == "keep me\n"
    assert left_beside_the_runner(tmp_path) == ["kept.txt"]
    # A failed collection records nothing: the same generation can still be collected.
    await runner.collect_output(replace(spec, outputs=(DataOutput("/made.txt", kept, overwrite=True),)))
    assert kept.read_text() == "made\n"


async def test_an_output_holding_a_link_out_of_itself_is_refused(runner, workspace_ids, tmp_path):
    spec = workspace(workspace_ids(), "mkdir /out && echo x > /out/file && ln -s ../secret /out/escape")
    spec = replace(spec, outputs=(DataOutput("/out", tmp_path / "out", overwrite=False),))
    await runner.start(spec)
    await exited(runner, spec.workspace_id)

    with pytest.raises(WorkspaceFailed, match="output /out could not be copied"):
        await runner.collect_output(spec)

    assert left_beside_the_runner(tmp_path) == []


async def test_a_workspace_past_its_memory_is_killed_and_observed_so(runner, workspace_ids):
    spec = workspace(workspace_ids(), "python3 -c 'x = bytearray(300 * 1024 * 1024)'", memory_mb=64)

    await runner.start(spec)
    observed = await exited(runner, spec.workspace_id)

    assert observed.exit_code == 137
    assert observed.message == "killed: out of memory (the limit is 64 MiB)"


async def test_a_command_killed_otherwise_is_not_called_out_of_memory(runner, workspace_ids):
    spec = workspace(workspace_ids(), "kill -9 $$", memory_mb=64)

    await runner.start(spec)
    observed = await exited(runner, spec.workspace_id)

    assert (observed.exit_code, observed.message) == (137, "killed (exit code 137)")


async def test_an_exposed_port_answers_on_the_published_host_port(runner, workspace_ids):
    spec = workspace(workspace_ids(), "python3 -m http.server 8000", ports=(8000,), workdir="/tmp")

    started = await runner.start(spec)
    assert [(port.container_port, port.host) for port in started.ports] == [(8000, "127.0.0.1")]
    url = f"http://127.0.0.1:{started.ports[0].host_port}/"

    def status() -> int | None:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status
        except OSError:
            return None

    answered: int | None = await eventually(lambda: asyncio.to_thread(status), timeout_s=20, what=f"{url} answered")
    assert answered == 200
    assert (await runner.observe_all())[spec.workspace_id].phase is Phase.RUNNING


async def test_a_missing_image_fails_the_workspace_and_leaves_no_container(runner, workspace_ids):
    spec = workspace(workspace_ids(), "true", image="localhost/no-such-image:1")

    with pytest.raises(WorkspaceFailed, match="image localhost/no-such-image:1 not found on this runner"):
        await runner.start(spec)

    assert containers_of(spec.workspace_id) == []


async def test_inputs_missing_or_over_the_limit_fail_the_workspace_before_any_container(workspace_ids, tmp_path):
    runner = PodmanRunner(tmp_path / "state", max_input_bytes=10)
    (tmp_path / "big.txt").write_text("more than ten bytes\n")
    over = workspace(workspace_ids(), "true", inputs=(DataInput(tmp_path / "big.txt", "/big.txt"),))
    missing = workspace(workspace_ids(), "true", inputs=(DataInput(tmp_path / "absent", "/absent"),))

    with pytest.raises(WorkspaceFailed, match="over this runner's limit of 10 bytes"):
        await runner.start(over)
    with pytest.raises(WorkspaceFailed, match=f"input {tmp_path / 'absent'} not found"):
        await runner.start(missing)

    assert containers_of(over.workspace_id) == containers_of(missing.workspace_id) == []


async def test_a_workdir_the_image_has_keeps_its_mode(runner, workspace_ids):
    spec = workspace(workspace_ids(), "stat -c %a .", workdir="/tmp")

    await runner.start(spec)
    await exited(runner, spec.workspace_id)

    assert await runner.logs(spec.workspace_id) == "1777\n"


async def test_logs_hold_stdout_and_stderr_and_keep_the_end(runner, workspace_ids):
    spec = workspace(workspace_ids(), "echo to-stderr >&2; python3 -c \"print('x' * 5000 + ' the end')\"")

    await runner.start(spec)
    await exited(runner, spec.workspace_id)
    logs = await runner.logs(spec.workspace_id)
    tail = await runner.logs(spec.workspace_id, limit_bytes=20)

    # podman keeps the two streams apart, so their order in the log is not the order they were written in.
    assert sorted(logs.splitlines()) == ["to-stderr", "x" * 5000 + " the end"]
    assert tail == logs[-20:]


async def test_remove_deletes_the_container_and_is_quiet_when_there_is_none(runner, workspace_ids):
    spec = workspace(workspace_ids(), SLEEPING)
    await runner.start(spec)
    assert len(containers_of(spec.workspace_id)) == 1

    await runner.remove(spec.workspace_id)

    assert containers_of(spec.workspace_id) == []
    assert spec.workspace_id not in await runner.observe_all()
    assert await runner.logs(spec.workspace_id) == ""
    await runner.remove(spec.workspace_id)


async def test_a_restarted_runner_finds_the_running_container_with_its_generation(runner, workspace_ids, tmp_path):
    spec = workspace(workspace_ids(), SLEEPING, generation=3)
    await runner.start(spec)
    container_id = inspect(spec.workspace_id)["Id"]

    restarted = PodmanRunner(tmp_path / "runner-state")
    observed = (await restarted.observe_all())[spec.workspace_id]

    assert (observed.generation, observed.phase) == (3, Phase.RUNNING)
    assert containers_of(spec.workspace_id) == [container_id[:12]]


async def test_a_new_generation_replaces_the_container_of_the_previous_one(runner, workspace_ids):
    first = workspace(workspace_ids(), SLEEPING, generation=1)
    await runner.start(first)

    second = await runner.start(replace(first, generation=2))

    assert second.generation == 2
    assert len(containers_of(first.workspace_id)) == 1
    assert inspect(first.workspace_id)["Config"]["Labels"]["torii.generation"] == "2"


async def test_the_container_gets_the_limits_and_labels_asked(runner, workspace_ids):
    spec = workspace(workspace_ids(), SLEEPING, cpu_count=1, memory_mb=128)

    await runner.start(spec)
    detail = inspect(spec.workspace_id)

    limits = {key: detail["HostConfig"][key] for key in ("NanoCpus", "Memory", "MemorySwap", "PidsLimit")}
    assert limits == {"NanoCpus": 10**9, "Memory": 128 * 2**20, "MemorySwap": 128 * 2**20, "PidsLimit": 4096}
    assert detail["HostConfig"]["NetworkMode"] == "none"
    labels = detail["Config"]["Labels"]
    assert {
        key: labels[key] for key in ("torii.workspace", "torii.generation", "torii.account", "torii.memory-mb")
    } == {
        "torii.workspace": spec.workspace_id,
        "torii.generation": "1",
        "torii.account": "account1",
        "torii.memory-mb": "128",
    }


def test_gpus_are_the_lowest_free_devices_of_the_model_asked():
    gpus = {"T4": 2, "V100": 2}

    assert choose_gpu_devices(gpus, set(), "T4", 1) == (0,)
    assert choose_gpu_devices(gpus, {2}, "V100", 1) == (3,)
    assert choose_gpu_devices(gpus, {0}, "", 3) == (1, 2, 3)
    assert choose_gpu_devices(gpus, {0}, "T4", 2) is None
    assert choose_gpu_devices(gpus, set(), "A100", 1) is None


def test_gpu_devices_go_to_podman_through_cdi():
    spec = workspace("ws1", "nvidia-smi", gpu_count=2, gpu_model="T4")

    arguments = create_arguments(spec, "torii-ws-ws1", "127.0.0.1", 4096, (0, 1))

    assert arguments[arguments.index("--device") :][:4] == [
        "--device",
        "nvidia.com/gpu=0",
        "--device",
        "nvidia.com/gpu=1",
    ]
    assert "torii.gpus=0,1" in arguments


def test_contract_image_names_map_to_local_podman_references():
    catalog = ImageCatalog(DEFAULT_IMAGE_LIST, podman_reference)
    assert catalog.resolve("torii-python:3.11") == "localhost/torii-python:3.11"
    assert catalog.resolve("dataforest/torii-python:3.11") == "localhost/torii-python:3.11"
    for refused in ("tensorflow/r2.3.1-py3", "pytorch:2.4-py3"):
        with pytest.raises(WorkspaceFailed):
            catalog.resolve(refused)
