"""The gateway process: aiohttp on its port until SIGTERM/SIGINT, then drain and close the channel."""

from __future__ import annotations

from aiohttp import web

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from services.runtime.grpc_client import open_channel
from services.runtime.logging import get_logger

log = get_logger("gateway")


class GatewayServer:
    def __init__(self, settings: GatewaySettings) -> None:
        self._settings = settings
        self._channel = open_channel(settings.registry_address, settings.rpc_timeout_s)
        self._runner = web.AppRunner(
            create_app(settings, self._channel), shutdown_timeout=settings.shutdown_grace_s, access_log=None
        )

    async def start(self) -> list[str]:
        await self._runner.setup()
        await web.TCPSite(self._runner, self._settings.host, self._settings.gateway_port).start()
        addresses = [f"{host}:{port}" for host, port, *_ in self._runner.addresses]
        log.info("gateway_started", addresses=addresses, registry=self._settings.registry_address)
        return addresses

    async def stop(self) -> None:
        # HTTP first: in-flight requests still need the channel while they drain.
        await self._runner.cleanup()
        await self._channel.close()
        log.info("gateway_stopped")
