"""The workspace reconciler against a real registry and an in-memory runner: what it starts,
queues, fails, replaces and removes, and that a restarted reconciler adopts what runs."""

from __future__ import annotations

import pytest

from services.runtime.grpc_client import open_channel
from services.scheduler.workspaces.images import ImageCatalog
from services.scheduler.workspaces.reconciler import WorkspaceReconciler
from services.scheduler.workspaces.runner import Observed, Phase, WorkspaceSpec
from tests.polling import eventually
from tests.scheduler.workspaces.memory_runner import MemoryRunner
from tests.service_token import SERVICE_TOKEN
from torii.v1 import workspace_service_pb2 as pb
from torii.v1 import workspace_service_pb2_grpc, workspaces_pb2

IMAGES = {"python": ["torii-python:3.11"]}


@pytest.fixture
async def workspaces(registry):
    channel = open_channel(registry.address, default_timeout_s=10, service_token=SERVICE_TOKEN)
    try:
        yield workspace_service_pb2_grpc.WorkspaceServiceStub(channel)
    finally:
        await channel.close()


def reconciler(workspaces, runner: MemoryRunner, storage) -> WorkspaceReconciler:
    catalog = ImageCatalog(IMAGES, lambda name, tag: f"localhost/{name}:{tag}")
    return WorkspaceReconciler(workspaces, runner, catalog, storage, interval_s=60)


def configuration(**docker) -> workspaces_pb2.WorkspaceConfiguration:
    fields = {"image": "torii-python:3.11", "command": "echo hi", **docker}
    return workspaces_pb2.WorkspaceConfiguration(
        queue_name="cpu",
        resource=workspaces_pb2.WorkspaceResource(cpu_count=1, memory_mb=256),
        docker=workspaces_pb2.WorkspaceDocker(**fields),
    )


def gpu_configuration(count: int = 1) -> workspaces_pb2.WorkspaceConfiguration:
    config = configuration()
    config.queue_name = "gpu"
    config.resource.gpu_count = count
    config.resource.gpu_model = "T4"
    return config


async def create(workspaces, account_id: str, name: str, config) -> workspaces_pb2.Workspace:
    actor = pb.WorkspaceActor(key_account_id=account_id)
    made = await workspaces.CreateWorkspace(pb.CreateWorkspaceRequest(actor=actor, name=name, configuration=config))
    return made.workspace


async def status(workspaces, account_id: str, workspace_id: str) -> workspaces_pb2.WorkspaceStatus:
    actor = pb.WorkspaceActor(key_account_id=account_id)
    got = await workspaces.GetWorkspace(pb.GetWorkspaceRequest(actor=actor, workspace_id=workspace_id))
    return got.workspace.status


async def test_a_workspace_is_started_once_and_its_end_reported_with_its_logs(registry, workspaces, tmp_path):
    account = registry.app_account_id
    runner = MemoryRunner()
    passes = reconciler(workspaces, runner, tmp_path)
    made = await create(workspaces, account, "once", configuration(expose_tcp_ports=[8000]))
    await passes.reconcile_once()
    await passes.reconcile_once()
    assert runner.starts == [(made.workspace_id, 1)]
    running = await status(workspaces, account, made.workspace_id)
    assert running.state == workspaces_pb2.WORKSPACE_STATE_RUNNING
    assert [(port.container_port, port.host_port) for port in running.ports] == [(8000, 48000)]
    assert running.log_tail == f"log of {made.workspace_id}\n"
    runner.exit(made.workspace_id, 0)
    await passes.reconcile_once()
    await passes.reconcile_once()
    ended = await status(workspaces, account, made.workspace_id)
    assert (ended.state, ended.exit_code) == (workspaces_pb2.WORKSPACE_STATE_SUCCEEDED, 0)
    assert runner.collected == [(made.workspace_id, 1)]
    assert runner.starts == [(made.workspace_id, 1)]


async def test_a_failing_command_missing_image_or_output_fails_the_workspace_with_the_reason(
    registry, workspaces, tmp_path
):
    account = registry.app_account_id
    runner = MemoryRunner(missing_images={"localhost/torii-python:3.11"})
    passes = reconciler(workspaces, runner, tmp_path)
    missing = await create(workspaces, account, "missing", configuration())
    unlisted = await create(workspaces, account, "unlisted", configuration(image="pytorch:2.4-py3"))
    await passes.reconcile_once()
    assert (await status(workspaces, account, missing.workspace_id)).message == (
        "image localhost/torii-python:3.11 not found on this runner"
    )
    failed = await status(workspaces, account, unlisted.workspace_id)
    assert failed.state == workspaces_pb2.WORKSPACE_STATE_FAILED
    assert "not in this runner's image list" in failed.message
    runner.missing_images.clear()
    crashes = await create(workspaces, account, "crashes", configuration())
    await passes.reconcile_once()
    runner.exit(crashes.workspace_id, 137, "killed: out of memory (the limit is 64 MiB)")
    await passes.reconcile_once()
    crashed = await status(workspaces, account, crashes.workspace_id)
    assert (crashed.state, crashed.exit_code, crashed.message) == (
        workspaces_pb2.WORKSPACE_STATE_FAILED,
        137,
        "killed: out of memory (the limit is 64 MiB)",
    )
    # A failed workspace is not started again by later passes.
    await passes.reconcile_once()
    assert [start for start in runner.starts if start[0] == missing.workspace_id] == []
    runner.output_failure = "output destination out exists and overwrite is false"
    copies = await create(workspaces, account, "copies", configuration())
    await passes.reconcile_once()
    runner.exit(copies.workspace_id, 0)
    await passes.reconcile_once()
    assert (await status(workspaces, account, copies.workspace_id)).message == runner.output_failure


