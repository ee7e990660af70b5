from __future__ import annotations

from tests.gateway.conftest import bearer
from tests.gateway.helpers import assert_documented, error_of


async def _create_user(gateway, headers=None, **fields):
    return await gateway.client.post("/manage/v1/users", json=fields, headers=headers or gateway.admin)


async def test_create_account_and_a_user_in_it(gateway):
    response = await gateway.client.post("/manage/v1/accounts", json={"name": "team-b"}, headers=gateway.admin)
    created = await response.json()
    assert response.status == 201, created
    assert_documented("POST", "/manage/v1/accounts", 201, created)
    account_id = created["account"]["account_id"]
    assert created["account"]["name"] == "team-b"

    response = await _create_user(gateway, account_id=account_id, name="bea", role="admin")
    user = await response.json()
    assert response.status == 201, user
    assert_documented("POST", "/manage/v1/users", 201, user)
    assert user["user"]["account_id"] == account_id
    assert user["user"]["role"] == "admin"
    assert user["token"]

    response = await gateway.client.get("/manage/v1/users", params={"account_id": account_id}, headers=gateway.admin)
    listed = await response.json()
    assert response.status == 200
    assert_documented("GET", "/manage/v1/users", 200, listed)
    assert [u["name"] for u in listed["users"]] == ["bea"]


async def test_a_user_defaults_to_the_callers_account_and_its_token_works(gateway):
    response = await _create_user(gateway, name="mia", role="member")
    user = await response.json()
    assert response.status == 201, user
    response = await gateway.client.get("/manage/v1/users", headers=bearer(user["token"]))
    listed = await response.json()
    assert response.status == 200, listed
    assert {u["name"] for u in listed["users"]} >= {"mia"}
    assert all(u["account_id"] == user["user"]["account_id"] for u in listed["users"])


async def test_a_member_cannot_create_users_or_accounts(gateway):
    member = bearer((await (await _create_user(gateway, name="mo", role="member")).json())["token"])
    await error_of(await _create_user(gateway, headers=member, name="eve", role="admin"), 403, "PERMISSION_DENIED")
    response = await gateway.client.post("/manage/v1/accounts", json={"name": "mine"}, headers=member)
    await error_of(response, 403, "PERMISSION_DENIED")
    listed = await (await gateway.client.get("/manage/v1/users", headers=gateway.admin)).json()
    assert "eve" not in {u["name"] for u in listed["users"]}


async def test_a_new_token_for_a_user(gateway):
    user = await (await _create_user(gateway, name="tom", role="member")).json()
    response = await gateway.client.post(f"/manage/v1/users/{user['user']['user_id']}/tokens", headers=gateway.admin)
    body = await response.json()
    assert response.status == 201, body
    assert set(body) == {"token"} and body["token"] != user["token"]
    assert (await gateway.client.get("/manage/v1/users", headers=bearer(body["token"]))).status == 200


async def test_a_bad_role_is_refused(gateway):
    response = await _create_user(gateway, name="x", role="owner")
    assert "admin, member" in await error_of(response, 400, "INVALID_ARGUMENT")
