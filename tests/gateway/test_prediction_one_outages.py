"""A registry or trainer that is away, or that does not answer, gets Prediction One's own 503
(`PREDA_EXTERNAL_SERVICE_UNAVAILABLE`, retry later), never its 500."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

UNAVAILABLE = {
    "code": 5031000201,
    "error": "PREDA_EXTERNAL_SERVICE_UNAVAILABLE",
    "message": "A service Torii depends on is unavailable; retry later.",
}
NOT_ANSWERED = {**UNAVAILABLE, "message": "A service Torii depends on did not answer in time; retry later."}
NOTHING_LISTENS = "127.0.0.1:1"


@pytest.fixture
async def silent_address():
    """A port that accepts connections and never says a word: a service hung, or behind a black hole."""
    held: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        for writer in held:
            writer.close()
        server.close()
        with contextlib.suppress(Exception):
            await server.wait_closed()


async def _answer(gateway, method: str, path: str, key: str, **options) -> tuple[int, dict]:
    response = await gateway.client.request(method, path, headers={"x-api-key": key}, **options)
    return response.status, await response.json()


async def _train_key(gateway) -> str:
    status, body = await _answer(
        gateway, "GET", "/v1/external/api-key", gateway.registry.admin_token, params={"credential_type": "train"}
    )
    assert status == 200, body
    return body["api_key"]


async def test_routes_answer_503_when_the_registry_is_away(start_gateway):
    gateway = await start_gateway(registry_address=NOTHING_LISTENS, rpc_timeout_s=1)
    calls = [
        ("GET", "/v1/external/api-key", {"params": {"credential_type": "train"}}),  # the secret key's check
        ("GET", "/v1/external/models", {}),  # an API key's check
        ("POST", "/v1/external/classifiers", {"json": {"model_id": 1}}),
    ]
    for method, path, options in calls:
        assert await _answer(gateway, method, path, "some-key", **options) == (503, UNAVAILABLE), path


async def test_routes_answer_503_when_the_registry_does_not_answer(start_gateway, silent_address):
    gateway = await start_gateway(registry_address=silent_address, rpc_timeout_s=1)
    status, body = await _answer(gateway, "GET", "/v1/external/models", "some-key")
    assert (status, body) == (503, NOT_ANSWERED)


async def test_a_route_answers_503_when_the_trainer_is_away(start_gateway):
    gateway = await start_gateway(trainer_address=NOTHING_LISTENS, rpc_timeout_s=1)
    key = await _train_key(gateway)  # the registry is up: the key is good
    assert await _answer(gateway, "DELETE", "/v1/external/data-sets/1", key) == (503, UNAVAILABLE)
