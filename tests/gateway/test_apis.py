from __future__ import annotations

from datetime import UTC, datetime

from tests.gateway.conftest import bearer
from tests.gateway.helpers import assert_documented, create_api, error_of, member_elsewhere, published_api, upload_model
from torii.v1 import apis_pb2
from torii.v1 import registry_service_pb2 as rs


async def _get(gateway, api_id: str, headers=None) -> dict:
    response = await gateway.client.get(f"/manage/v1/apis/{api_id}", headers=headers or gateway.admin)
    body = await response.json()
    assert response.status == 200, body
    assert_documented("GET", "/manage/v1/apis/{api_id}", 200, body)
    return body["api"]


async def _member(gateway, name: str = "member") -> dict[str, str]:
    response = await gateway.client.post(
        "/manage/v1/users", json={"name": name, "role": "member"}, headers=gateway.admin
    )
    body = await response.json()
    assert response.status == 201, body
    return bearer(body["token"])


async def test_create_then_get_shows_the_info_with_an_absolute_url(gateway):
    uploaded = await upload_model(gateway)
    created = await create_api(
        gateway,
        uploaded["version"]["model_version_id"],
        name="flowers",
        api_type="trial",
        execution_type="dedicated",
        instance_kind="gpu",
        instance_count=2,
        schedule={"start_time": "09:00", "end_time": "17:00", "weekdays": ["mon", "fri"]},
    )
    assert_documented("POST", "/manage/v1/apis", 201, created)
    assert created["api_key"]
    info = await _get(gateway, created["api"]["api_id"])
    assert info == created["api"]
    assert info["name"] == "flowers"
    assert info["status"] == "building"
    assert info["api_type"] == "trial"
    assert info["execution_type"] == "dedicated"
    assert info["instance_kind"] == "gpu"
    assert info["instance_count"] == 2
    assert info["schedule"] == {"always": False, "start_time": "09:00", "end_time": "17:00", "weekdays": ["mon", "fri"]}
    assert info["public"] is True
    assert info["locked"] is False
    assert info["rules"] == [{"cidr": "0.0.0.0/0", "action": "allow", "priority": 0}]
    assert info["trial"] == {"limit": info["trial"]["limit"], "used": 0, "remaining": info["trial"]["limit"]}
    assert info["trial"]["limit"] > 0
    host = f"http://{gateway.client.host}:{gateway.client.port}/"
    assert info["url"].startswith(host)
    assert info["api_id"] in info["url"]
    assert info["created_at"].endswith("Z")
    datetime.fromisoformat(info["updated_at"])


async def test_a_formal_api_has_no_trial_and_defaults_to_always(gateway):
    info = await published_api(gateway)
    assert info["api_type"] == "formal"
    assert info["trial"] is None
    assert info["schedule"] == {"always": True}


async def test_public_base_url_is_used_for_the_url(start_gateway):
    gateway = await start_gateway(public_base_url="https://torii.example.com/")
    info = await published_api(gateway)
    assert info["url"].startswith("https://torii.example.com/")
    assert "//" not in info["url"].removeprefix("https://")


async def test_rules_given_empty_allow_nobody(gateway):
    uploaded = await upload_model(gateway)
    created = await create_api(gateway, uploaded["version"]["model_version_id"], rules=[])
    assert created["api"]["rules"] == []


async def test_list_shows_every_api(gateway):
    first = await published_api(gateway, name="one")
    second = await published_api(gateway, name="two")
    response = await gateway.client.get("/manage/v1/apis", headers=gateway.admin)
    body = await response.json()
    assert response.status == 200
    assert_documented("GET", "/manage/v1/apis", 200, body)
    assert sorted(api["api_id"] for api in body["apis"]) == sorted([first["api_id"], second["api_id"]])
    assert {api["name"] for api in body["apis"]} == {"one", "two"}


async def test_patch_execution_type_changes_the_url(gateway):
    info = await published_api(gateway)
    response = await gateway.client.patch(
        f"/manage/v1/apis/{info['api_id']}",
        json={"execution_type": "dedicated", "instance_kind": "gpu", "name": "renamed"},
        headers=gateway.admin,
    )
    body = await response.json()
    assert response.status == 200, body
    assert_documented("PATCH", "/manage/v1/apis/{api_id}", 200, body)
    patched = body["api"]
    assert patched["execution_type"] == "dedicated"
    assert patched["instance_kind"] == "gpu"
    assert patched["name"] == "renamed"
    assert patched["url"] != info["url"]
    assert (await _get(gateway, info["api_id"]))["url"] == patched["url"]


