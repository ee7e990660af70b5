"""Every failure answers the management JSON error body, and stores nothing."""

from __future__ import annotations

import pytest

from services.gateway.management import apis
from tests.gateway.conftest import bearer
from tests.gateway.helpers import error_of, upload_model

VALID_API = {"name": "a", "api_type": "formal", "execution_type": "serverless", "instance_kind": "cpu"}


async def _api_count(gateway) -> int:
    response = await gateway.client.get("/manage/v1/apis", headers=gateway.admin)
    assert response.status == 200
    return len((await response.json())["apis"])


@pytest.fixture
async def version_id(gateway) -> str:
    return (await upload_model(gateway))["version"]["model_version_id"]


async def _post_api(gateway, data: bytes | str, headers=None):
    return await gateway.client.post(
        "/manage/v1/apis", data=data, headers={"Content-Type": "application/json", **(headers or gateway.admin)}
    )


async def test_malformed_json(gateway, version_id):
    message = await error_of(await _post_api(gateway, '{"name": "a",'), 400, "INVALID_ARGUMENT")
    assert "not valid JSON" in message
    assert await _api_count(gateway) == 0


async def test_an_empty_body(gateway, version_id):
    assert "empty" in await error_of(await _post_api(gateway, b""), 400, "INVALID_ARGUMENT")


async def test_a_json_array_body(gateway, version_id):
    message = await error_of(
        await _post_api(gateway, f'[{{"model_version_id": "{version_id}"}}]'), 400, "INVALID_ARGUMENT"
    )
    assert message == "the request body must be an object, not an array"
    assert await _api_count(gateway) == 0


async def test_unknown_fields_are_named(gateway, version_id):
    response = await gateway.client.post(
        "/manage/v1/apis",
        json={**VALID_API, "model_version_id": version_id, "colour": "red", "size": 3},
        headers=gateway.admin,
    )
    message = await error_of(response, 400, "INVALID_ARGUMENT")
    assert '"colour", "size"' in message
    assert await _api_count(gateway) == 0


async def test_wrong_types_and_missing_fields_are_all_reported(gateway, version_id):
    response = await gateway.client.post(
        "/manage/v1/apis",
        json={"name": 5, "api_type": "gold", "execution_type": "serverless", "instance_count": True, "public": "yes"},
        headers=gateway.admin,
    )
    message = await error_of(response, 400, "INVALID_ARGUMENT")
    assert "missing required field(s): model_version_id, instance_kind" in message
    assert '"name" must be a string, not an integer' in message
    assert '"api_type" must be one of formal, trial; got "gold"' in message
    assert '"instance_count" must be an integer, not true or false' in message
    assert '"public" must be true or false, not a string' in message
    assert await _api_count(gateway) == 0


async def test_nested_problems_name_their_path(gateway, version_id):
    response = await gateway.client.post(
        "/manage/v1/apis",
        json={**VALID_API, "model_version_id": version_id, "rules": [{"cidr": "10.0.0.0/8", "action": "maybe"}]},
        headers=gateway.admin,
    )
    assert '"rules[0].action" must be one of allow, deny' in await error_of(response, 400, "INVALID_ARGUMENT")
    assert await _api_count(gateway) == 0


async def test_an_oversize_json_body_is_413(start_gateway):
    gateway = await start_gateway(max_json_bytes=100)
    response = await gateway.client.post("/manage/v1/accounts", json={"name": "x" * 200}, headers=gateway.admin)
    assert "100 bytes" in await error_of(response, 413, "PAYLOAD_TOO_LARGE")


async def test_a_missing_token(gateway, version_id):
    response = await gateway.client.post("/manage/v1/apis", json={**VALID_API, "model_version_id": version_id})
    assert "Bearer" in await error_of(response, 401, "UNAUTHENTICATED")
    assert await _api_count(gateway) == 0


@pytest.mark.parametrize(
    "header",
    ["Bearer not-a-token", "Bearer 00000000-0000-0000-0000-000000000000.deadbeef", "Basic YWRtaW46YWRtaW4=", "Bearer "],
)
async def test_a_wrong_token(gateway, version_id, header):
    response = await gateway.client.post(
        "/manage/v1/apis", json={**VALID_API, "model_version_id": version_id}, headers={"Authorization": header}
    )
    await error_of(response, 401, "UNAUTHENTICATED")
    assert await _api_count(gateway) == 0


async def test_a_wrong_token_is_401_before_the_body_is_judged(gateway):
    response = await _post_api(gateway, "not json", headers=bearer("wrong"))
    await error_of(response, 401, "UNAUTHENTICATED")


async def test_an_unknown_route_is_404_json(gateway):
    response = await gateway.client.get("/manage/v1/nothing-here", headers=gateway.admin)
    assert "/manage/v1/nothing-here" in await error_of(response, 404, "NOT_FOUND")
    response = await gateway.client.get("/")
    await error_of(response, 404, "NOT_FOUND")


async def test_a_wrong_method_is_405_json(gateway):
    response = await gateway.client.put("/manage/v1/apis", json={}, headers=gateway.admin)
    message = await error_of(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["Allow"] == "GET, POST"
    assert "GET, POST" in message


async def test_an_unexpected_failure_is_a_generic_500(gateway, version_id, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(apis, "api_info", broken)
    response = await gateway.client.post(
        "/manage/v1/apis", json={**VALID_API, "model_version_id": version_id}, headers=gateway.admin
    )
    message = await error_of(response, 500, "INTERNAL")
    assert "secret" not in message and "Traceback" not in message
