"""WorkspaceService: Data Forest workspaces under names unique per account, within the account's
quota (exact under concurrent requests), their configuration history, deletion that frees the name,
and the runner's view and reports."""

from __future__ import annotations

import asyncio

import grpc
import pytest

from services.runtime.grpc_client import open_channel
from tests.registry.helpers import make_member
from tests.registry.training_helpers import rpc_error
from tests.service_token import SERVICE_TOKEN
from torii.v1 import registry_service_pb2 as registry_pb
from torii.v1 import workspace_service_pb2 as pb
from torii.v1 import workspace_service_pb2_grpc, workspaces_pb2


@pytest.fixture
async def workspaces(registry):
    channel = open_channel(registry.address, default_timeout_s=10, service_token=SERVICE_TOKEN)
    try:
        yield workspace_service_pb2_grpc.WorkspaceServiceStub(channel)
    finally:
        await channel.close()


def configuration(
    cpus: int = 1, memory_mb: int = 512, command: str = "echo hi"
) -> workspaces_pb2.WorkspaceConfiguration:
    return workspaces_pb2.WorkspaceConfiguration(
        queue_name="cpu",
        resource=workspaces_pb2.WorkspaceResource(cpu_count=cpus, memory_mb=memory_mb),
        docker=workspaces_pb2.WorkspaceDocker(image="torii-python:3.11", command=command, env={"A": "1"}),
        inputs=[workspaces_pb2.WorkspaceInput(source="in/data.csv", path="/data/in.csv")],
    )


def user(user_id: str) -> pb.WorkspaceActor:
    return pb.WorkspaceActor(user_id=user_id)


def key_of(account_id: str) -> pb.WorkspaceActor:
    return pb.WorkspaceActor(key_account_id=account_id)


async def create(stub, actor: pb.WorkspaceActor, name: str, **kwargs) -> workspaces_pb2.Workspace:
    response = await stub.CreateWorkspace(
        pb.CreateWorkspaceRequest(actor=actor, name=name, description="d", configuration=configuration(**kwargs))
    )
    return response.workspace


async def test_a_workspace_is_kept_with_its_configuration_and_listed(registry, workspaces):
    actor = key_of(registry.app_account_id)
    made = await create(workspaces, actor, "train-1")
    assert 1 <= len(made.workspace_id) <= 22 and made.workspace_id.isalnum()
    assert (made.account_id, made.name, made.generation) == (registry.app_account_id, "train-1", 1)
    assert made.status.state == workspaces_pb2.WORKSPACE_STATE_PENDING
    got = (await workspaces.GetWorkspace(pb.GetWorkspaceRequest(actor=actor, workspace_id=made.workspace_id))).workspace
    assert got.configuration == configuration()
    listed = await workspaces.ListWorkspaces(pb.ListWorkspacesRequest(actor=user(registry.admin_user_id)))
    assert [workspace.name for workspace in listed.workspaces] == ["train-1"]


async def test_names_are_unique_among_live_workspaces_and_free_again_once_deleted(registry, workspaces):
    actor = key_of(registry.app_account_id)
    made = await create(workspaces, actor, "same")
    error = await rpc_error(create(workspaces, actor, "same"))
    assert error.code() == grpc.StatusCode.ALREADY_EXISTS
    check = pb.CheckWorkspaceNameRequest(actor=actor, name="same")
    assert not (await workspaces.CheckWorkspaceName(check)).available
    await workspaces.DeleteWorkspace(pb.DeleteWorkspaceRequest(actor=actor, workspace_id=made.workspace_id))
    assert (await workspaces.CheckWorkspaceName(check)).available
    error = await rpc_error(
        workspaces.GetWorkspace(pb.GetWorkspaceRequest(actor=actor, workspace_id=made.workspace_id))
    )
    assert error.code() == grpc.StatusCode.NOT_FOUND
    again = await create(workspaces, actor, "same")
    assert again.workspace_id != made.workspace_id
    # The runner still sees the deleted one until it forgets it.
    runner = (await workspaces.ListRunnerWorkspaces(pb.ListRunnerWorkspacesRequest())).workspaces
    assert {(item.workspace_id, item.deleted) for item in runner} == {
        (made.workspace_id, True),
        (again.workspace_id, False),
    }
    await workspaces.ForgetWorkspace(pb.ForgetWorkspaceRequest(workspace_id=made.workspace_id))
    runner = (await workspaces.ListRunnerWorkspaces(pb.ListRunnerWorkspacesRequest())).workspaces
    assert [item.workspace_id for item in runner] == [again.workspace_id]


