"""Wait until a service answers its readiness check: grpc.health.v1 SERVING, or HTTP 200."""

from __future__ import annotations

import asyncio

import aiohttp
import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.runtime.grpc_client import open_channel

POLL_INTERVAL_S = 0.2
PROBE_TIMEOUT_S = 1.0


async def grpc_serving(address: str) -> bool:
    """One grpc.health.v1 Check of the whole server (service "")."""
    # Health checks are open to callers without the service token (service_auth).
    channel = open_channel(address, default_timeout_s=PROBE_TIMEOUT_S, service_token="")
    try:
        response = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""))
    except grpc.aio.AioRpcError:
        return False
    finally:
        await channel.close()
    return response.status == health_pb2.HealthCheckResponse.SERVING


async def http_ok(url: str) -> bool:
    """One GET that answers 200."""
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=PROBE_TIMEOUT_S)) as session:
            async with session.get(url) as response:
                return response.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


async def wait_until(probe, deadline: float) -> bool:
    """Call probe() until it answers True (return True) or the loop's clock passes deadline (False)."""
    loop = asyncio.get_running_loop()
    while True:
        if await probe():
            return True
        if loop.time() >= deadline:
            return False
        await asyncio.sleep(POLL_INTERVAL_S)
