"""The grpc.aio server every service runs: health, reflection, interceptors, graceful stop."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1.health import aio as health_aio
from grpc_reflection.v1alpha import reflection

from services.runtime.interceptors import ServerCallInterceptor
from services.runtime.logging import get_logger
from services.runtime.service_auth import check_token_strength

log = get_logger("grpc_server")

# Enough for model signatures and watch snapshots; artifacts never travel over gRPC.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ServiceBinding:
    """A servicer, the generated function that registers it, and its full name for health/reflection."""

    servicer: object
    add_to_server: Callable[[object, grpc.aio.Server], None]
    full_name: str


class GrpcServer:
    """Start and stop are separate so tests can run it in-process without blocking."""

    def __init__(
        self,
        bindings: Iterable[ServiceBinding],
        service_token: str,
        generic_handlers: Iterable[grpc.GenericRpcHandler] = (),
        is_unavailable: Callable[[BaseException], bool] = lambda _: False,
    ) -> None:
        """service_token: what every caller but health and reflection must present (service_auth).
        is_unavailable: which unexpected errors mean a dependency is down, answered UNAVAILABLE."""
        self._service_token = check_token_strength(service_token)
        self._is_unavailable = is_unavailable
        self._bindings = list(bindings)
        self._generic_handlers = list(generic_handlers)
        self._server: grpc.aio.Server | None = None
        self._health = health_aio.HealthServicer()
        self.port: int | None = None

    async def start(self, host: str, port: int) -> int:
        """Bind (port 0 picks a free one), start serving, and return the bound port."""
        server = grpc.aio.server(
            interceptors=[ServerCallInterceptor(self._service_token, self._is_unavailable)],
            options=[
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                ("grpc.so_reuseport", 0),
            ],
        )
        for binding in self._bindings:
            binding.add_to_server(binding.servicer, server)
        if self._generic_handlers:
            server.add_generic_rpc_handlers(self._generic_handlers)
        health_pb2_grpc.add_HealthServicer_to_server(self._health, server)
        names = [b.full_name for b in self._bindings]
        reflection.enable_server_reflection(
            [*names, health_pb2.DESCRIPTOR.services_by_name["Health"].full_name, reflection.SERVICE_NAME],
            server,
        )
        bound: int = server.add_insecure_port(f"{host}:{port}")
        if bound == 0:
            raise OSError(f"cannot bind gRPC server to {host}:{port}")
        await server.start()
        for name in ["", *names]:
            await self._health.set(name, health_pb2.HealthCheckResponse.SERVING)
        self._server, self.port = server, bound
        log.info("grpc_server_started", address=f"{host}:{bound}", services=names)
        return bound

    async def set_serving(self, serving: bool) -> None:
        """What health checks answer, for the whole server and each service, while it runs."""
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ["", *(b.full_name for b in self._bindings)]:
            await self._health.set(name, status)

    async def stop(self, grace_s: float) -> None:
        """Report NOT_SERVING, refuse new calls, and let in-flight ones finish within grace_s."""
        if self._server is None:
            return
        await self._health.enter_graceful_shutdown()
        await self._server.stop(grace_s)
        self._server = None
        log.info("grpc_server_stopped")

    async def wait_for_termination(self) -> None:
        if self._server is not None:
            await self._server.wait_for_termination()