async def test_patch_with_nothing_or_a_bad_schedule_is_refused(gateway):
    info = await published_api(gateway)
    response = await gateway.client.patch(f"/manage/v1/apis/{info['api_id']}", json={}, headers=gateway.admin)
    assert "nothing to change" in await error_of(response, 400, "INVALID_ARGUMENT")
    response = await gateway.client.patch(
        f"/manage/v1/apis/{info['api_id']}", json={"schedule": {"start_time": "25:00"}}, headers=gateway.admin
    )
    assert "schedule.start_time" in await error_of(response, 400, "INVALID_ARGUMENT")
    response = await gateway.client.patch(
        f"/manage/v1/apis/{info['api_id']}",
        json={"schedule": {"always": True, "weekdays": ["mon"]}},
        headers=gateway.admin,
    )
    assert "weekdays" in await error_of(response, 400, "INVALID_ARGUMENT")
    assert await _get(gateway, info["api_id"]) == info


async def test_registry_refusals_keep_their_status(gateway):
    info = await published_api(gateway)
    # Serverless runs on CPU only: the registry's INVALID_ARGUMENT comes back as a 400 with its words.
    response = await gateway.client.patch(
        f"/manage/v1/apis/{info['api_id']}", json={"instance_kind": "gpu"}, headers=gateway.admin
    )
    assert "CPU" in await error_of(response, 400, "INVALID_ARGUMENT")
    response = await gateway.client.get("/manage/v1/apis/00000000-0000-0000-0000-000000000000", headers=gateway.admin)
    await error_of(response, 404, "NOT_FOUND")


async def test_stop_start_lock_unlock_delete(gateway):
    info = await published_api(gateway)
    api = f"/manage/v1/apis/{info['api_id']}"
    member = await _member(gateway)

    response = await gateway.client.delete(api, headers=gateway.admin)
    assert "stop" in await error_of(response, 409, "FAILED_PRECONDITION")

    response = await gateway.client.post(f"{api}/lock", headers=gateway.admin)
    assert (await response.json())["api"]["locked"] is True
    response = await gateway.client.post(f"{api}/stop", headers=gateway.admin)
    assert "locked" in await error_of(response, 409, "FAILED_PRECONDITION")
    assert (await _get(gateway, info["api_id"]))["status"] == "building"

    response = await gateway.client.post(f"{api}/unlock", headers=member)
    await error_of(response, 403, "PERMISSION_DENIED")
    assert (await _get(gateway, info["api_id"]))["locked"] is True

    response = await gateway.client.post(f"{api}/unlock", headers=gateway.admin)
    assert response.status == 200
    assert (await response.json())["api"]["locked"] is False

    response = await gateway.client.post(f"{api}/stop", headers=member)
    stopped = await response.json()
    assert response.status == 200, stopped
    assert_documented("POST", "/manage/v1/apis/{api_id}/stop", 200, stopped)
    assert stopped["api"]["status"] == "stopped"

    response = await gateway.client.post(f"{api}/start", headers=gateway.admin)
    assert (await response.json())["api"]["status"] == "building"
    response = await gateway.client.post(f"{api}/stop", headers=gateway.admin)
    assert (await response.json())["api"]["status"] == "stopped"

    response = await gateway.client.delete(api, headers=gateway.admin)
    assert response.status == 204
    assert await response.read() == b""
    response = await gateway.client.get(api, headers=gateway.admin)
    await error_of(response, 404, "NOT_FOUND")
    listed = await (await gateway.client.get("/manage/v1/apis", headers=gateway.admin)).json()
    assert listed == {"apis": []}


