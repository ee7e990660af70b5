"""A JSON body is read whole, however the client's writes split it and however large it is
(up to the limit): a body that arrives in parts is not taken for the part that came first."""

from __future__ import annotations

import json

from tests.gateway.raw_http import exchange

NO_SUCH_MODEL = 987654


async def _deploy_key(gateway) -> str:
    response = await gateway.client.get(
        "/v1/external/api-key",
        params={"credential_type": "deploy"},
        headers={"x-api-key": gateway.registry.admin_token},
    )
    body = await response.json()
    assert response.status == 200, body
    return body["api_key"]


def _create_classifier_request(key: str, body: bytes) -> bytes:
    head = (
        "POST /v1/external/classifiers HTTP/1.1\r\n"
        "Host: torii\r\n"
        f"x-api-key: {key}\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


async def test_a_body_written_in_two_parts_is_read_whole(gateway):
    key = await _deploy_key(gateway)
    rules = [{"source": "0.0.0.0/0", "order": "allow", "priority": 0}]
    body = json.dumps({"model_id": NO_SUCH_MODEL, "api_type": "formal", "rules": rules}).encode()
    request = _create_classifier_request(key, body)
    split = len(request) - len(body) // 2
    response = await exchange(gateway.client, request[:split], request[split:], pause_s=0.3)
    # The whole body was read: the request got as far as looking the model up.
    assert response.status == 400, response
    assert response.json()["message"] == "This model may be deleted."


async def test_a_large_body_under_the_limit_is_read_whole(gateway):
    key = await _deploy_key(gateway)
    body = json.dumps({"model_id": NO_SUCH_MODEL, "note": "x" * 900_000}).encode()
    assert len(body) < gateway.settings.max_json_bytes
    response = await gateway.client.post(
        "/v1/external/classifiers", data=body, headers={"x-api-key": key, "Content-Type": "application/json"}
    )
    assert (await response.json())["message"] == "This model may be deleted."


async def test_a_chunked_body_over_the_limit_is_refused(start_gateway):
    gateway = await start_gateway(max_json_bytes=1000)
    key = await _deploy_key(gateway)

    async def chunks():
        for _ in range(3):
            yield b"[" * 600

    response = await gateway.client.post(
        "/v1/external/classifiers", data=chunks(), headers={"x-api-key": key, "Content-Type": "application/json"}
    )
    body = await response.json()
    assert response.status == 400, body
    assert body == {
        "code": 4001000204,
        "error": "PREDA_EXTERNAL_BAD_REQUEST",
        "message": "The body is larger than the limit of 1000 bytes.",
    }
