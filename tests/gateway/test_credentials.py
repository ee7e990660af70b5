"""GET, DELETE and PATCH /manage/v1/credentials: every kind of credential listed with its last use
and without its secret, revoked, and given an expiry that the gateway enforces."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

from services.gateway.app_keys import RUNTIME
from tests.gateway.conftest import bearer
from tests.gateway.helpers import assert_documented, error_of, published_api
from tests.polling import eventually
from tests.urls import path_of

VECTOR = [{"name": "x", "type": "vector", "data": [1, 2, 3, 4]}]
LIST = "/manage/v1/credentials"
ONE = "/manage/v1/credentials/{credential_id}"


async def _member(gateway, name: str = "mia") -> dict:
    response = await gateway.client.post(
        "/manage/v1/users", json={"name": name, "role": "member"}, headers=gateway.admin
    )
    body = await response.json()
    assert response.status == 201, body
    return body


async def _list(gateway, headers=None, **params) -> dict[str, dict]:
    response = await gateway.client.get(LIST, params=params, headers=headers or gateway.admin)
    body = await response.json()
    assert response.status == 200, body
    assert_documented("GET", LIST, 200, body)
    return {credential["credential_id"]: credential for credential in body["credentials"]}


def _id(secret: str) -> str:
    return secret.split(".", 1)[0]


async def _deploy_key(gateway, secret_key: str) -> str:
    response = await gateway.client.get(
        "/v1/external/api-key", params={"credential_type": "deploy"}, headers={"x-api-key": secret_key}
    )
    body = await response.json()
    assert response.status == 200, body
    return body["api_key"]


async def _published(gateway) -> tuple[dict, str]:
    """An API the gateway's catalog holds (it stays building: no scheduler runs here) and its key."""
    api = await published_api(gateway)
    response = await gateway.client.post(f"/manage/v1/apis/{api['api_id']}/keys", headers=gateway.admin)
    key = (await response.json())["api_key"]
    await _until_keys(gateway, api, lambda endpoint: _id(key) in endpoint.key_digests)
    return api, key


async def _infer(gateway, api: dict, key: str) -> tuple[int, dict]:
    response = await gateway.client.post(
        path_of(api["url"]), json={"executor": "Executor", "inputs": VECTOR}, headers={"x-api-key": key}
    )
    return response.status, await response.json()


async def _until_keys(gateway, api: dict, condition, timeout_s: float = 10.0) -> None:
    catalog = gateway.client.app[RUNTIME].catalog
    path = path_of(api["url"])
    await eventually(
        lambda: catalog.find(path),
        lambda endpoint: endpoint is not None and condition(endpoint),
        timeout_s=timeout_s,
        interval_s=0.02,
        what="the gateway's catalog to see the change of the API's keys",
    )


def _admitted(status: int, body: dict) -> bool:
    """The key passed: with no scheduler the API is not ready, which is checked after the key."""
    return status == 503 and body["error"] == "API_NOT_READY"


def _refused_key(status: int, body: dict) -> bool:
    return status == 403 and body["error"] == "ACCESS_DENIED" and body["message"].startswith("Invalid API key")


async def test_the_list_shows_every_kind_with_its_last_use_and_no_secret(gateway):
    member = await _member(gateway)
    deploy_key = await _deploy_key(gateway, member["token"])  # the member's token authenticates here
    assert (await gateway.client.get("/v1/external/classifiers", headers={"x-api-key": deploy_key})).status == 200
    api, api_key = await _published(gateway)
    assert _admitted(*await _infer(gateway, api, api_key))
    await gateway.client.app[RUNTIME].usage.flush()

    response = await gateway.client.get(LIST, headers=gateway.admin)
    text = await response.text()
    found = await _list(gateway)
    token, p1, key = found[_id(member["token"])], found[_id(deploy_key)], found[_id(api_key)]
    assert (token["kind"], token["user_id"], token["api_id"]) == ("bearer_token", member["user"]["user_id"], None)
    assert (p1["kind"], p1["purpose"], p1["user_id"]) == ("prediction_one_key", "deploy", member["user"]["user_id"])
    assert (key["kind"], key["api_id"], key["user_id"]) == ("api_key", api["api_id"], None)
    assert p1["expires_at"] and token["expires_at"] is None
    now = datetime.now(UTC)
    for credential in (token, p1, key):
        assert (
            now - timedelta(minutes=1)
            < datetime.fromisoformat(credential["last_used_at"])
            <= now + timedelta(seconds=5)
        )
    for secret in (member["token"], deploy_key, api_key, gateway.registry.admin_token):
        assert secret.split(".", 1)[1] not in text and hashlib.sha256(secret.encode()).hexdigest() not in text


