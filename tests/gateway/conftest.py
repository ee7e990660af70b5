"""A real gateway (aiohttp test server on an ephemeral port) in front of the real registry."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from tests.conftest import RunningRegistry


@dataclass
class RunningGateway:
    client: TestClient
    settings: GatewaySettings
    registry: RunningRegistry

    @property
    def admin(self) -> dict[str, str]:
        return bearer(self.registry.admin_token)

    @property
    def models_dir(self) -> Path:
        return self.settings.data_dir / "artifacts" / "models"

    def artifact_files(self) -> list[Path]:
        """Every file in the artifact folder, temporary ones included."""
        return sorted(self.models_dir.iterdir()) if self.models_dir.exists() else []


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


StartGateway = Callable[..., Awaitable[RunningGateway]]


@pytest.fixture
async def start_gateway(registry, tmp_path) -> AsyncIterator[StartGateway]:
    """Starts a gateway whose settings are the defaults for tests updated with the given ones."""
    async with gateway_starter(registry, tmp_path) as start:
        yield start


@contextlib.asynccontextmanager
async def gateway_starter(registry: RunningRegistry, data_dir: Path) -> AsyncIterator[StartGateway]:
    """start_gateway for any scope: the gateways it starts stop with the block."""
    async with contextlib.AsyncExitStack() as stack:

        async def start(**overrides) -> RunningGateway:
            fields = {
                "data_dir": data_dir / "gateway-data",
                "registry_address": registry.address,
                "gateway_port": 0,
                "rpc_timeout_s": 10,
                **overrides,
            }
            settings = GatewaySettings(**fields)
            client = await stack.enter_async_context(TestClient(TestServer(create_app(settings))))
            return RunningGateway(client, settings, registry)

        yield start


@pytest.fixture
async def gateway(start_gateway) -> RunningGateway:
    return await start_gateway()
