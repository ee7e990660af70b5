"""The gateway's aiohttp application: one factory, the contracts it speaks, the registry clients.

Adding a contract is one package that declares its CONTRACT (services.gateway.http_base.contract)
and one line in CONTRACTS below.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator

import grpc
from aiohttp import web
from grpc_health.v1 import health_pb2_grpc

from services.gateway import health, openapi
from services.gateway.app_keys import ARTIFACTS, OPENAPI_DOCUMENT, REGISTRY, RUNTIME, SETTINGS, TRAINER, RegistryClients
from services.gateway.artifacts import ArtifactStore
from services.gateway.console.contract import CONTRACT as CONSOLE
from services.gateway.dataforest.contract import CONTRACT as DATA_FOREST
from services.gateway.http_base.contract import Contract, Contracts
from services.gateway.http_base.middleware import gateway_middleware
from services.gateway.http_base.routing import Route, aiohttp_handler
from services.gateway.http_base.unreadable_requests import PARSER_LIMITS
from services.gateway.http_connections import answer_unreadable_requests_as_json
from services.gateway.management.contract import CONTRACT as MANAGEMENT
from services.gateway.management.sign_in_limits import SIGN_IN_LIMITS, SignInLimits
from services.gateway.nnc.contract import CONTRACT as NNC
from services.gateway.openai_chat.contract import CONTRACT as OPENAI_CHAT
from services.gateway.prediction_one.clients import prediction_one_clients
from services.gateway.prediction_one.contract import CONTRACT as PREDICTION_ONE
from services.gateway.serving.bounded_work import BoundedWork
from services.gateway.serving.catalog import ApiCatalog
from services.gateway.serving.catalog_file import CatalogFile
from services.gateway.serving.chat_admissions import ChatAdmissions
from services.gateway.serving.inference_runtime import InferenceRuntime
from services.gateway.serving.trial_quota import TrialQuota
from services.gateway.serving.triton_pool import TritonPool
from services.gateway.serving.usage import UsageRecorder
from services.gateway.serving.usage_spool import UsageSpool
from services.gateway.settings import GatewaySettings
from services.runtime.grpc_client import open_service_channel
from services.runtime.service_auth import triton_headers
from torii.v1 import (
    registry_service_pb2_grpc,
    trainer_service_pb2_grpc,
)

CONTRACTS: tuple[Contract, ...] = (
    MANAGEMENT,
    NNC,
    PREDICTION_ONE,
    OPENAI_CHAT,
    DATA_FOREST,
    CONSOLE,
)
"""Every contract the gateway speaks; management's is the gateway's own shape (the probes too)."""

GATEWAY_ROUTES: tuple[Route, ...] = (*health.ROUTES, *openapi.ROUTES)
"""The gateway's own routes, answered in the default contract's shape."""

ROUTES: list[Route] = [*GATEWAY_ROUTES, *(route for contract in CONTRACTS for route in contract.routes)]
"""The one route table: the router and the OpenAPI document are both built from it."""


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
    contracts = Contracts(CONTRACTS)
    # Management routes hold their bodies to max_json_bytes themselves; inference bodies are larger.
    app = web.Application(
        middlewares=[gateway_middleware(contracts)],
        client_max_size=max(settings.max_json_bytes, settings.max_inference_bytes),
        handler_args=PARSER_LIMITS,
    )
    answer_unreadable_requests_as_json(app, contracts)
    app[SETTINGS] = settings
    app[ARTIFACTS] = ArtifactStore(settings.data_dir)
    app[SIGN_IN_LIMITS] = SignInLimits(settings.sign_in_attempts_per_minute)
    if registry is None:
        app[REGISTRY] = RegistryClients()
        app.cleanup_ctx.append(_registry_channel)
    elif isinstance(registry, grpc.aio.Channel):
        app[REGISTRY] = RegistryClients()
        app[REGISTRY].open(registry, health)
    else:
        app[REGISTRY] = RegistryClients(stub=registry, health=health)
    app.cleanup_ctx.append(_inference_runtime)
    app.on_shutdown.append(_end_event_streams)
    app.cleanup_ctx.append(_trainer_channel)
    app.cleanup_ctx.append(prediction_one_clients)
    for route in GATEWAY_ROUTES:
        app.router.add_route(route.method, route.path, aiohttp_handler(route))
    contracts.add_routes(app.router, aiohttp_handler)
    app[OPENAPI_DOCUMENT] = openapi.build_document(ROUTES)
    return app


async def _registry_channel(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    channel = open_service_channel(settings, settings.registry_address)
    clients = app[REGISTRY]
    clients.open(channel)
    try:
        yield
    finally:
        clients.close()
        await channel.close()


async def _trainer_channel(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    channel = open_service_channel(settings, settings.trainer_address)
    app[TRAINER] = trainer_service_pb2_grpc.TrainerServiceStub(channel)
    try:
        yield
    finally:
        await channel.close()


async def _end_event_streams(app: web.Application) -> None:
    # aiohttp waits for every handler before cleanup; an event stream would hold it for the whole grace period.
    runtime = app.get(RUNTIME)
    if runtime is not None:
        runtime.catalog.end_subscriptions()


async def _inference_runtime(app: web.Application) -> AsyncIterator[None]:
    """The NNC route's catalog (watching the registry), Triton clients and usage counters."""
    settings = app[SETTINGS]
    registry = app[REGISTRY].registry()
    runtime = InferenceRuntime(
        catalog=ApiCatalog(registry, CatalogFile(settings.data_dir / "gateway" / "catalog.pb")),
        triton=TritonPool(settings.triton_addresses, triton_headers(settings.service_token.get_secret_value())),
        usage=UsageRecorder(
            registry,
            UsageSpool(settings.data_dir / "gateway" / "usage-spool", settings.usage_spool_max_batches),
            flush_interval_s=settings.usage_flush_interval_s,
        ),
        trial_quota=TrialQuota(registry, settings.max_trial_reservations_in_flight, settings.rpc_timeout_s),
        chat_admissions=ChatAdmissions(
            app[REGISTRY].chat_keys, settings.max_chat_admissions_in_flight, settings.rpc_timeout_s
        ),
        trusted_proxies=tuple(ipaddress.ip_network(cidr, strict=False) for cidr in settings.trusted_proxies),
        max_body_bytes=settings.max_inference_bytes,
        dedicated_timeout_s=settings.inference_timeout_s,
        max_image_pixels=settings.max_image_pixels,
        large_bodies=BoundedWork(settings.max_large_bodies),
    )
    app[RUNTIME] = runtime
    runtime.catalog.start()
    runtime.usage.start()
    try:
        yield
    finally:
        await runtime.catalog.stop()
        # Settled leases are usage too: finished before the last usage batch goes.
        await runtime.chat_admissions.stop()
        await runtime.usage.stop()
        await runtime.triton.close()
        runtime.decoder_processes.close()