async def test_the_quota_holds_under_concurrent_creates_and_stores_nothing_past_it(registry, workspaces):
    admin = user(registry.admin_user_id)
    account = registry.app_account_id
    quota = workspaces_pb2.WorkspaceQuota(workspaces=20, cpu_count=5, memory_mb=100_000, gpu_count=0)
    await workspaces.SetWorkspaceQuota(pb.SetWorkspaceQuotaRequest(actor=admin, account_id=account, quota=quota))
    results = await asyncio.gather(
        *(create(workspaces, key_of(account), f"w{index}") for index in range(12)), return_exceptions=True
    )
    made = [result for result in results if isinstance(result, workspaces_pb2.Workspace)]
    refused = [result for result in results if isinstance(result, grpc.aio.AioRpcError)]
    assert (len(made), len(refused)) == (5, 7)
    assert {error.code() for error in refused} == {grpc.StatusCode.RESOURCE_EXHAUSTED}
    assert {error.details() for error in refused} == {"exceeded limit on resource quota"}
    state = await workspaces.GetWorkspaceQuota(pb.GetWorkspaceQuotaRequest(actor=admin))
    assert (state.used.workspaces, state.used.cpu_count, state.used.memory_mb) == (5, 5, 5 * 512)
    listed = await workspaces.ListWorkspaces(pb.ListWorkspacesRequest(actor=admin))
    assert len(listed.workspaces) == 5


async def test_a_new_configuration_is_kept_in_the_history_within_the_quota(registry, workspaces):
    admin = user(registry.admin_user_id)
    actor = key_of(registry.app_account_id)
    quota = workspaces_pb2.WorkspaceQuota(workspaces=5, cpu_count=4, memory_mb=10_000, gpu_count=0)
    await workspaces.SetWorkspaceQuota(
        pb.SetWorkspaceQuotaRequest(actor=admin, account_id=registry.app_account_id, quota=quota)
    )
    made = await create(workspaces, actor, "grow", cpus=2)
    # Its own 2 CPUs are given back first: 4 fits, 5 does not.
    changed = await workspaces.SetWorkspaceConfiguration(
        pb.SetWorkspaceConfigurationRequest(
            actor=actor, workspace_id=made.workspace_id, configuration=configuration(cpus=4, command="echo two")
        )
    )
    assert (changed.workspace.generation, changed.workspace.configuration.docker.command) == (2, "echo two")
    assert changed.workspace.status.state == workspaces_pb2.WORKSPACE_STATE_PENDING
    error = await rpc_error(
        workspaces.SetWorkspaceConfiguration(
            pb.SetWorkspaceConfigurationRequest(
                actor=actor, workspace_id=made.workspace_id, configuration=configuration(cpus=5)
            )
        )
    )
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    history = await workspaces.ListWorkspaceConfigurations(
        pb.ListWorkspaceConfigurationsRequest(actor=actor, workspace_id=made.workspace_id)
    )
    assert [(record.generation, record.configuration.docker.command) for record in history.configurations] == [
        (1, "echo hi"),
        (2, "echo two"),
    ]