async def test_a_gpu_workspace_waits_for_a_free_gpu_and_never_starts_without_one(registry, workspaces, tmp_path):
    account = registry.app_account_id
    runner = MemoryRunner()
    passes = reconciler(workspaces, runner, tmp_path)
    waiting = await create(workspaces, account, "gpu-job", gpu_configuration())
    for _ in range(3):
        await passes.reconcile_once()
    queued = await status(workspaces, account, waiting.workspace_id)
    assert queued.state == workspaces_pb2.WORKSPACE_STATE_QUEUED
    assert queued.message == "waiting for 1 free T4 GPU(s): this runner has 0, 0 in use"
    assert runner.starts == []
    # With one T4, one of two one-GPU workspaces runs and the other waits until it ends.
    runner.gpu_inventory["T4"] = 1
    second = await create(workspaces, account, "gpu-two", gpu_configuration())
    await passes.reconcile_once()
    assert runner.starts == [(waiting.workspace_id, 1)]
    assert (await status(workspaces, account, second.workspace_id)).message == (
        "waiting for 1 free T4 GPU(s): this runner has 1, 1 in use"
    )
    runner.exit(waiting.workspace_id, 0)
    await passes.reconcile_once()
    await passes.reconcile_once()
    assert runner.starts == [(waiting.workspace_id, 1), (second.workspace_id, 1)]


async def test_a_new_configuration_replaces_the_container_and_delete_removes_it(registry, workspaces, tmp_path):
    account = registry.app_account_id
    actor = pb.WorkspaceActor(key_account_id=account)
    runner = MemoryRunner()
    passes = reconciler(workspaces, runner, tmp_path)
    made = await create(workspaces, account, "changes", configuration())
    await passes.reconcile_once()
    await workspaces.SetWorkspaceConfiguration(
        pb.SetWorkspaceConfigurationRequest(
            actor=actor, workspace_id=made.workspace_id, configuration=configuration(command="echo two")
        )
    )
    await passes.reconcile_once()
    assert runner.starts == [(made.workspace_id, 1), (made.workspace_id, 2)]
    assert runner.specs[made.workspace_id].command == "echo two"
    await workspaces.DeleteWorkspace(pb.DeleteWorkspaceRequest(actor=actor, workspace_id=made.workspace_id))
    await passes.reconcile_once()
    assert made.workspace_id not in runner.containers
    listed = await workspaces.ListRunnerWorkspaces(pb.ListRunnerWorkspacesRequest())
    assert listed.workspaces == []


async def test_a_restarted_reconciler_adopts_running_containers_and_removes_orphans(registry, workspaces, tmp_path):
    account = registry.app_account_id
    runner = MemoryRunner()
    made = await create(workspaces, account, "adopted", configuration())
    await reconciler(workspaces, runner, tmp_path).reconcile_once()
    await runner.start(WorkspaceSpec("orphan", 1, account, image="x", command="true"))
    await reconciler(workspaces, runner, tmp_path).reconcile_once()
    assert runner.starts == [(made.workspace_id, 1), ("orphan", 1)]
    assert "orphan" in runner.removed and made.workspace_id in runner.containers


async def test_data_paths_stay_inside_the_storage(registry, workspaces, tmp_path):
    account = registry.app_account_id
    runner = MemoryRunner()
    passes = reconciler(workspaces, runner, tmp_path)
    config = configuration()
    config.inputs.append(workspaces_pb2.WorkspaceInput(source="in/../../etc", path="/data"))
    made = await create(workspaces, account, "escapes", config)
    await passes.reconcile_once()
    failed = await status(workspaces, account, made.workspace_id)
    assert failed.state == workspaces_pb2.WORKSPACE_STATE_FAILED
    assert failed.message == "data path 'in/../../etc' is not a path inside the storage"
    config = configuration()
    config.inputs.append(workspaces_pb2.WorkspaceInput(source="hdfs://in/train.csv", path="/data/train.csv"))
    ok = await create(workspaces, account, "inside", config)
    await passes.reconcile_once()
    assert runner.specs[ok.workspace_id].inputs[0].source == (tmp_path / "in" / "train.csv").resolve()


async def test_a_container_left_half_made_by_a_reconciler_that_died_is_made_again(registry, workspaces, tmp_path):
    account = registry.app_account_id
    runner = MemoryRunner()
    made = await create(workspaces, account, "half-made", configuration())
    runner.containers[made.workspace_id] = Observed(made.workspace_id, 1, Phase.STARTING)
    await reconciler(workspaces, runner, tmp_path).reconcile_once()
    assert runner.removed == [made.workspace_id]
    assert runner.starts == [(made.workspace_id, 1)]
    assert runner.containers[made.workspace_id].phase is Phase.RUNNING


async def test_a_new_workspace_is_placed_at_once_not_at_the_next_interval(registry, workspaces, tmp_path):
    account = registry.app_account_id
    runner = MemoryRunner()
    passes = reconciler(workspaces, runner, tmp_path)  # a 60 s interval: only the change stream can wake it
    passes.start()
    try:
        await eventually(lambda: runner.observations, lambda count: count >= 1, what="the first pass")
        made = await create(workspaces, account, "at-once", configuration())
        await eventually(lambda: runner.starts, lambda starts: starts == [(made.workspace_id, 1)], timeout_s=10)
    finally:
        await passes.stop()
