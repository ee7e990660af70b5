"""The gateway process: aiohttp on its port until SIGTERM/SIGINT, then drain and close the channel."""

from __future__ import annotations

import asyncio

from aiohttp import web

from services.gateway.app import create_app
from services.gateway.app_keys import RUNTIME
from services.gateway.settings import GatewaySettings
from services.runtime.grpc_client import open_service_channel
from services.runtime.logging import get_logger

log = get_logger("gateway")


class GatewayServer:
    def __init__(self, settings: GatewaySettings) -> None:
        self._settings = settings
        self._channel = open_service_channel(settings, settings.registry_address)
        self._runner = web.AppRunner(
            create_app(settings, self._channel), shutdown_timeout=settings.shutdown_grace_s, access_log=None
        )

    async def start(self) -> list[str]:
        await self._runner.setup()
        await self._await_catalog()
        site = web.TCPSite(
            self._runner,
            self._settings.gateway_bind_host,
            self._settings.gateway_port,
            reuse_port=self._settings.gateway_reuse_port,
        )
        await site.start()
        addresses = [f"{host}:{port}" for host, port, *_ in self._runner.addresses]
        log.info("gateway_started", addresses=addresses, registry=self._settings.registry_address)
        return addresses

    async def _await_catalog(self) -> None:
        """Listen only once the published APIs are known, so a (re)started gateway, one worker among
        several on a shared port, never answers an inference with 404 for an API that exists. A
        registry that does not answer in time does not hold the start: /readyz says 503 meanwhile."""
        synced = self._runner.app[RUNTIME].catalog.watcher.synced
        try:
            await asyncio.wait_for(synced.wait(), self._settings.rpc_timeout_s)
        except TimeoutError:
            log.warning("gateway_listening_before_catalog_sync", registry=self._settings.registry_address)

    async def stop(self) -> None:
        # HTTP first: in-flight requests still need the channel while they drain.
        await self._runner.cleanup()
        await self._channel.close()
        log.info("gateway_stopped")
