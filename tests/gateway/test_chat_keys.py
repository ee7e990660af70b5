"""/manage/v1/chat-keys: chat keys created with their limits and projects (the secret shown once),
listed as credentials of kind chat_key, changed, rotated, revoked, their usage read, and kept
from other accounts. Chat APIs are published from a fake GGUF: no Triton serves them here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.gateway.conftest import bearer
from tests.gateway.helpers import assert_documented, create_api, error_of, published_api, upload_form
from tests.gateway.test_chat_models import FAKE_GGUF

LIST = "/manage/v1/chat-keys"
ONE = "/manage/v1/chat-keys/{key_id}"
ROTATE = "/manage/v1/chat-keys/{key_id}/rotate"
USAGE = "/manage/v1/chat-keys/{key_id}/usage"
CREDENTIALS = "/manage/v1/credentials"
CREDENTIAL = "/manage/v1/credentials/{credential_id}"
NO_LIMITS = dict.fromkeys(
    ("requests_per_minute", "tokens_per_minute", "max_in_flight", "tokens_per_day", "tokens_per_month")
)


async def _chat_api(gateway, account_id: str | None = None) -> dict:
    """A chat API under a model id of its own, in the caller's account or the one named."""
    extra = {"account_id": account_id} if account_id else {}
    form = upload_form({"name": f"chat-{uuid.uuid4().hex[:8]}", "format": "gguf", **extra}, FAKE_GGUF, "model.gguf")
    response = await gateway.client.post("/manage/v1/models", data=form, headers=gateway.admin)
    uploaded = await response.json()
    assert response.status == 201, uploaded
    created = await create_api(
        gateway,
        uploaded["version"]["model_version_id"],
        execution_type="dedicated",
        chat_model_id=f"acme/chat-{uuid.uuid4().hex[:8]}",
        **extra,
    )
    return created["api"]


async def _create(gateway, headers=None, **fields) -> dict:
    response = await gateway.client.post(LIST, json=fields, headers=headers or gateway.admin)
    body = await response.json()
    assert response.status == 201, body
    assert_documented("POST", LIST, 201, body)
    return body


async def _get(gateway, key_id: str, headers=None) -> dict:
    response = await gateway.client.get(ONE.format(key_id=key_id), headers=headers or gateway.admin)
    body = await response.json()
    assert response.status == 200, body
    assert_documented("GET", ONE, 200, body)
    return body["chat_key"]


async def _list(gateway, headers=None) -> dict[str, dict]:
    response = await gateway.client.get(LIST, headers=headers or gateway.admin)
    body = await response.json()
    assert response.status == 200, body
    assert_documented("GET", LIST, 200, body)
    return {key["key_id"]: key for key in body["chat_keys"]}


async def _patch(gateway, key_id: str, **fields) -> dict:
    response = await gateway.client.patch(ONE.format(key_id=key_id), json=fields, headers=gateway.admin)
    body = await response.json()
    assert response.status == 200, body
    assert_documented("PATCH", ONE, 200, body)
    return body["chat_key"]


async def _credentials(gateway) -> tuple[str, dict[str, dict]]:
    response = await gateway.client.get(CREDENTIALS, headers=gateway.admin)
    text = await response.text()
    body = await response.json()
    assert response.status == 200, body
    assert_documented("GET", CREDENTIALS, 200, body)
    return text, {credential["credential_id"]: credential for credential in body["credentials"]}


async def _member(gateway, account_id: str | None = None) -> dict:
    fields = {"name": f"member-{uuid.uuid4().hex[:6]}", "role": "member"}
    if account_id:
        fields["account_id"] = account_id
    response = await gateway.client.post("/manage/v1/users", json=fields, headers=gateway.admin)
    body = await response.json()
    assert response.status == 201, body
    return body


async def _account(gateway) -> str:
    response = await gateway.client.post(
        "/manage/v1/accounts", json={"name": f"team-{uuid.uuid4().hex[:6]}"}, headers=gateway.admin
    )
    body = await response.json()
    assert response.status == 201, body
    return body["account"]["account_id"]


