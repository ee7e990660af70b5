from __future__ import annotations

from services.gateway.app_keys import RUNTIME
from tests.gateway.helpers import error_of


async def test_healthz_answers_ok(gateway):
    response = await gateway.client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_readyz_answers_ready_while_the_registry_serves(gateway):
    await gateway.client.app[RUNTIME].catalog.watcher.synced.wait()
    response = await gateway.client.get("/readyz")
    assert response.status == 200
    assert await response.json() == {"status": "ready"}


async def test_readyz_waits_for_the_published_apis(gateway):
    synced = gateway.client.app[RUNTIME].catalog.watcher.synced
    await synced.wait()
    synced.clear()
    message = await error_of(await gateway.client.get("/readyz"), 503, "UNAVAILABLE")
    assert "published APIs" in message
    synced.set()
    assert (await gateway.client.get("/readyz")).status == 200


async def test_readyz_answers_503_without_a_registry(start_gateway, unused_tcp_port):
    gateway = await start_gateway(registry_address=f"127.0.0.1:{unused_tcp_port}")
    response = await gateway.client.get("/readyz")
    message = await error_of(response, 503, "UNAVAILABLE")
    assert "registry" in message
    # Liveness does not depend on the registry.
    assert (await gateway.client.get("/healthz")).status == 200


async def test_request_id_is_echoed_or_made(gateway):
    given = await gateway.client.get("/healthz", headers={"x-request-id": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = await gateway.client.get("/healthz", headers={"x-request-id": "bad id\twith spaces"})
    assert made.headers["x-request-id"] not in ("", "bad id\twith spaces")
    assert len(made.headers["x-request-id"]) == 36
