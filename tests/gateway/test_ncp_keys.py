"""/manage/v1/ncp-keys: NCP access keys for the Data Forest contract, made with their secret shown
once, listed without it, disabled, enabled and deleted; the registry verifies signatures with it."""

from __future__ import annotations

from services.gateway.app_keys import REGISTRY
from services.policy.ncp_signature import sign
from tests.gateway.helpers import assert_documented, error_of
from torii.v1 import ncp_key_service_pb2 as nks

LIST = "/manage/v1/ncp-keys"
ONE = "/manage/v1/ncp-keys/{access_key}"


async def _created(gateway) -> dict:
    response = await gateway.client.post(LIST, json={}, headers=gateway.admin)
    body = await response.json()
    assert response.status == 201, body
    assert_documented("POST", LIST, 201, body)
    return body


async def _listed(gateway) -> list[dict]:
    response = await gateway.client.get(LIST, headers=gateway.admin)
    body = await response.json()
    assert response.status == 200, body
    assert_documented("GET", LIST, 200, body)
    return body["ncp_keys"]


async def test_a_key_is_made_with_its_secret_shown_once(gateway):
    created = await _created(gateway)
    key, secret = created["ncp_key"], created["secret_key"]
    assert len(key["access_key"]) == 20 and len(secret) == 40
    assert key["disabled"] is False and key["last_used_at"] is None
    listed = await _listed(gateway)
    assert [entry["access_key"] for entry in listed] == [key["access_key"]]
    assert secret not in str(listed)
    # The registry, which alone reads the secret, verifies what it signs.
    stub = gateway.client.app[REGISTRY].ncp_keys()
    target, stamp = "/api/v2/accounts/getList", "1700000000000"
    verified = await stub.VerifyNcpSignature(
        nks.VerifyNcpSignatureRequest(
            access_key=key["access_key"],
            signature=sign(secret.encode(), "POST", target, stamp, key["access_key"]),
            method="POST",
            targets=[target],
            timestamp=stamp,
        )
    )
    assert verified.verified


async def test_a_key_is_disabled_enabled_and_deleted(gateway):
    access_key = (await _created(gateway))["ncp_key"]["access_key"]
    path = ONE.format(access_key=access_key)
    response = await gateway.client.patch(path, json={"disabled": True}, headers=gateway.admin)
    body = await response.json()
    assert response.status == 200, body
    assert_documented("PATCH", ONE, 200, body)
    assert body["ncp_key"]["disabled"] is True
    response = await gateway.client.patch(path, json={"disabled": False}, headers=gateway.admin)
    assert (await response.json())["ncp_key"]["disabled"] is False
    assert (await gateway.client.delete(path, headers=gateway.admin)).status == 204
    assert await _listed(gateway) == []
    response = await gateway.client.delete(path, headers=gateway.admin)
    await error_of(response, 404, "NOT_FOUND")


async def test_a_malformed_access_key_or_body_is_refused(gateway):
    response = await gateway.client.patch(
        ONE.format(access_key="lower"), json={"disabled": True}, headers=gateway.admin
    )
    assert "no access key lower" in await error_of(response, 404, "NOT_FOUND")
    access_key = (await _created(gateway))["ncp_key"]["access_key"]
    response = await gateway.client.patch(
        ONE.format(access_key=access_key), json={"disabled": "yes"}, headers=gateway.admin
    )
    await error_of(response, 400, "INVALID_ARGUMENT")