async def test_the_runner_reports_the_status_of_the_current_generation_only(registry, workspaces):
    actor = key_of(registry.app_account_id)
    made = await create(workspaces, actor, "runs")
    running = workspaces_pb2.WorkspaceStatus(
        state=workspaces_pb2.WORKSPACE_STATE_RUNNING,
        generation=1,
        ports=[workspaces_pb2.PublishedPort(container_port=8000, host="127.0.0.1", host_port=40001)],
        log_tail="hello\n",
    )
    reported = await workspaces.ReportWorkspaceStatus(
        pb.ReportWorkspaceStatusRequest(workspace_id=made.workspace_id, status=running)
    )
    assert reported.recorded
    got = (await workspaces.GetWorkspace(pb.GetWorkspaceRequest(actor=actor, workspace_id=made.workspace_id))).workspace
    assert got.status == running
    await workspaces.SetWorkspaceConfiguration(
        pb.SetWorkspaceConfigurationRequest(actor=actor, workspace_id=made.workspace_id, configuration=configuration())
    )
    stale = await workspaces.ReportWorkspaceStatus(
        pb.ReportWorkspaceStatusRequest(workspace_id=made.workspace_id, status=running)
    )
    assert not stale.recorded
    got = (await workspaces.GetWorkspace(pb.GetWorkspaceRequest(actor=actor, workspace_id=made.workspace_id))).workspace
    assert (got.status.state, got.status.generation) == (workspaces_pb2.WORKSPACE_STATE_PENDING, 2)


async def test_an_actor_sees_only_its_own_account(registry, workspaces):
    other_account = (
        await registry.stub.CreateAccount(
            registry_pb.CreateAccountRequest(actor_user_id=registry.admin_user_id, name="other")
        )
    ).account.account_id
    member = await make_member(registry.stub, registry.admin_user_id, account_id=other_account)
    theirs = await create(workspaces, key_of(other_account), "theirs")
    mine = key_of(registry.app_account_id)
    error = await rpc_error(
        workspaces.GetWorkspace(pb.GetWorkspaceRequest(actor=mine, workspace_id=theirs.workspace_id))
    )
    assert error.code() == grpc.StatusCode.NOT_FOUND
    error = await rpc_error(
        workspaces.CreateWorkspace(
            pb.CreateWorkspaceRequest(actor=mine, account_id=other_account, name="x", configuration=configuration())
        )
    )
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    seen = await workspaces.ListWorkspaces(pb.ListWorkspacesRequest(actor=user(member.user.user_id)))
    assert [workspace.name for workspace in seen.workspaces] == ["theirs"]
    # The admin user sees every account; a member may not set quotas.
    admin_view = await workspaces.GetWorkspace(
        pb.GetWorkspaceRequest(actor=user(registry.admin_user_id), workspace_id=theirs.workspace_id)
    )
    assert admin_view.workspace.name == "theirs"
    error = await rpc_error(
        workspaces.SetWorkspaceQuota(
            pb.SetWorkspaceQuotaRequest(
                actor=user(member.user.user_id), account_id=other_account, quota=workspaces_pb2.WorkspaceQuota()
            )
        )
    )
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_what_no_caller_is_trusted_with_is_checked_here_too(registry, workspaces):
    actor = key_of(registry.app_account_id)
    bad = configuration()
    bad.docker.image = "tensorflow/r2.3.1-py3"
    for name, config in (("Bad", configuration()), ("ok", bad), ("ok", configuration(cpus=0))):
        error = await rpc_error(
            workspaces.CreateWorkspace(pb.CreateWorkspaceRequest(actor=actor, name=name, configuration=config))
        )
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert (await workspaces.ListWorkspaces(pb.ListWorkspacesRequest(actor=actor))).workspaces == []


