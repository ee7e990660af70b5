"""Every NNC failure answers {"code", "error", "message", "data": {"request_id"}}."""

from __future__ import annotations

import asyncio
import collections

import aiohttp
import pytest

from tests.polling import eventually
from tests.scheduler.onnx_models import affine_model
from tests.urls import path_of

VECTOR = [{"name": "x", "type": "vector", "data": [1, 2, 3, 4]}]


def assert_contract_error(status: int, body: dict, http_status: int, error: str, message_start: str) -> None:
    assert status == http_status, body
    assert set(body) == {"code", "error", "message", "data"}
    assert body["error"] == error and body["message"].startswith(message_start)
    assert body["code"].startswith(str(http_status)) and len(body["code"]) == 10
    assert body["data"]["request_id"]


@pytest.fixture
async def api(platform):
    return await platform.publish(affine_model(4, scale=1.0, bias=0.0))


async def test_a_wrong_or_missing_key_is_access_denied(platform, api):
    real = platform.keys[api["api_id"]]
    altered = real[:-1] + ("1" if real.endswith("0") else "0")
    for key in ("", "not-a-key", altered):
        status, body = await platform.infer(api, VECTOR, key=key)
        assert_contract_error(status, body, 403, "ACCESS_DENIED", "Invalid API key")
        assert body["code"] == "4031020301"


async def test_the_request_id_in_the_error_is_the_callers(platform, api):
    status, body = await platform.infer(api, VECTOR, key="wrong", headers={"x-request-id": "trace-42"})
    assert status == 403 and body["data"]["request_id"] == "trace-42"


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("not json", "not JSON"),
        ([1, 2], "JSON object"),
        ({"executor": 5, "inputs": VECTOR}, "executor"),
        ({"executor": "Executor", "inputs": []}, ""),
        ({"executor": "Executor", "inputs": [{"name": "z", "type": "vector", "data": [1]}]}, "'z'"),
        ({"executor": "Executor", "inputs": [{"name": "x", "type": "png", "data": "%%%"}]}, "base64"),
        ({"executor": "Executor", "inputs": [{"name": "x", "type": "mp3", "data": "AAAA"}]}, "mp3"),
    ],
)
async def test_bad_bodies_are_invalid_requests(platform, api, body, detail):
    path = path_of(api["url"])
    headers = {"x-api-key": platform.keys[api["api_id"]]}
    if isinstance(body, str):
        response = await platform.client.post(path, data=body, headers=headers)
    else:
        response = await platform.client.post(path, json=body, headers=headers)
    answer = await response.json()
    assert_contract_error(response.status, answer, 400, "INVALID_REQUEST", "Invalid request")
    assert detail in answer["message"]


async def test_unknown_urls_answer_json_in_the_contracts_shape(platform, api):
    missing = api["url"].replace(api["api_id"], "00000000-0000-0000-0000-000000000000")
    path = path_of(missing)
    response = await platform.client.post(path, json={"inputs": VECTOR})
    assert_contract_error(response.status, await response.json(), 404, "NOT_FOUND", "No API")
    response = await platform.client.post("/v1/serverless/nothing", json={})
    assert_contract_error(response.status, await response.json(), 404, "NOT_FOUND", "No API")
    wrong_form = path.replace("/serverless/", "/dedicated/").replace(
        "00000000-0000-0000-0000-000000000000", api["api_id"]
    )
    response = await platform.client.post(
        wrong_form, json={"inputs": VECTOR}, headers={"x-api-key": platform.keys[api["api_id"]]}
    )
    assert response.status == 404, "the URL of the other execution type must not answer"


async def test_public_off_and_stopped_apis_are_not_enabled(platform, api):
    response = await platform.client.patch(
        f"/manage/v1/apis/{api['api_id']}", json={"public": False}, headers=platform.admin
    )
    assert response.status == 200, await response.text()
    await _until_seen(
        platform, path_of(api["url"]), lambda endpoint: not endpoint.api.public, what="the gateway to see public off"
    )
    status, body = await platform.infer(api, VECTOR)
    assert_contract_error(status, body, 503, "API_NOT_ENABLED", "API is not enabled")
    assert "Public" in body["message"]


