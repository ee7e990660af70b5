"""A lost PostgreSQL is an outage to wait out, not a bug: UNAVAILABLE, NOT_SERVING, 503, then back.

The registry reaches its database through a link the test cuts: the suite's shared PostgreSQL
keeps serving every other test.
"""

from __future__ import annotations

import uuid

import grpc
import pytest
from aiohttp.test_utils import TestClient, TestServer
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from services.registry.app import RegistryApp
from services.registry.settings import RegistrySettings
from services.runtime.grpc_client import open_channel
from tests.cuttable_link import CuttableLink
from tests.polling import eventually
from tests.service_token import SERVICE_TOKEN
from torii.v1 import registry_service_pb2 as pb
from torii.v1 import registry_service_pb2_grpc


@pytest.fixture
async def outage_platform(database_url, tmp_path):
    link = CuttableLink(database_url)
    await link.mend()
    admin_token = f"{uuid.uuid4()}.{uuid.uuid4().hex}"
    registry = RegistryApp(
        RegistrySettings(
            database_url=link.dsn,
            registry_port=0,
            bootstrap_admin_token=admin_token,
            data_dir=tmp_path,
            shutdown_grace_s=1,
            database_probe_interval_s=0.1,
        )
    )
    port = await registry.start()
    address = f"127.0.0.1:{port}"
    channel = open_channel(address, default_timeout_s=10, service_token=SERVICE_TOKEN)
    settings = GatewaySettings(data_dir=tmp_path / "gateway", registry_address=address, gateway_port=0)
    client = TestClient(TestServer(create_app(settings)))
    await client.start_server()
    try:
        yield link, channel, client, admin_token
    finally:
        await client.close()
        await channel.close()
        await registry.stop()
        await link.cut()


async def test_a_lost_database_is_unavailable_everywhere_until_it_returns(outage_platform):
    link, channel, client, admin_token = outage_platform
    registry = registry_service_pb2_grpc.RegistryServiceStub(channel)
    health = health_pb2_grpc.HealthStub(channel)
    headers = {"Authorization": f"Bearer {admin_token}"}

    async def serving() -> bool:
        reply = await health.Check(health_pb2.HealthCheckRequest(service="torii.v1.RegistryService"))
        return reply.status == health_pb2.HealthCheckResponse.SERVING

    await eventually(lambda: _ready(client, 200), timeout_s=20.0, interval_s=0.1)
    assert (await client.get("/manage/v1/apis", headers=headers)).status == 200

    await link.cut()
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.AuthenticateToken(pb.AuthenticateTokenRequest(token=admin_token))
    assert caught.value.code() == grpc.StatusCode.UNAVAILABLE
    assert "retry later" in caught.value.details()
    await eventually(lambda: _negate(serving), timeout_s=20.0, interval_s=0.1)
    await eventually(lambda: _ready(client, 503), timeout_s=20.0, interval_s=0.1)
    response = await client.get("/manage/v1/apis", headers=headers)
    assert response.status == 503
    assert (await response.json())["error"]["code"] == "UNAVAILABLE"

    await link.mend()
    await eventually(serving, timeout_s=20.0, interval_s=0.1)
    await eventually(lambda: _ready(client, 200), timeout_s=20.0, interval_s=0.1)
    assert (await client.get("/manage/v1/apis", headers=headers)).status == 200


async def _ready(client, status: int) -> bool:
    return (await client.get("/readyz")).status == status


async def _negate(probe) -> bool:
    return not await probe()
