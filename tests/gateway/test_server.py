"""The gateway process's server: workers sharing a port, and listening only once APIs are known."""

from __future__ import annotations

import asyncio
import socket
import time

import aiohttp

from services.gateway.app_keys import RUNTIME
from services.gateway.main import GatewayServer
from services.gateway.settings import GatewaySettings


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_workers_share_one_port_and_each_knows_the_apis_before_listening(registry, tmp_path):
    port = free_port()
    settings = GatewaySettings(
        data_dir=tmp_path, registry_address=registry.address, gateway_port=port, gateway_reuse_port=True
    )
    workers = [GatewayServer(settings), GatewayServer(settings)]
    try:
        for worker in workers:
            assert await worker.start() == [f"127.0.0.1:{port}"]
            # A poke on purpose: /readyz on the shared port may reach the other worker, and any request
            # awaits, giving a late sync time to land; only the app itself, read before the loop runs
            # again, shows that this worker had the APIs when start() opened its port.
            assert worker._runner.app[RUNTIME].catalog.watcher.synced.is_set()  # noqa: SLF001
        async with aiohttp.ClientSession() as session:
            for _ in range(4):
                async with session.get(f"http://127.0.0.1:{port}/readyz") as response:
                    assert response.status == 200
    finally:
        for worker in workers:
            await worker.stop()


async def test_the_gateway_listens_on_its_own_host_not_the_internal_one(registry, tmp_path):
    port = free_port()
    settings = GatewaySettings(
        data_dir=tmp_path,
        registry_address=registry.address,
        gateway_port=port,
        host="127.0.0.1",
        gateway_host="127.0.0.2",
    )
    server = GatewayServer(settings)
    try:
        assert await server.start() == [f"127.0.0.2:{port}"]
    finally:
        await server.stop()


async def test_an_open_event_stream_does_not_hold_up_a_stopping_gateway(registry, tmp_path):
    port = free_port()
    grace_s = 30.0
    settings = GatewaySettings(
        data_dir=tmp_path, registry_address=registry.address, gateway_port=port, shutdown_grace_s=grace_s
    )
    server = GatewayServer(settings)
    await server.start()
    stopped = False
    try:
        async with aiohttp.ClientSession() as session:
            headers = {"Authorization": f"Bearer {registry.admin_token}"}
            async with session.get(f"http://127.0.0.1:{port}/manage/v1/apis/events", headers=headers) as response:
                assert response.status == 200
                started = time.monotonic()
                await server.stop()
                stopped = True
                # aiohttp would wait out the grace period for a handler still streaming.
                assert time.monotonic() - started < grace_s / 3
                assert await asyncio.wait_for(response.content.read(), 5) is not None
    finally:
        if not stopped:
            await server.stop()