async def test_rules_add_and_remove(gateway):
    info = await published_api(gateway)
    rules = f"/manage/v1/apis/{info['api_id']}/rules"
    response = await gateway.client.post(
        rules, json={"cidr": "203.0.113.0/24", "action": "deny", "priority": -1}, headers=gateway.admin
    )
    added = await response.json()
    assert response.status == 201, added
    assert_documented("POST", "/manage/v1/apis/{api_id}/rules", 201, added)
    assert {"cidr": "203.0.113.0/24", "action": "deny", "priority": -1} in added["api"]["rules"]
    assert len(added["api"]["rules"]) == 2

    response = await gateway.client.delete(rules, params={"cidr": "203.0.113.0/24"}, headers=gateway.admin)
    removed = await response.json()
    assert response.status == 200, removed
    assert removed["api"]["rules"] == [{"cidr": "0.0.0.0/0", "action": "allow", "priority": 0}]
    assert (await _get(gateway, info["api_id"]))["rules"] == removed["api"]["rules"]

    response = await gateway.client.delete(rules, params={"cidr": "198.51.100.0/24"}, headers=gateway.admin)
    await error_of(response, 404, "NOT_FOUND")
    response = await gateway.client.delete(rules, headers=gateway.admin)
    assert "cidr" in await error_of(response, 400, "INVALID_ARGUMENT")


async def test_an_invalid_cidr_is_refused(gateway):
    info = await published_api(gateway)
    response = await gateway.client.post(
        f"/manage/v1/apis/{info['api_id']}/rules", json={"cidr": "300.1.2.3/40"}, headers=gateway.admin
    )
    await error_of(response, 400, "INVALID_ARGUMENT")
    assert (await _get(gateway, info["api_id"]))["rules"] == info["rules"]


async def test_another_key_is_issued(gateway):
    uploaded = await upload_model(gateway)
    created = await create_api(gateway, uploaded["version"]["model_version_id"])
    response = await gateway.client.post(f"/manage/v1/apis/{created['api']['api_id']}/keys", headers=gateway.admin)
    body = await response.json()
    assert response.status == 201, body
    assert set(body) == {"api_key"}
    assert body["api_key"] and body["api_key"] != created["api_key"]


async def test_usage_per_day(gateway):
    info = await published_api(gateway)
    await gateway.registry.stub.RecordUsage(
        rs.RecordUsageRequest(
            increments=[
                apis_pb2.DailyUsage(api_id=info["api_id"], day="2024-05-01", count_2xx=7, count_4xx=2, count_5xx=1),
                apis_pb2.DailyUsage(api_id=info["api_id"], day="2024-05-03", count_2xx=3),
            ]
        )
    )
    usage = f"/manage/v1/apis/{info['api_id']}/usage"
    response = await gateway.client.get(usage, params={"from": "2024-05-01", "to": "2024-05-02"}, headers=gateway.admin)
    body = await response.json()
    assert response.status == 200, body
    assert_documented("GET", "/manage/v1/apis/{api_id}/usage", 200, body)
    counted = [day for day in body["days"] if day["count_2xx"] or day["count_4xx"] or day["count_5xx"]]
    assert counted == [{"day": "2024-05-01", "count_2xx": 7, "count_4xx": 2, "count_5xx": 1}]

    response = await gateway.client.get(usage, params={"from": "2024-05-02", "to": "2024-05-01"}, headers=gateway.admin)
    assert "after" in await error_of(response, 400, "INVALID_ARGUMENT")
    response = await gateway.client.get(usage, params={"from": "2024-02-30"}, headers=gateway.admin)
    assert "2024-02-30" in await error_of(response, 400, "INVALID_ARGUMENT")
    response = await gateway.client.get(usage, params={"since": "2024-01-01"}, headers=gateway.admin)
    assert "since" in await error_of(response, 400, "INVALID_ARGUMENT")

    today = datetime.now(UTC).date().isoformat()
    response = await gateway.client.get(usage, headers=gateway.admin)
    assert response.status == 200
    assert all(day["day"] <= today for day in (await response.json())["days"])


async def test_a_member_of_another_account_cannot_touch_the_api(gateway):
    info = await published_api(gateway)
    outsider = await member_elsewhere(gateway)
    response = await gateway.client.post(f"/manage/v1/apis/{info['api_id']}/stop", headers=outsider)
    await error_of(response, 404, "NOT_FOUND")
    assert (await _get(gateway, info["api_id"]))["status"] == "building"
    listed = await (await gateway.client.get("/manage/v1/apis", headers=outsider)).json()
    assert listed == {"apis": []}