async def test_a_new_key_shows_its_secret_once_and_is_listed_as_a_chat_key_credential(gateway):
    api = await _chat_api(gateway)
    expires_at = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
    created = await _create(
        gateway,
        name="team key",
        api_ids=[api["api_id"]],
        limits={"requests_per_minute": 60, "tokens_per_day": 100_000, "max_in_flight": 0, "tokens_per_month": None},
        projects=["acme/search", "acme/chat"],
        default_project="acme/chat",
        expires_at=expires_at.isoformat(),
    )
    key, secret = created["chat_key"], created["api_key"]
    assert secret
    assert key["name"] == "team key" and key["api_ids"] == [api["api_id"]]
    assert key["account_id"] == api["account_id"]
    assert key["limits"] == {**NO_LIMITS, "requests_per_minute": 60, "tokens_per_day": 100_000}
    assert key["projects"] == ["acme/search", "acme/chat"] and key["default_project"] == "acme/chat"
    assert datetime.fromisoformat(key["expires_at"]) == expires_at
    assert key["rotated_at"] is None
    now = datetime.now(UTC)
    assert now - timedelta(minutes=1) < datetime.fromisoformat(key["created_at"]) <= now + timedelta(seconds=5)

    assert await _get(gateway, key["key_id"]) == key
    assert (await _list(gateway))[key["key_id"]] == key
    response = await gateway.client.get(ONE.format(key_id=key["key_id"]), headers=gateway.admin)
    assert "api_key" not in await response.json()

    credentials_text, credentials = await _credentials(gateway)
    credential = credentials[key["key_id"]]
    assert (credential["kind"], credential["account_id"]) == ("chat_key", api["account_id"])
    assert credential["api_id"] is None and credential["user_id"] is None
    assert datetime.fromisoformat(credential["expires_at"]) == expires_at
    # Neither the secret nor its secret part is ever shown again.
    list_text = await (await gateway.client.get(LIST, headers=gateway.admin)).text()
    for part in {secret, secret.rsplit(".", 1)[-1]}:
        assert part not in credentials_text and part not in list_text


async def test_a_key_without_options_has_no_limits_projects_or_expiry(gateway):
    api = await _chat_api(gateway)
    key = (await _create(gateway, name="plain", api_ids=[api["api_id"]]))["chat_key"]
    assert key["limits"] == NO_LIMITS
    assert (key["projects"], key["default_project"], key["expires_at"]) == ([], None, None)


async def test_patch_replaces_the_name_apis_limits_and_projects(gateway):
    first, second = await _chat_api(gateway), await _chat_api(gateway)
    created = await _create(
        gateway,
        name="before",
        api_ids=[first["api_id"]],
        limits={"requests_per_minute": 10, "tokens_per_minute": 2000},
        projects=["p1"],
        default_project="p1",
    )
    key_id = created["chat_key"]["key_id"]

    key = await _patch(gateway, key_id, name="after", api_ids=[second["api_id"], first["api_id"]])
    assert key["name"] == "after" and sorted(key["api_ids"]) == sorted([first["api_id"], second["api_id"]])
    assert key["limits"] == {**NO_LIMITS, "requests_per_minute": 10, "tokens_per_minute": 2000}, "untouched"
    assert (key["projects"], key["default_project"]) == (["p1"], "p1"), "untouched"

    key = await _patch(gateway, key_id, limits={"max_in_flight": 4})
    assert key["limits"] == {**NO_LIMITS, "max_in_flight": 4}, "limits replace all five"
    key = await _patch(gateway, key_id, limits={})
    assert key["limits"] == NO_LIMITS

    key = await _patch(gateway, key_id, projects=["p2", "p3"], default_project="p3")
    assert (key["projects"], key["default_project"]) == (["p2", "p3"], "p3")
    key = await _patch(gateway, key_id, projects=["p4"])
    assert (key["projects"], key["default_project"]) == (["p4"], None), "projects replace the default too"
    key = await _patch(gateway, key_id, api_ids=[second["api_id"]])
    assert key["api_ids"] == [second["api_id"]]
    assert await _get(gateway, key_id) == key

    one = ONE.format(key_id=key_id)
    for body, words in (
        ({"default_project": "p4"}, '"projects"'),
        ({"projects": ["p5"], "default_project": "p6"}, "not one of the key's projects"),
        ({}, "nothing to change"),
        ({"api_ids": []}, '"api_ids"'),
    ):
        response = await gateway.client.patch(one, json=body, headers=gateway.admin)
        assert words in await error_of(response, 400, "INVALID_ARGUMENT"), body
    assert await _get(gateway, key_id) == key, "a refused change changes nothing"


