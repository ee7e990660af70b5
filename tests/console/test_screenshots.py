"""The README's pictures of the console, taken of seeded data when TORII_CONSOLE_SCREENSHOTS names
the folder to write them to (docs/console); skipped otherwise, so the suite writes nothing.

What no route of this gateway can make is seeded as the console's own tests seed it: usage through
the registry's RecordUsage, workspaces through its WorkspaceService, training jobs through its
TrainingRegistryService (created, claimed, reported on, finished or failed as a trainer would)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scripts.console_screenshots import VIEWPORT, signed_out_screenshot, take_screenshots
from services.runtime.grpc_client import open_channel
from tests.console.conftest import ConsolePage, Person, bearer_of, new_person
from tests.console.test_training_pages import failed_job, running_job
from tests.gateway.helpers import create_api, upload_form, upload_model
from tests.gateway.test_chat_models import FAKE_GGUF
from tests.registry.training_helpers import trained_version, training_stub
from tests.service_token import SERVICE_TOKEN
from torii.v1 import apis_pb2, workspace_service_pb2_grpc, workspaces_pb2
from torii.v1 import registry_service_pb2 as rs
from torii.v1 import workspace_service_pb2 as wss

OUT = os.environ.get("TORII_CONSOLE_SCREENSHOTS")
TODAY = datetime.now(UTC).date()


async def seed_api(console: ConsolePage, admin: Person, uploaded: dict) -> None:
    """The uploaded ONNX classifier published as a trial API with an allowlist and a month of requests."""
    gateway = console.gateway
    api = (
        await create_api(
            gateway,
            uploaded["version"]["model_version_id"],
            headers=bearer_of(admin),
            name="iris",
            api_type="trial",
            rules=[{"cidr": "203.0.113.0/24"}],
        )
    )["api"]
    await gateway.registry.stub.RecordUsage(
        rs.RecordUsageRequest(
            increments=[
                apis_pb2.DailyUsage(
                    api_id=api["api_id"],
                    day=(TODAY - timedelta(days=back)).isoformat(),
                    count_2xx=(back * 7) % 23 + 3,
                    count_4xx=back % 4,
                    count_5xx=1 if back % 9 == 0 else 0,
                )
                for back in range(0, 30, 2)
            ]
        )
    )


async def seed_chat_keys(console: ConsolePage, admin: Person) -> None:
    """A chat API (a fake GGUF: nothing serves it here) and two keys on it, one with limits and projects."""
    gateway = console.gateway
    form = upload_form({"name": "assistant-7b", "format": "gguf"}, FAKE_GGUF, "assistant-7b.gguf")
    uploaded = await gateway.client.post("/manage/v1/models", data=form, headers=bearer_of(admin))
    body = await uploaded.json()
    assert uploaded.status == 201, body
    chat = (
        await create_api(
            gateway,
            body["version"]["model_version_id"],
            headers=bearer_of(admin),
            name="assistant",
            execution_type="dedicated",
            chat_model_id="acme/assistant-7b",
        )
    )["api"]
    for key in (
        {
            "name": "search team",
            "api_ids": [chat["api_id"]],
            "limits": {"requests_per_minute": 60, "tokens_per_day": 200_000},
            "projects": ["search/ranking", "search/answers"],
            "default_project": "search/answers",
        },
        {"name": "prototype", "api_ids": [chat["api_id"]]},
    ):
        created = await gateway.client.post("/manage/v1/chat-keys", json=key, headers=bearer_of(admin))
        assert created.status == 201, await created.text()


async def seed_workspaces(console: ConsolePage, admin: Person) -> None:
    """Three workspaces as Data Forest's routes make them, one running, one queued, one done."""
    channel = open_channel(console.gateway.registry.address, default_timeout_s=10, service_token=SERVICE_TOKEN)
    try:
        stub = workspace_service_pb2_grpc.WorkspaceServiceStub(channel)
        for name, description, state, gpus in (
            ("notebook", "JupyterLab for exploring the sales data", workspaces_pb2.WORKSPACE_STATE_RUNNING, 0),
            ("fine-tune", "fine-tunes the assistant on support tickets", workspaces_pb2.WORKSPACE_STATE_QUEUED, 1),
            ("nightly-report", "builds the nightly report", workspaces_pb2.WORKSPACE_STATE_SUCCEEDED, 0),
        ):
            configuration = workspaces_pb2.WorkspaceConfiguration(
                queue_name="gpu" if gpus else "cpu",
                resource=workspaces_pb2.WorkspaceResource(cpu_count=2, memory_mb=4096, gpu_count=gpus),
                docker=workspaces_pb2.WorkspaceDocker(image="torii-python:3.11", command="python3", args="main.py"),
            )
            workspace = (
                await stub.CreateWorkspace(
                    wss.CreateWorkspaceRequest(
                        actor=wss.WorkspaceActor(user_id=admin.user_id),
                        name=name,
                        description=description,
                        configuration=configuration,
                    )
                )
            ).workspace
            reported = await stub.ReportWorkspaceStatus(
                wss.ReportWorkspaceStatusRequest(
                    workspace_id=workspace.workspace_id,
                    status=workspaces_pb2.WorkspaceStatus(generation=workspace.generation, state=state),
                )
            )
            assert reported.recorded
    finally:
        await channel.close()


async def seed_training(console: ConsolePage, admin: Person) -> None:
    """One finished job (its model and data set), one failed, and the newest running at 62.5%."""
    async with training_stub(console.gateway.registry.address) as stub:
        await trained_version(stub, admin.user_id, model_name="iris-species")
        await failed_job(stub, admin, "churn", "the target column churn has one value only")
        await running_job(stub, admin, "house-prices", percent=62.5)


@pytest.mark.skipif(not OUT, reason="set TORII_CONSOLE_SCREENSHOTS=docs/console to write the README's screenshots")
async def test_take_the_readmes_screenshots(console: ConsolePage):
    out_dir = Path(OUT or "")
    admin = await new_person(console.gateway, name="admin-ada")
    await new_person(console.gateway, role="member", name="member-grace")
    # The pictures show the first model (models are listed oldest first) and the first API (newest first).
    uploaded = await upload_model(console.gateway, name="iris-classifier", headers=bearer_of(admin))
    await seed_chat_keys(console, admin)
    await seed_api(console, admin, uploaded)
    await seed_workspaces(console, admin)
    await seed_training(console, admin)
    await console.page.set_viewport_size(VIEWPORT)
    await signed_out_screenshot(console.page, console.base_url, out_dir)
    await console.sign_in(admin)
    written = await take_screenshots(console.page, console.base_url, out_dir)
    assert {path.name for path in written} >= {
        "apis.png",
        "api-screen.png",
        "models.png",
        "users.png",
        "chat-keys.png",
        "workspaces.png",
        "training.png",
        "training-job.png",
    }
    console.assert_no_errors()