async def test_the_trial_quota_is_exact_under_3000_concurrent_connections(platform):
    """Each connection its own: the gateway must not pass the burst on to the registry at once,
    whose gRPC server drops calls past its pending limit (the callers got 503, not the quota)."""
    api = await platform.publish(affine_model(4, scale=1.0, bias=0.0), api_type="trial")
    url = platform.client.make_url(path_of(api["url"]))
    body = {"executor": "Executor", "inputs": VECTOR}
    headers = {"x-api-key": platform.keys[api["api_id"]]}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def call() -> tuple[int, dict]:
            async with session.post(url, json=body, headers=headers) as response:
                return response.status, await response.json()

        answers = await asyncio.gather(*(call() for _ in range(3000)))
    statuses = [status for status, _ in answers]
    assert statuses.count(200) == 100 and statuses.count(429) == 2900, collections.Counter(statuses)
    refused = next(body for status, body in answers if status == 429)
    assert_contract_error(429, refused, 429, "QUOTA_EXCEEDED", "Can not publish api")
    assert (await platform.api(api["api_id"]))["trial"] == {"limit": 100, "used": 100, "remaining": 0}


async def test_the_allowlist_decides_by_the_tcp_peer_and_trusted_proxies_only(platform, start_gateway, api):
    rule = {"cidr": "127.0.0.0/8", "action": "deny", "priority": -1}
    response = await platform.client.post(f"/manage/v1/apis/{api['api_id']}/rules", json=rule, headers=platform.admin)
    assert response.status in (200, 201), await response.text()
    await _until_seen(
        platform, path_of(api["url"]), lambda endpoint: len(endpoint.rules) == 2, what="the gateway to see the new rule"
    )
    status, body = await platform.infer(api, VECTOR, headers={"X-Forwarded-For": "203.0.113.9"})
    assert_contract_error(status, body, 403, "ACCESS_DENIED", "Access from this address is not allowed")

    proxied = await start_gateway(
        triton_addresses=[platform.triton_address],
        trusted_proxies=["127.0.0.1/32"],
        data_dir=platform.gateway.settings.data_dir,
    )
    path = path_of(api["url"])
    headers = {"x-api-key": platform.keys[api["api_id"]], "X-Forwarded-For": "203.0.113.9"}
    await _until_seen(proxied, path, what="the proxied gateway to load the API")
    response = await proxied.client.post(path, json={"executor": "Executor", "inputs": VECTOR}, headers=headers)
    assert response.status == 200, await response.text()


async def _until_seen(gateway, path: str, condition=lambda endpoint: True, *, what: str) -> None:
    """Until the catalog of `gateway` (or of a platform's) holds `path`, with `condition` true of it."""
    from services.gateway.app_keys import RUNTIME

    catalog = gateway.client.app[RUNTIME].catalog
    await eventually(
        lambda: catalog.find(path),
        lambda endpoint: endpoint is not None and condition(endpoint),
        timeout_s=10.0,
        interval_s=0.02,
        what=what,
    )


async def test_a_model_that_fails_at_run_time_is_an_inference_failure(platform):
    from tests.scheduler.onnx_models import fixed_rows_model

    api = await platform.publish(fixed_rows_model(2, 4))
    status, body = await platform.infer(api, VECTOR)
    assert_contract_error(status, body, 500, "INFERENCE_FAILED", "Inference failed")


async def test_a_registry_away_on_first_use_of_a_version_is_temporarily_unavailable(platform, api):
    from services.gateway.app_keys import RUNTIME

    catalog = platform.client.app[RUNTIME].catalog
    # A poke on purpose: the catalog fetches a serving version the moment it sees the API, so a version
    # is only used first once that prefetch has failed, which no request can make happen on demand.
    catalog._versions.clear()  # noqa: SLF001
    await platform.gateway.registry.app.stop()
    status, body = await platform.infer(api, VECTOR)
    assert_contract_error(status, body, 503, "TEMPORARILY_UNAVAILABLE", "Temporarily unavailable")


async def test_a_formal_api_keeps_answering_while_the_registry_is_down(platform, api):
    """The hot path needs no control-plane call: keys, rules and status are in the gateway's memory."""
    assert (await platform.infer(api, VECTOR))[0] == 200
    await platform.gateway.registry.app.stop()
    for _ in range(5):
        status, body = await platform.infer(api, VECTOR)
        assert status == 200, body
    status, body = await platform.infer(api, VECTOR, key="wrong")
    assert_contract_error(status, body, 403, "ACCESS_DENIED", "Invalid API key")


async def test_a_trial_request_that_fails_on_the_platforms_side_gives_its_reservation_back(platform):
    from tests.scheduler.onnx_models import fixed_rows_model

    api = await platform.publish(fixed_rows_model(2, 4), api_type="trial")
    for _ in range(3):
        status, body = await platform.infer(api, VECTOR)
        assert_contract_error(status, body, 500, "INFERENCE_FAILED", "Inference failed")
    assert (await platform.api(api["api_id"]))["trial"] == {"limit": 100, "used": 0, "remaining": 100}
