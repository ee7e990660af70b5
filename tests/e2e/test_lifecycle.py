"""What users do to a published API, seen from its inference URL: stop, start, lock, delete,
update the model version, a schedule window, a model Triton cannot load, per-day counts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from services.gateway.app_keys import RUNTIME
from services.runtime.service_auth import triton_headers
from services.scheduler.triton.control import TritonControl
from tests.e2e.test_nnc_errors import VECTOR, assert_contract_error
from tests.gateway.helpers import upload_form
from tests.polling import eventually
from tests.scheduler.onnx_models import affine_model
from tests.service_token import SERVICE_TOKEN
from tests.urls import path_of


@pytest.fixture
async def triton(platform) -> AsyncIterator[TritonControl]:
    """The platform's Triton, asked directly, as an operator would."""
    control = TritonControl(platform.triton_address, triton_headers(SERVICE_TOKEN))
    try:
        yield control
    finally:
        await control.close()


async def act(platform, api, verb):
    response = await platform.client.post(f"/manage/v1/apis/{api['api_id']}/{verb}", headers=platform.admin)
    assert response.status == 200, await response.text()
    return (await response.json())["api"]


async def test_stop_refuses_then_start_serves_again(platform):
    api = await platform.publish(affine_model(4, scale=1.0, bias=0.0))
    await act(platform, api, "stop")
    await platform.wait_for_status(api["api_id"], "stopped")
    status, body = await platform.infer(api, VECTOR)
    assert_contract_error(status, body, 503, "API_NOT_ENABLED", "API is not enabled")
    assert "stopped" in body["message"]
    await act(platform, api, "start")
    await platform.wait_for_status(api["api_id"], "running")
    status, body = await platform.infer(api, VECTOR)
    assert status == 200, body


async def test_a_locked_running_api_keeps_serving_and_refuses_stop(platform):
    api = await platform.publish(affine_model(4, scale=1.0, bias=0.0))
    await act(platform, api, "lock")
    status, _ = await platform.infer(api, VECTOR)
    assert status == 200
    response = await platform.client.post(f"/manage/v1/apis/{api['api_id']}/stop", headers=platform.admin)
    assert response.status == 409


async def test_delete_unloads_the_model_and_the_url_stops_answering(platform, triton):
    api = await platform.publish(affine_model(4, scale=1.0, bias=0.0))
    model_name = f"api_{api['api_id']}__{api['model_version_id']}"
    assert model_name in await triton.loaded_models()
    await act(platform, api, "stop")
    await platform.wait_for_status(api["api_id"], "stopped")
    response = await platform.client.delete(f"/manage/v1/apis/{api['api_id']}", headers=platform.admin)
    assert response.status in (200, 204), await response.text()
    await eventually(
        triton.loaded_models,
        lambda loaded: model_name not in loaded,
        timeout_s=10,
        interval_s=0.1,
        what=f"Triton to unload {model_name} after delete",
    )
    catalog = platform.client.app[RUNTIME].catalog
    await eventually(  # the gateway hears of it through its own watch
        lambda: catalog.find(path_of(api["url"])),
        lambda endpoint: endpoint is None,
        timeout_s=10,
        what="the gateway to drop the deleted API",
    )
    status, body = await platform.infer(api, VECTOR)
    assert_contract_error(status, body, 404, "NOT_FOUND", "No API")


async def test_an_update_goes_through_updating_without_refusing_requests(platform):
    api = await platform.publish(affine_model(4, scale=1.0, bias=0.0))
    version = await _new_version(platform, api, affine_model(4, scale=10.0, bias=0.0))
    refused = []

    async def keep_calling(stop: asyncio.Event):
        while not stop.is_set():
            status, body = await platform.infer(api, VECTOR)
            if status != 200:
                refused.append(body)
            await asyncio.sleep(0.01)

    stop = asyncio.Event()
    caller = asyncio.create_task(keep_calling(stop))
    response = await platform.client.patch(
        f"/manage/v1/apis/{api['api_id']}", json={"model_version_id": version}, headers=platform.admin
    )
    assert (await response.json())["api"]["status"] == "updating"
    await platform.wait_for_status(api["api_id"], "running")
    stop.set()
    await caller
    assert refused == []
    status, body = await platform.infer(api, VECTOR)
    assert body["outputs"][0]["data"] == "10.0, 20.0, 30.0, 40.0"
    assert (await platform.api(api["api_id"]))["serving_model_version_id"] == version