async def test_revoked_credentials_are_refused_at_once(gateway):
    member = await _member(gateway)
    deploy_key = await _deploy_key(gateway, gateway.registry.admin_token)
    api, api_key = await _published(gateway)
    assert (await gateway.client.get("/v1/external/classifiers", headers={"x-api-key": deploy_key})).status == 200
    assert _admitted(*await _infer(gateway, api, api_key))

    for secret in (member["token"], deploy_key, api_key):
        response = await gateway.client.delete(ONE.format(credential_id=_id(secret)), headers=gateway.admin)
        assert response.status == 204, await response.text()
    await error_of(
        await gateway.client.get("/manage/v1/users", headers=bearer(member["token"])), 401, "UNAUTHENTICATED"
    )
    response = await gateway.client.get("/v1/external/classifiers", headers={"x-api-key": deploy_key})
    assert response.status == 400 and (await response.json())["message"] == "Not_found_credential."
    await _until_keys(gateway, api, lambda endpoint: _id(api_key) not in endpoint.key_digests)
    assert _refused_key(*await _infer(gateway, api, api_key))
    response = await gateway.client.delete(ONE.format(credential_id=_id(api_key)), headers=gateway.admin)
    await error_of(response, 404, "NOT_FOUND")


async def test_an_expiry_in_the_past_is_refused_and_one_reached_refuses_the_credential(gateway):
    member = await _member(gateway)
    api, api_key = await _published(gateway)
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    for expires_at, status in ((past, 400), ("tomorrow", 400), ("2030-01-01T00:00:00", 400)):
        response = await gateway.client.patch(
            ONE.format(credential_id=_id(member["token"])), json={"expires_at": expires_at}, headers=gateway.admin
        )
        await error_of(response, status, "INVALID_ARGUMENT")

    soon = datetime.now(UTC) + timedelta(seconds=1.5)
    for secret in (member["token"], api_key):
        response = await gateway.client.patch(
            ONE.format(credential_id=_id(secret)), json={"expires_at": soon.isoformat()}, headers=gateway.admin
        )
        body = await response.json()
        assert response.status == 200, body
        assert_documented("PATCH", ONE, 200, body)
        assert datetime.fromisoformat(body["credential"]["expires_at"]) == soon
    await _until_keys(gateway, api, lambda endpoint: _id(api_key) in endpoint.key_expiry)
    assert (await gateway.client.get("/manage/v1/users", headers=bearer(member["token"]))).status == 200
    assert _admitted(*await _infer(gateway, api, api_key))

    await asyncio.sleep(max(0.0, (soon - datetime.now(UTC)).total_seconds()) + 0.1)
    await error_of(
        await gateway.client.get("/manage/v1/users", headers=bearer(member["token"])), 401, "UNAUTHENTICATED"
    )
    assert _refused_key(*await _infer(gateway, api, api_key)), "an expired key is refused like a wrong one"

    response = await gateway.client.patch(
        ONE.format(credential_id=_id(member["token"])), json={"expires_at": None}, headers=gateway.admin
    )
    assert response.status == 200 and (await response.json())["credential"]["expires_at"] is None
    assert (await gateway.client.get("/manage/v1/users", headers=bearer(member["token"]))).status == 200


async def test_a_member_cannot_list_or_revoke_another_users_credentials(gateway):
    member = await _member(gateway)
    colleague = await _member(gateway, "cole")
    headers = bearer(member["token"])
    mine = await _list(gateway, headers)
    assert _id(member["token"]) in mine and _id(colleague["token"]) not in mine
    assert all(c["user_id"] == member["user"]["user_id"] for c in mine.values() if c["kind"] != "api_key")
    response = await gateway.client.get(LIST, params={"user_id": colleague["user"]["user_id"]}, headers=headers)
    await error_of(response, 403, "PERMISSION_DENIED")
    for secret in (colleague["token"], gateway.registry.admin_token):
        await error_of(
            await gateway.client.delete(ONE.format(credential_id=_id(secret)), headers=headers), 404, "NOT_FOUND"
        )
        response = await gateway.client.patch(
            ONE.format(credential_id=_id(secret)), json={"expires_at": None}, headers=headers
        )
        await error_of(response, 404, "NOT_FOUND")
    assert (await gateway.client.get("/manage/v1/users", headers=bearer(colleague["token"]))).status == 200
    await error_of(
        await gateway.client.delete(ONE.format(credential_id="not-an-id"), headers=headers), 400, "INVALID_ARGUMENT"
    )