async def test_rotate_replaces_the_secret_and_keeps_the_key(gateway):
    api = await _chat_api(gateway)
    created = await _create(gateway, name="rotating", api_ids=[api["api_id"]], limits={"tokens_per_day": 500})
    key = created["chat_key"]

    response = await gateway.client.post(ROTATE.format(key_id=key["key_id"]), headers=gateway.admin)
    rotated = await response.json()
    assert response.status == 200, rotated
    assert_documented("POST", ROTATE, 200, rotated)
    assert rotated["api_key"] and rotated["api_key"] != created["api_key"]
    assert rotated["chat_key"]["key_id"] == key["key_id"]
    assert rotated["chat_key"]["limits"] == key["limits"]
    assert rotated["chat_key"]["rotated_at"] is not None
    assert (await _get(gateway, key["key_id"]))["rotated_at"] == rotated["chat_key"]["rotated_at"]

    response = await gateway.client.post(ROTATE.format(key_id=str(uuid.uuid4())), headers=gateway.admin)
    await error_of(response, 404, "NOT_FOUND")


async def test_delete_revokes_the_key_and_only_a_chat_key(gateway):
    api = await _chat_api(gateway)
    key_id = (await _create(gateway, name="doomed", api_ids=[api["api_id"]]))["chat_key"]["key_id"]
    kept = (await _create(gateway, name="kept", api_ids=[api["api_id"]]))["chat_key"]["key_id"]

    response = await gateway.client.delete(ONE.format(key_id=key_id), headers=gateway.admin)
    assert response.status == 204, await response.text()
    await error_of(await gateway.client.get(ONE.format(key_id=key_id), headers=gateway.admin), 404, "NOT_FOUND")
    await error_of(await gateway.client.delete(ONE.format(key_id=key_id), headers=gateway.admin), 404, "NOT_FOUND")
    listed = await _list(gateway)
    assert key_id not in listed and kept in listed
    _, credentials = await _credentials(gateway)
    assert key_id not in credentials and kept in credentials

    # The id of a credential that is not a chat key is unknown here: it is not revoked.
    member = await _member(gateway)
    token_id = member["token"].split(".", 1)[0]
    response = await gateway.client.delete(ONE.format(key_id=token_id), headers=gateway.admin)
    await error_of(response, 404, "NOT_FOUND")
    assert (await gateway.client.get("/manage/v1/users", headers=bearer(member["token"]))).status == 200


async def test_the_expiry_is_changed_through_the_credentials_routes(gateway):
    api = await _chat_api(gateway)
    key_id = (await _create(gateway, name="expiring", api_ids=[api["api_id"]]))["chat_key"]["key_id"]
    later = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    response = await gateway.client.patch(
        CREDENTIAL.format(credential_id=key_id), json={"expires_at": later.isoformat()}, headers=gateway.admin
    )
    body = await response.json()
    assert response.status == 200, body
    assert_documented("PATCH", CREDENTIAL, 200, body)
    assert body["credential"]["kind"] == "chat_key"
    assert datetime.fromisoformat((await _get(gateway, key_id))["expires_at"]) == later

    response = await gateway.client.patch(
        CREDENTIAL.format(credential_id=key_id), json={"expires_at": None}, headers=gateway.admin
    )
    assert response.status == 200, await response.text()
    assert (await _get(gateway, key_id))["expires_at"] is None


async def test_the_usage_route_answers_per_day_and_checks_its_days(gateway):
    api = await _chat_api(gateway)
    key_id = (await _create(gateway, name="counted", api_ids=[api["api_id"]]))["chat_key"]["key_id"]
    usage = USAGE.format(key_id=key_id)
    for params in ({}, {"from_day": "2024-01-01", "to_day": "2024-01-31"}):
        response = await gateway.client.get(usage, params=params, headers=gateway.admin)
        body = await response.json()
        assert response.status == 200, body
        assert_documented("GET", USAGE, 200, body)
        # Tokens are counted by the chat path; this key has made no request.
        assert body == {"usage": []}
    for params, words in (
        ({"from_day": "2024-02-01", "to_day": "2024-01-01"}, "is after"),
        ({"from_day": "2024-02-30"}, "2024-02-30"),
        ({"from": "2024-01-01"}, '"from"'),
    ):
        response = await gateway.client.get(usage, params=params, headers=gateway.admin)
        assert words in await error_of(response, 400, "INVALID_ARGUMENT"), params
    response = await gateway.client.get(USAGE.format(key_id=str(uuid.uuid4())), headers=gateway.admin)
    await error_of(response, 404, "NOT_FOUND")


