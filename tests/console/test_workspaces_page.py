"""Data Forest workspaces in the console: the list with each state as a badge, the account's
quota, and one workspace's fields and log following what its runner reports without a reload.
Workspaces are seeded through the registry's WorkspaceService as the Data Forest routes make them;
no runner (podman) takes them, so the test reports their status as one would."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.runtime.grpc_client import open_channel
from tests.console.conftest import ConsolePage, Person, bearer_of, new_person
from tests.service_token import SERVICE_TOKEN
from torii.v1 import workspace_service_pb2 as wss
from torii.v1 import workspace_service_pb2_grpc, workspaces_pb2


@pytest.fixture
async def workspaces(console: ConsolePage) -> AsyncIterator[workspace_service_pb2_grpc.WorkspaceServiceStub]:
    channel = open_channel(console.gateway.registry.address, default_timeout_s=10, service_token=SERVICE_TOKEN)
    try:
        yield workspace_service_pb2_grpc.WorkspaceServiceStub(channel)
    finally:
        await channel.close()


async def new_workspace(stub, owner: Person, name: str) -> workspaces_pb2.Workspace:
    configuration = workspaces_pb2.WorkspaceConfiguration(
        queue_name="cpu",
        resource=workspaces_pb2.WorkspaceResource(cpu_count=2, memory_mb=512),
        docker=workspaces_pb2.WorkspaceDocker(image="torii-python:3.11", command="python3", args="train.py"),
    )
    reply = await stub.CreateWorkspace(
        wss.CreateWorkspaceRequest(
            actor=wss.WorkspaceActor(user_id=owner.user_id),
            name=name,
            description="trains <b>the</b> model",
            configuration=configuration,
        )
    )
    return reply.workspace


async def report(stub, workspace: workspaces_pb2.Workspace, **status) -> None:
    reported = await stub.ReportWorkspaceStatus(
        wss.ReportWorkspaceStatusRequest(
            workspace_id=workspace.workspace_id,
            status=workspaces_pb2.WorkspaceStatus(generation=workspace.generation, **status),
        )
    )
    assert reported.recorded


async def test_the_list_the_quota_and_a_workspace_that_follows_its_runner(console: ConsolePage, workspaces):
    admin = await new_person(console.gateway)
    waiting = await new_workspace(workspaces, admin, "waits")
    training = await new_workspace(workspaces, admin, "trains")
    await console.sign_in(admin)
    page = console.page
    await console.open("#/workspaces")
    await page.locator(f"tr[data-workspace-id='{waiting.workspace_id}'] [data-state=pending]").wait_for()
    await page.locator(f"tr[data-workspace-id='{training.workspace_id}'] [data-state=pending]").wait_for()
    assert "Data Forest API" in await page.get_by_test_id("made-elsewhere").inner_text()
    quota = await (await console.gateway.client.get("/manage/v1/workspace-quota", headers=bearer_of(admin))).json()
    assert quota["used"]["workspaces"] == 2 and quota["used"]["cpu_count"] == 4
    for field in ("workspaces", "cpu_count", "memory_mb", "gpu_count"):
        row = page.locator(f"[data-testid=workspace-quota] tr[data-quota={field}]")
        assert await row.locator("[data-field=used]").inner_text() == str(quota["used"][field])
        assert await row.locator("[data-field=quota]").inner_text() == str(quota["quota"][field])

    # The list follows the runner too: a state reported now shows without a reload.
    await report(workspaces, waiting, state=workspaces_pb2.WORKSPACE_STATE_QUEUED, message="waiting for a GPU")
    await page.locator(f"tr[data-workspace-id='{waiting.workspace_id}'] [data-state=queued]").wait_for()

    await page.get_by_role("link", name="trains", exact=True).click()
    info = page.get_by_test_id("workspace-info")
    await info.wait_for()
    assert await info.locator("[data-field=description]").inner_text() == "trains <b>the</b> model"
    assert await info.locator("[data-field=image]").inner_text() == "torii-python:3.11"
    assert await info.locator("[data-field=command]").inner_text() == "python3 train.py"
    await page.get_by_test_id("workspace-log-empty").wait_for()

    await report(
        workspaces,
        training,
        state=workspaces_pb2.WORKSPACE_STATE_RUNNING,
        ports=[workspaces_pb2.PublishedPort(container_port=8888, host="127.0.0.1", host_port=40001)],
        log_tail="epoch 1 loss 0.9\n",
    )
    await info.locator("[data-field=state] [data-state=running]").wait_for()
    log = page.get_by_test_id("workspace-log")
    await log.wait_for()
    assert "epoch 1 loss 0.9" in await log.inner_text()
    assert "127.0.0.1:40001" in await info.locator("[data-port='8888']").inner_text()

    await report(
        workspaces,
        training,
        state=workspaces_pb2.WORKSPACE_STATE_FAILED,
        message="the command exited with 3",
        exit_code=3,
        log_tail="epoch 1 loss 0.9\nTraceback: out of memory\n",
    )
    await info.locator("[data-field=state] [data-state=failed]").wait_for()
    await log.get_by_text("Traceback: out of memory").wait_for()
    assert await info.locator("[data-field=exit_code]").inner_text() == "3"
    assert await info.locator("[data-field=message]").inner_text() == "the command exited with 3"
    console.assert_no_errors()


async def test_an_unknown_workspace_shows_the_servers_refusal(console: ConsolePage):
    admin = await new_person(console.gateway)
    await console.sign_in(admin)
    await console.open("#/workspaces/NoSuchWorkspace1")
    refusal = console.page.get_by_role("alert")
    await refusal.wait_for()
    answer = await console.gateway.client.get("/manage/v1/workspaces/NoSuchWorkspace1", headers=bearer_of(admin))
    assert answer.status == 404
    assert (await answer.json())["error"]["message"] in await refusal.inner_text()
    console.assert_no_errors("status of 404")


async def test_the_workspaces_page_in_japanese(console: ConsolePage, workspaces):
    admin = await new_person(console.gateway)
    await new_workspace(workspaces, admin, "jp")
    await console.sign_in(admin)
    page = console.page
    await console.open("#/workspaces")
    await page.get_by_role("heading", name="Workspaces", exact=True).wait_for()
    await page.get_by_test_id("language").select_option("ja")
    await page.get_by_role("heading", name="ワークスペース", exact=True).wait_for()
    assert await page.locator("[data-state=pending]").inner_text() == "待機中"
    assert "Data Forest API" in await page.get_by_test_id("made-elsewhere").inner_text()
    console.assert_no_errors()
