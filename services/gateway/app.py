"""The gateway's aiohttp application: one factory, the route table, the registry clients."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
from aiohttp import web
from grpc_health.v1 import health_pb2_grpc

from services.gateway.artifacts import ArtifactStore
from services.gateway.keys import ARTIFACTS, OPENAPI_DOCUMENT, REGISTRY, SETTINGS, RegistryClients
from services.gateway.middlewares import error_middleware, request_id_middleware
from services.gateway.openapi import build_document
from services.gateway.routes import ROUTES
from services.gateway.routing import aiohttp_handler
from services.gateway.settings import GatewaySettings
from services.runtime.grpc_client import open_channel
from torii.v1 import registry_service_pb2_grpc


def create_app(
    settings: GatewaySettings,
    registry: grpc.aio.Channel | registry_service_pb2_grpc.RegistryServiceStub | None = None,
    *,
    health: health_pb2_grpc.HealthStub | None = None,
) -> web.Application:
    """The gateway app.

    registry: a channel to the registry (the caller closes it), a ready stub (then pass health
    too, or /readyz answers 503), or None to open a channel to settings.registry_address for
    the application's lifetime.
    """
    # The request-id middleware is outermost so that error answers carry the id as well.
    app = web.Application(
        middlewares=[request_id_middleware, error_middleware],
        client_max_size=settings.max_json_bytes,
    )
    app[SETTINGS] = settings
    app[ARTIFACTS] = ArtifactStore(settings.data_dir)
    if registry is None:
        app[REGISTRY] = RegistryClients()
        app.cleanup_ctx.append(_registry_channel)
    elif isinstance(registry, grpc.aio.Channel):
        app[REGISTRY] = RegistryClients(
            registry_service_pb2_grpc.RegistryServiceStub(registry), health or health_pb2_grpc.HealthStub(registry)
        )
    else:
        app[REGISTRY] = RegistryClients(registry, health)
    for route in ROUTES:
        app.router.add_route(route.method, route.path, aiohttp_handler(route))
    app[OPENAPI_DOCUMENT] = build_document(ROUTES)
    return app


async def _registry_channel(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    channel = open_channel(settings.registry_address, settings.rpc_timeout_s)
    clients = app[REGISTRY]
    clients.stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
    clients.health = health_pb2_grpc.HealthStub(channel)
    try:
        yield
    finally:
        clients.stub = clients.health = None
        await channel.close()
