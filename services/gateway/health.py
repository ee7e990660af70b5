"""Liveness (the process answers) and readiness (the registry answers SERVING and the inference
routes know every published API)."""

from __future__ import annotations

import grpc
from aiohttp import web
from grpc_health.v1 import health_pb2

from services.gateway.app_keys import REGISTRY, RUNTIME
from services.gateway.errors import unavailable
from services.gateway.http_base.routing import Call, Response, Route, json
from services.gateway.management import schemas
from services.runtime.logging import get_logger
from torii.v1 import registry_service_pb2

log = get_logger("gateway")

_REGISTRY_SERVICE = registry_service_pb2.DESCRIPTOR.services_by_name["RegistryService"].full_name
# A probe must answer before the prober gives up, whatever the RPC deadline is.
_PROBE_TIMEOUT_S = 2.0


async def healthz(call: Call) -> web.Response:
    return json({"status": "ok"})


async def readyz(call: Call) -> web.Response:
    health = call.request.app[REGISTRY].health
    if health is None:
        raise unavailable("the gateway has no health client for the registry")
    timeout = min(_PROBE_TIMEOUT_S, call.settings.rpc_timeout_s)
    try:
        reply = await health.Check(health_pb2.HealthCheckRequest(service=_REGISTRY_SERVICE), timeout=timeout)
    except grpc.aio.AioRpcError as error:
        # The details name the registry's address: the log has them, the answer does not.
        log.warning("readiness_check_failed", code=error.code().name, details=error.details())
        raise unavailable(f"the registry does not answer ({error.code().name})") from None
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
        raise unavailable(f"the registry reports {status}")
    if not call.request.app[RUNTIME].catalog.watcher.synced.is_set():
        raise unavailable("the gateway has not yet received the published APIs from the registry")
    return json({"status": "ready"})


ROUTES = [
    Route(
        "GET",
        "/healthz",
        healthz,
        "Liveness: 200 while the process runs",
        "health",
        {200: Response("alive", schemas.HEALTH)},
        authenticated=False,
    ),
    Route(
        "GET",
        "/readyz",
        readyz,
        "Readiness: 200 when the registry answers SERVING and the published APIs are loaded, 503 otherwise",
        "health",
        {200: Response("ready", schemas.READY)},
        authenticated=False,
        errors=(503,),
    ),
]