async def test_requests_that_break_the_schema_are_refused_before_anything_is_made(gateway):
    api = await _chat_api(gateway)
    valid = {"name": "k", "api_ids": [api["api_id"]]}
    cases = [
        ({**valid, "colour": "blue"}, '"colour"'),
        ({**valid, "limits": {"requests_per_minute": -1}}, '"limits.requests_per_minute" must be at least 0'),
        ({**valid, "limits": {"tokens_per_day": 1.5}}, '"limits.tokens_per_day"'),
        ({**valid, "limits": {"per_hour": 1}}, '"per_hour"'),
        ({**valid, "api_ids": []}, '"api_ids" must have at least 1'),
        ({**valid, "api_ids": [api["api_id"], api["api_id"]]}, '"api_ids" must not repeat'),
        ({"api_ids": [api["api_id"]]}, "name"),
        ({**valid, "expires_at": "2030-01-31T09:00:00"}, "time zone"),
        ({**valid, "expires_at": "soon"}, "not an RFC 3339 time"),
        ({**valid, "projects": [" padded"]}, '"projects[0]"'),
        ({**valid, "projects": ["a/b//c"]}, '"projects[0]"'),
        ({**valid, "projects": ["a"], "default_project": "b"}, "not one of the key's projects"),
        ({**valid, "default_project": "b"}, "not one of the key's projects"),
        ({**valid, "limits": {"tokens_per_month": 10**12 + 1}}, '"limits.tokens_per_month" must be at most'),
    ]
    for body, words in cases:
        response = await gateway.client.post(LIST, json=body, headers=gateway.admin)
        assert words in await error_of(response, 400, "INVALID_ARGUMENT"), body
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    response = await gateway.client.post(LIST, json={**valid, "expires_at": past}, headers=gateway.admin)
    await error_of(response, 400, "INVALID_ARGUMENT")
    assert await _list(gateway) == {}


async def test_api_ids_must_be_chat_apis_of_the_keys_account(gateway):
    onnx = await published_api(gateway)
    elsewhere = await _chat_api(gateway, account_id=await _account(gateway))
    # The registry answers an API that is not a chat API of the account as one that does not exist.
    for api_id in (onnx["api_id"], elsewhere["api_id"], str(uuid.uuid4())):
        response = await gateway.client.post(LIST, json={"name": "k", "api_ids": [api_id]}, headers=gateway.admin)
        assert api_id in await error_of(response, 404, "NOT_FOUND")
    assert await _list(gateway) == {}

    mine = await _chat_api(gateway)
    key_id = (await _create(gateway, name="k", api_ids=[mine["api_id"]]))["chat_key"]["key_id"]
    response = await gateway.client.patch(
        ONE.format(key_id=key_id), json={"api_ids": [mine["api_id"], onnx["api_id"]]}, headers=gateway.admin
    )
    assert onnx["api_id"] in await error_of(response, 404, "NOT_FOUND")
    assert (await _get(gateway, key_id))["api_ids"] == [mine["api_id"]]


async def test_a_member_of_another_account_cannot_see_or_touch_the_key(gateway):
    api = await _chat_api(gateway)
    key_id = (await _create(gateway, name="ours", api_ids=[api["api_id"]]))["chat_key"]["key_id"]
    outsider = bearer((await _member(gateway, account_id=await _account(gateway)))["token"])

    assert await _list(gateway, outsider) == {}
    client = gateway.client
    for response in (
        await client.get(ONE.format(key_id=key_id), headers=outsider),
        await client.patch(ONE.format(key_id=key_id), json={"name": "theirs"}, headers=outsider),
        await client.post(ROTATE.format(key_id=key_id), headers=outsider),
        await client.get(USAGE.format(key_id=key_id), headers=outsider),
        await client.delete(ONE.format(key_id=key_id), headers=outsider),
    ):
        await error_of(response, 404, "NOT_FOUND")
    key = await _get(gateway, key_id)
    assert key["name"] == "ours" and key["rotated_at"] is None
