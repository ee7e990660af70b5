"""The Data Forest contract through the real gateway and registry: requests signed as NCP's samples
sign them (hmac, hashlib, base64 over the raw request target), in JSON and XML, and every
signature failure answered with the gateway layer's 401 / 200."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from services.policy.base62_ids import from_base62
from tests.gateway.dataforest.ncp_client import IMAGES, NcpClient


async def _gateway_error(response, status: int, code: str) -> None:
    body = await response.json()
    assert response.status == status, body
    assert body == {"error": {"errorCode": code, "message": body["error"]["message"]}}


async def test_accounts_get_list_shows_the_key_s_account_in_json_and_xml(ncp):
    response = await ncp.post("/api/v2/accounts/getList")
    body = await response.json()
    assert response.status == 200, body
    assert response.headers["Content-Type"].startswith("application/json")
    [account] = body["contents"]
    assert (body["success"], body["total"], body["message"]) == (True, 1, "success")
    assert account["name"] == "default" and account["status"] == "RUNNING" and account["disabled"] is False
    assert len(account["id"]) <= 22 and uuid.UUID(from_base62(account["id"]))
    assert account["createdAt"].endswith("+00:00")

    response = await ncp.post("/api/v2/accounts/getList", b"<GetAccountListRequest/>", xml=True)
    text = await response.text()
    assert response.status == 200, text
    assert response.headers["Content-Type"].startswith("application/xml")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?><GetAccountListResponse><contents><id>')
    assert f"<id>{account['id']}</id>" in text and "<success>true</success>" in text


async def test_the_image_list_is_the_operator_s_by_type(ncp):
    response = await ncp.post("/api/v2/aiworkspaces/getDockerImageList", {"search": {"typeName": "pytorch"}})
    assert await response.json() == {
        "dockerImages": {"pytorch": ["pytorch:2.4-py3"]},
        "message": "success",
        "success": True,
    }
    everything = await (await ncp.post("/api/v2/aiworkspaces/getDockerImageList", {})).json()
    assert everything["dockerImages"] == IMAGES
    response = await ncp.post("/api/v2/aiworkspaces/getDockerImageList", {"search": {"typeName": "cobol"}})
    body = await response.json()
    assert response.status == 400
    assert body == {
        "message": "invalid request parameter (search.typeName, 'cobol'). must match \"python|pytorch|tensorflow\"",
        "success": False,
    }


@pytest.mark.parametrize(
    "signing",
    [
        {"secret": "x" * 40},
        # Ahead by a little more than the window: the request takes milliseconds to arrive.
        {"skew_ms": 301_000},
        {"skew_ms": -300_000},
    ],
)
async def test_a_bad_signature_or_a_clock_too_far_off_is_authentication_failed(ncp, signing):
    await _gateway_error(await ncp.post("/api/v2/accounts/getList", **signing), 401, "200")


async def test_the_v1_header_is_an_alias_and_a_skew_within_the_window_passes(ncp):
    assert (await ncp.post("/api/v2/accounts/getList", version="v1")).status == 200
    assert (await ncp.post("/api/v2/accounts/getList", skew_ms=-299_000)).status == 200


async def test_missing_headers_unknown_and_disabled_keys_are_authentication_failed(ncp):
    response = await ncp.gateway.client.post("/api/v2/accounts/getList", json={})
    await _gateway_error(response, 401, "200")
    stranger = NcpClient(ncp.gateway, "A" * 20, ncp.secret)
    await _gateway_error(await stranger.post("/api/v2/accounts/getList"), 401, "200")
    path = f"/manage/v1/ncp-keys/{ncp.access_key}"
    await ncp.gateway.client.patch(path, json={"disabled": True}, headers=ncp.gateway.admin)
    await _gateway_error(await ncp.post("/api/v2/accounts/getList"), 401, "200")


async def test_unknown_operations_and_methods_are_not_found_exception(ncp):
    await _gateway_error(await ncp.post("/api/v2/aiworkspaces/start"), 404, "300")
    response = await ncp.gateway.client.get("/api/v2/accounts/getList", headers=ncp.headers("/api/v2/accounts/getList"))
    await _gateway_error(response, 404, "300")


async def test_unreadable_bodies_are_refused_in_the_contract_s_shapes(ncp):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b"<GetAccountListRequest>&lol2;</GetAccountListRequest>"
    )
    response = await ncp.post("/api/v2/accounts/getList", bomb, xml=True)
    text = await response.text()
    assert response.status == 400, text
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><message>invalid request parameters')
    response = await ncp.post("/api/v2/accounts/getList", b"<Wrong/>", xml=True)
    assert response.status == 400
    large = {"search": {"typeName": "x" * (1024 * 1024)}}
    await _gateway_error(await ncp.post("/api/v2/aiworkspaces/getDockerImageList", large), 413, "430")


async def test_the_readme_s_example_client_signs_as_the_gateway_checks(ncp):
    from examples.dataforest.ncp_call import call

    base_url = str(ncp.gateway.client.make_url("")).rstrip("/")
    status, text = await asyncio.to_thread(
        call, base_url, ncp.access_key, ncp.secret, "/api/v2/accounts/getList", "<GetAccountListRequest/>", True
    )
    assert status == 200 and "<GetAccountListResponse>" in text, text