async def _new_version(platform, api, model: bytes) -> str:
    model_id = platform.model_ids[api["api_id"]]
    response = await platform.client.post(
        f"/manage/v1/models/{model_id}/versions", data=upload_form({}, model), headers=platform.admin
    )
    body = await response.json()
    assert response.status == 201, body
    return body["version"]["model_version_id"]


async def test_a_model_triton_cannot_load_leaves_the_api_failed_with_tritons_message(platform):
    # A valid ONNX graph whose output type the onnxruntime session rejects at load: Cast to an
    # undefined type. The upload accepts its signature; Triton's Python model fails to create it.
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Cast", ["x"], ["y"], to=TensorProto.FLOAT), helper.make_node("Relu", ["y"], ["z"])],
        "broken",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("z", TensorProto.FLOAT, ["batch", 4])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 99)])
    model.ir_version = 8
    api = await platform.publish(model.SerializeToString(), wait_for="failed")
    assert api["status_message"], "the failed status must say why"
    status, body = await platform.infer(api, VECTOR)
    assert_contract_error(status, body, 503, "API_NOT_READY", "API could not be deployed")


async def test_a_schedule_window_loads_and_unloads_with_the_clock(platform, triton):
    platform.clock.pinned = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)  # a Thursday
    schedule = {"always": False, "start_time": "09:00", "end_time": "17:00", "weekdays": ["thu"]}
    api = await platform.publish(affine_model(4, scale=1.0, bias=0.0), execution_type="dedicated", schedule=schedule)
    status, _ = await platform.infer(api, VECTOR)
    assert status == 200

    platform.clock.pinned = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
    status, body = await platform.infer(api, VECTOR)
    assert_contract_error(status, body, 503, "API_NOT_ENABLED", "API is outside its schedule")
    assert "09:00-17:00 UTC on Thu" in body["message"]
    platform.scheduler.reconciler.wake()
    await platform.wait_for_status(api["api_id"], "outside_schedule")
    model_name = f"api_{api['api_id']}__{api['model_version_id']}"
    assert model_name not in await triton.loaded_models()

    platform.clock.pinned = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)  # the next Thursday
    platform.scheduler.reconciler.wake()
    await platform.wait_for_status(api["api_id"], "running")
    status, _ = await platform.infer(api, VECTOR)
    assert status == 200


async def test_per_day_counts_by_status_class(platform):
    api = await platform.publish(affine_model(4, scale=1.0, bias=0.0))
    for _ in range(3):
        assert (await platform.infer(api, VECTOR))[0] == 200
    for _ in range(2):
        assert (await platform.infer(api, VECTOR, key="wrong"))[0] == 403
    await act(platform, api, "stop")
    await platform.wait_for_status(api["api_id"], "stopped")
    assert (await platform.infer(api, VECTOR))[0] == 503

    async def counts_per_day() -> list[tuple[int, int, int]]:
        response = await platform.client.get(f"/manage/v1/apis/{api['api_id']}/usage", headers=platform.admin)
        return [(day["count_2xx"], day["count_4xx"], day["count_5xx"]) for day in (await response.json())["days"]]

    await eventually(
        counts_per_day,
        lambda counts: counts == [(3, 2, 1)],
        timeout_s=10,
        interval_s=platform.usage_flush_interval_s,
        what="the usage to count (2xx, 4xx, 5xx) = (3, 2, 1) for today",
    )


async def test_operators_see_the_deployments_through_the_scheduler_service(platform):
    from services.runtime.grpc_client import open_channel
    from torii.v1 import scheduler_service_pb2 as spb
    from torii.v1 import scheduler_service_pb2_grpc

    api = await platform.publish(affine_model(4, scale=1.0, bias=0.0), execution_type="dedicated", instance_count=2)
    async with open_channel(
        f"127.0.0.1:{platform.scheduler_port}", default_timeout_s=10, service_token=SERVICE_TOKEN
    ) as channel:
        listed = await scheduler_service_pb2_grpc.SchedulerServiceStub(channel).ListDeployments(
            spb.ListDeploymentsRequest()
        )
    assert [(triton.address, triton.ready) for triton in listed.tritons] == [(platform.triton_address, True)]
    mine = [deployment for deployment in listed.deployments if deployment.api_id == api["api_id"]]
    assert len(mine) == 1
    deployment = mine[0]
    assert deployment.model_version_id == api["model_version_id"]
    assert deployment.triton_model == f"api_{api['api_id']}__{api['model_version_id']}"
    assert (deployment.backend, deployment.instance_kind, deployment.instance_count) == ("python", "KIND_CPU", 2)
    assert deployment.max_batch_size == 64 and deployment.dynamic_batching and not deployment.retiring
