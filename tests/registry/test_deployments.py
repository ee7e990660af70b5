"""The scheduler's side of the registry: model versions by id and deployment reports."""

import asyncio
import functools

import grpc
import pytest

from tests.registry.helpers import make_api, make_version, version_spec
from tests.registry.test_apis import rpc_error
from torii.v1 import apis_pb2
from torii.v1 import registry_service_pb2 as pb


def report(api, status, message="", version_id=None):
    return pb.ReportDeploymentRequest(
        api_id=api.api_id,
        model_version_id=version_id or api.model_version_id,
        status=status,
        status_message=message,
    )


async def act(registry, rpc, request_type, api):
    return (await rpc(request_type(actor_user_id=registry.admin_user_id, api_id=api.api_id))).api


@pytest.fixture
async def published(registry):
    version = await make_version(registry.stub, registry.admin_user_id)
    return (await make_api(registry.stub, registry.admin_user_id, version.model_version_id)).api


async def test_get_model_version_answers_services_without_an_actor(registry):
    version = await make_version(registry.stub, registry.admin_user_id)
    fetched = await registry.stub.GetModelVersion(pb.GetModelVersionRequest(model_version_id=version.model_version_id))
    assert fetched.model_version == version
    missing = await rpc_error(
        registry.stub.GetModelVersion(
            pb.GetModelVersionRequest(model_version_id="00000000-0000-0000-0000-000000000000")
        )
    )
    assert missing.code() == grpc.StatusCode.NOT_FOUND


async def test_running_report_sets_the_serving_version(registry, published):
    assert published.serving_model_version_id == ""
    answer = await registry.stub.ReportDeployment(report(published, apis_pb2.API_STATUS_RUNNING, "loaded"))
    assert answer.applied
    assert answer.api.status == apis_pb2.API_STATUS_RUNNING
    assert answer.api.serving_model_version_id == published.model_version_id
    again = await registry.stub.ReportDeployment(report(published, apis_pb2.API_STATUS_RUNNING, "loaded"))
    assert not again.applied


async def test_a_failed_load_keeps_tritons_message(registry, published):
    answer = await registry.stub.ReportDeployment(
        report(published, apis_pb2.API_STATUS_FAILED, "failed to load 'x': protobuf parsing failed")
    )
    assert answer.api.status == apis_pb2.API_STATUS_FAILED
    assert "protobuf parsing failed" in answer.api.status_message
    assert answer.api.serving_model_version_id == ""


async def test_a_users_stop_wins_over_a_racing_report(registry, published):
    stopped = await act(registry, registry.stub.StopApi, pb.StopApiRequest, published)
    answer = await registry.stub.ReportDeployment(report(published, apis_pb2.API_STATUS_RUNNING))
    assert not answer.applied and answer.api.status == apis_pb2.API_STATUS_STOPPED
    assert answer.api == stopped


async def test_stop_clears_the_serving_version(registry, published):
    await registry.stub.ReportDeployment(report(published, apis_pb2.API_STATUS_RUNNING))
    stopped = await act(registry, registry.stub.StopApi, pb.StopApiRequest, published)
    assert stopped.serving_model_version_id == ""
    started = await act(registry, registry.stub.StartApi, pb.StartApiRequest, published)
    assert started.status == apis_pb2.API_STATUS_BUILDING


async def test_an_update_serves_the_old_version_until_the_new_one_runs(registry, published):
    await registry.stub.ReportDeployment(report(published, apis_pb2.API_STATUS_RUNNING))
    old_version = published.model_version_id
    second = await registry.stub.CreateModelVersion(
        pb.CreateModelVersionRequest(
            actor_user_id=registry.admin_user_id,
            model_id=(
                await registry.stub.GetModelVersion(pb.GetModelVersionRequest(model_version_id=old_version))
            ).model_version.model_id,
            version=version_spec(),
        )
    )
    new_version = second.model_version.model_version_id
    updated = (
        await registry.stub.UpdateApi(
            pb.UpdateApiRequest(
                actor_user_id=registry.admin_user_id, api_id=published.api_id, model_version_id=new_version
            )
        )
    ).api
    assert updated.status == apis_pb2.API_STATUS_UPDATING
    assert updated.serving_model_version_id == old_version

    stale = await registry.stub.ReportDeployment(report(published, apis_pb2.API_STATUS_RUNNING, version_id=old_version))
    assert not stale.applied and stale.api.status == apis_pb2.API_STATUS_UPDATING

    done = await registry.stub.ReportDeployment(report(updated, apis_pb2.API_STATUS_RUNNING))
    assert done.api.status == apis_pb2.API_STATUS_RUNNING
    assert done.api.serving_model_version_id == new_version