async def test_creates_new_configurations_and_deletes_are_streamed_and_status_reports_are_not(registry, workspaces):
    actor = key_of(registry.app_account_id)
    stream = workspaces.WatchWorkspaceChanges(pb.WatchWorkspaceChangesRequest())
    seen: asyncio.Queue = asyncio.Queue()

    async def read() -> None:
        async for change in stream:
            seen.put_nowait(change.workspace_id)

    reader = asyncio.create_task(read())
    try:
        # The stream is live once a change made after subscribing arrives; earlier ones may not.
        first = await create(workspaces, actor, "first")
        while await asyncio.wait_for(seen.get(), 10) != first.workspace_id:
            pass
        report = workspaces_pb2.WorkspaceStatus(state=workspaces_pb2.WORKSPACE_STATE_RUNNING, generation=1)
        await workspaces.ReportWorkspaceStatus(
            pb.ReportWorkspaceStatusRequest(workspace_id=first.workspace_id, status=report)
        )
        await workspaces.SetWorkspaceConfiguration(
            pb.SetWorkspaceConfigurationRequest(
                actor=actor, workspace_id=first.workspace_id, configuration=configuration()
            )
        )
        await workspaces.DeleteWorkspace(pb.DeleteWorkspaceRequest(actor=actor, workspace_id=first.workspace_id))
        changes = [await asyncio.wait_for(seen.get(), 10) for _ in range(2)]
        assert changes == [first.workspace_id, first.workspace_id]
        second = await create(workspaces, actor, "second")
        assert await asyncio.wait_for(seen.get(), 10) == second.workspace_id
    finally:
        reader.cancel()
        stream.cancel()


async def test_lists_leave_log_tails_out_and_a_report_without_one_keeps_the_recorded_tail(registry, workspaces):
    actor = key_of(registry.app_account_id)
    made = await create(workspaces, actor, "logs")
    running = workspaces_pb2.WorkspaceStatus(
        state=workspaces_pb2.WORKSPACE_STATE_RUNNING, generation=1, log_tail="x" * 65536
    )
    await workspaces.ReportWorkspaceStatus(
        pb.ReportWorkspaceStatusRequest(workspace_id=made.workspace_id, status=running)
    )
    [listed] = (await workspaces.ListWorkspaces(pb.ListWorkspacesRequest(actor=actor))).workspaces
    [for_runner] = (await workspaces.ListRunnerWorkspaces(pb.ListRunnerWorkspacesRequest())).workspaces
    assert listed.status.log_tail == for_runner.status.log_tail == ""
    assert listed.status.state == for_runner.status.state == workspaces_pb2.WORKSPACE_STATE_RUNNING
    ended = workspaces_pb2.WorkspaceStatus(state=workspaces_pb2.WORKSPACE_STATE_SUCCEEDED, generation=1, exit_code=0)
    await workspaces.ReportWorkspaceStatus(
        pb.ReportWorkspaceStatusRequest(workspace_id=made.workspace_id, status=ended)
    )
    got = (await workspaces.GetWorkspace(pb.GetWorkspaceRequest(actor=actor, workspace_id=made.workspace_id))).workspace
    assert (got.status.state, got.status.log_tail) == (workspaces_pb2.WORKSPACE_STATE_SUCCEEDED, "x" * 65536)


async def test_the_configuration_history_keeps_the_newest_configurations(registry, workspaces, monkeypatch):
    from services.registry.storage import workspaces as storage

    monkeypatch.setattr(storage, "KEPT_CONFIGURATIONS", 3)
    actor = key_of(registry.app_account_id)
    made = await create(workspaces, actor, "history")
    for index in range(4):
        await workspaces.SetWorkspaceConfiguration(
            pb.SetWorkspaceConfigurationRequest(
                actor=actor, workspace_id=made.workspace_id, configuration=configuration(command=f"echo {index}")
            )
        )
    history = await workspaces.ListWorkspaceConfigurations(
        pb.ListWorkspaceConfigurationsRequest(actor=actor, workspace_id=made.workspace_id)
    )
    assert [record.generation for record in history.configurations] == [3, 4, 5]
