"""Requests the HTTP parser refuses (sent as raw bytes: no client library sends them) answer in the
error shape of the contract their path belongs to, with the status that names the problem, and
quote nothing the client sent."""

from __future__ import annotations

import asyncio

from services.gateway.http_base.unreadable_requests import MAX_HEADER_BYTES, MAX_HEADERS, MAX_URL_BYTES
from tests.gateway.raw_http import RawResponse, exchange, read_response

SECRET = "s3cr3t-credential"


def _request(path: str, *headers: str, method: str = "GET") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: torii", *headers, "Connection: close", "", ""]
    return "\r\n".join(lines).encode()


def _assert_quotes_nothing(response: RawResponse) -> None:
    assert SECRET.encode() not in response.body
    assert b"ssssssss" not in response.body


def _assert_nnc_error(response: RawResponse, status: int, code: str) -> dict:
    assert response.status == status, response
    body = response.json()
    assert set(body) == {"code", "error", "message", "data"}
    assert body["code"] == code
    assert body["data"] == {"request_id": response.headers["x-request-id"]}
    return body


def _assert_management_error(response: RawResponse, status: int, code: str) -> dict:
    assert response.status == status, response
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["request_id"] == response.headers["x-request-id"]
    return body["error"]


async def test_an_over_long_url_is_414_in_the_prediction_one_shape(gateway):
    path = "/v1/external/models?offset=" + "s" * (MAX_URL_BYTES + 100)
    response = await exchange(gateway.client, _request(path))
    assert response.status == 414, response
    assert response.json() == {
        "code": 4141000204,
        "error": "PREDA_EXTERNAL_URI_TOO_LONG",
        "message": "The URL is too long.",
    }
    _assert_quotes_nothing(response)


async def test_an_over_long_header_is_431_in_the_nnc_shape(gateway):
    header = f"x-api-key: {SECRET}" + "s" * (MAX_HEADER_BYTES + 100)
    response = await exchange(gateway.client, _request("/v1/serverless/classifiers/a/inference", header, method="POST"))
    body = _assert_nnc_error(response, 431, "4311020004")
    assert body["message"].startswith("Invalid request")
    _assert_quotes_nothing(response)


async def test_too_many_headers_is_431_in_the_management_shape(gateway):
    headers = [f"x-filler-{number}: {SECRET}" for number in range(MAX_HEADERS + 1)]
    response = await exchange(gateway.client, _request("/manage/v1/apis", *headers))
    error = _assert_management_error(response, 431, "REQUEST_HEADER_FIELDS_TOO_LARGE")
    assert str(MAX_HEADERS) in error["message"]
    _assert_quotes_nothing(response)


async def test_a_control_byte_in_a_header_is_400_and_not_quoted(gateway):
    response = await exchange(gateway.client, _request("/v1/external/models", f"x-api-key: {SECRET}\x01"))
    assert response.status == 400, response
    assert response.json() == {
        "code": 4001000204,
        "error": "PREDA_EXTERNAL_BAD_REQUEST",
        "message": "The request is not valid HTTP/1.1.",
    }
    _assert_quotes_nothing(response)


async def test_a_percent_encoded_path_still_picks_its_contract(gateway):
    header = "x-filler: " + "s" * (MAX_HEADER_BYTES + 100)
    response = await exchange(gateway.client, _request("/v1/%65xternal/models", header))
    assert response.json()["code"] == 4311000204


async def test_bytes_that_are_not_http_get_the_gateways_own_shape(gateway):
    tls_hello = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"
    response = await exchange(gateway.client, tls_hello + SECRET.encode() + b"\r\n\r\n")
    _assert_management_error(response, 400, "INVALID_ARGUMENT")
    _assert_quotes_nothing(response)


async def test_a_later_request_on_a_kept_connection_gets_the_gateways_own_shape(gateway):
    """Only a connection's first request is known to start at its first bytes: a later one's path
    is not read again, and its refusal takes the gateway's own shape."""
    reader, writer = await asyncio.open_connection(gateway.client.host, gateway.client.port)
    try:
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: torii\r\n\r\n")
        assert (await read_response(reader)).status == 200
        writer.write(_request("/v1/external/models", "x-filler: " + "s" * (MAX_HEADER_BYTES + 100)))
        error = _assert_management_error(await read_response(reader), 431, "REQUEST_HEADER_FIELDS_TOO_LARGE")
    finally:
        writer.close()
    assert str(MAX_HEADER_BYTES) in error["message"]


async def test_trace_on_a_prediction_one_path_is_405_with_allow(gateway):
    response = await exchange(gateway.client, _request("/v1/external/models", method="TRACE"))
    assert response.status == 405, response
    assert response.headers["allow"] == "GET, POST"
    assert response.json() == {
        "code": 4051000204,
        "error": "PREDA_EXTERNAL_METHOD_NOT_ALLOWED",
        "message": "This method is not allowed on this URL.",
    }


async def test_a_wrong_method_on_the_nnc_path_carries_allow(gateway):
    response = await gateway.client.get("/v1/serverless/classifiers/a/inference")
    assert response.status == 405
    assert response.headers["Allow"] == "POST"
    assert (await response.json())["code"] == "4051020002"
