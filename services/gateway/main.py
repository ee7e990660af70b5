"""Run the gateway until SIGTERM/SIGINT, then drain in-flight requests and close the registry channel."""

from __future__ import annotations

import asyncio

from aiohttp import web

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from services.runtime.grpc_client import open_channel
from services.runtime.logging import configure_logging, get_logger
from services.runtime.service_main import run_until_signalled

log = get_logger("gateway")


async def serve(settings: GatewaySettings) -> None:
    channel = open_channel(settings.registry_address, settings.rpc_timeout_s)
    runner = web.AppRunner(create_app(settings, channel), shutdown_timeout=settings.shutdown_grace_s, access_log=None)

    async def start() -> None:
        await runner.setup()
        site = web.TCPSite(runner, settings.host, settings.gateway_port)
        await site.start()
        addresses = [f"{host}:{port}" for host, port, *_ in runner.addresses]
        log.info("gateway_started", addresses=addresses, registry=settings.registry_address)

    async def stop() -> None:
        # HTTP first: in-flight requests still need the channel while they drain.
        await runner.cleanup()
        await channel.close()
        log.info("gateway_stopped")

    await run_until_signalled(start, stop)


def main() -> None:
    settings = GatewaySettings()
    configure_logging("gateway", settings.log_level)
    asyncio.run(serve(settings))