async def test_outside_schedule_is_reported_and_left_by_the_next_load(registry, published):
    outside = await registry.stub.ReportDeployment(
        report(published, apis_pb2.API_STATUS_OUTSIDE_SCHEDULE, "window closed")
    )
    assert outside.api.status == apis_pb2.API_STATUS_OUTSIDE_SCHEDULE
    running = await registry.stub.ReportDeployment(report(published, apis_pb2.API_STATUS_RUNNING))
    assert running.api.status == apis_pb2.API_STATUS_RUNNING


@pytest.mark.parametrize(
    "status", [apis_pb2.API_STATUS_STOPPED, apis_pb2.API_STATUS_UPDATING, apis_pb2.API_STATUS_UNSPECIFIED, 99]
)
async def test_the_scheduler_cannot_report_a_users_statuses(registry, published, status):
    error = await rpc_error(registry.stub.ReportDeployment(report(published, status)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    current = await registry.stub.GetApi(
        pb.GetApiRequest(actor_user_id=registry.admin_user_id, api_id=published.api_id)
    )
    assert current.api.status == apis_pb2.API_STATUS_BUILDING


async def test_serverless_apis_refuse_models_of_64_mb_or_more(registry):
    big = await registry.stub.CreateModel(
        pb.CreateModelRequest(
            actor_user_id=registry.admin_user_id, name="big", first_version=version_spec(size_bytes=64 * 1024 * 1024)
        )
    )
    version_id = big.model_version.model_version_id
    error = await rpc_error(make_api(registry.stub, registry.admin_user_id, version_id))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "under 64 MB" in error.details()
    dedicated = await make_api(
        registry.stub, registry.admin_user_id, version_id, execution_type=apis_pb2.EXECUTION_TYPE_DEDICATED
    )
    moved = await rpc_error(
        registry.stub.UpdateApi(
            pb.UpdateApiRequest(
                actor_user_id=registry.admin_user_id,
                api_id=dedicated.api.api_id,
                execution_type=apis_pb2.EXECUTION_TYPE_SERVERLESS,
            )
        )
    )
    assert moved.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_concurrent_changes_never_combine_into_a_serverless_api_with_a_big_model(registry):
    """One request moves the API to serverless, another gives it a big model: each fits alone."""
    small = await make_version(registry.stub, registry.admin_user_id, name="small")
    big = await registry.stub.CreateModel(
        pb.CreateModelRequest(
            actor_user_id=registry.admin_user_id, name="big", first_version=version_spec(size_bytes=64 * 1024 * 1024)
        )
    )
    for attempt in range(15):
        api = (
            await make_api(
                registry.stub,
                registry.admin_user_id,
                small.model_version_id,
                name=f"race {attempt}",
                execution_type=apis_pb2.EXECUTION_TYPE_DEDICATED,
            )
        ).api
        update = functools.partial(pb.UpdateApiRequest, actor_user_id=registry.admin_user_id, api_id=api.api_id)
        await asyncio.gather(
            registry.stub.UpdateApi(update(execution_type=apis_pb2.EXECUTION_TYPE_SERVERLESS)),
            registry.stub.UpdateApi(update(model_version_id=big.model_version.model_version_id)),
            return_exceptions=True,
        )
        final = (
            await registry.stub.GetApi(pb.GetApiRequest(actor_user_id=registry.admin_user_id, api_id=api.api_id))
        ).api
        assert not (
            final.execution_type == apis_pb2.EXECUTION_TYPE_SERVERLESS
            and final.model_version_id == big.model_version.model_version_id
        ), f"attempt {attempt}: a serverless API now serves a 64 MB model"
