"""The scheduler process: the reconciler, the local Triton it supervises, SchedulerService for
operators, health and reflection."""

from __future__ import annotations

import grpc

from services.runtime.addresses import host_and_port
from services.runtime.grpc_client import open_service_channel
from services.runtime.grpc_server import GrpcServer, ServiceBinding
from services.runtime.service_auth import triton_headers
from services.scheduler.reconciler import Clock, Reconciler, utc_now
from services.scheduler.servicer import SchedulerServicer
from services.scheduler.settings import SchedulerSettings
from services.scheduler.triton.control import TritonControl
from services.scheduler.triton.local_server import LocalTriton
from services.scheduler.triton.repository import ModelRepository
from services.scheduler.triton.supervisor import TritonSupervisor
from services.scheduler.workspaces.choice import chosen_runner
from services.scheduler.workspaces.reconciler import WorkspaceReconciler
from torii.v1 import (
    registry_service_pb2_grpc,
    scheduler_service_pb2,
    scheduler_service_pb2_grpc,
    workspace_service_pb2_grpc,
)

SERVICE_NAME = scheduler_service_pb2.DESCRIPTOR.services_by_name["SchedulerService"].full_name


class SchedulerApp:
    def __init__(self, settings: SchedulerSettings, *, clock: Clock = utc_now) -> None:
        self._settings = settings
        self._server: GrpcServer | None = None
        self._channel: grpc.aio.Channel | None = None
        headers = triton_headers(settings.service_token.get_secret_value())
        self._tritons = [TritonControl(address, headers) for address in settings.triton_addresses]
        self._supervisor: TritonSupervisor | None = None
        self._clock = clock
        self.reconciler: Reconciler | None = None
        self.workspaces: WorkspaceReconciler | None = None

    @property
    def triton_supervisor(self) -> TritonSupervisor | None:
        return self._supervisor

    async def start(self) -> int:
        """Start Triton (local mode), the reconciler and the gRPC server; return the bound port."""
        settings = self._settings
        triton_dir = settings.data_dir / "triton"
        repository_dir = settings.triton_model_repository or triton_dir / "models"
        repository = ModelRepository(repository_dir)
        self._channel = open_service_channel(settings, settings.registry_address)
        self.reconciler = Reconciler(
            registry_service_pb2_grpc.RegistryServiceStub(self._channel),
            self._tritons,
            repository,
            settings,
            clock=self._clock,
        )
        if settings.triton_mode == "local":
            host, port = host_and_port(settings.triton_addresses[0])
            local = LocalTriton(
                repository_dir,
                triton_dir,
                host=host,
                grpc_port=port,
                service_token=settings.service_token.get_secret_value(),
                nice=settings.triton_nice,
            )
            self._supervisor = TritonSupervisor(
                local, on_exit=self.reconciler.triton_lost, on_ready=self.reconciler.wake
            )
            await self._supervisor.start()
        self.reconciler.start()
        chosen = chosen_runner(settings)
        if chosen is not None:
            runner, images = chosen
            self.workspaces = WorkspaceReconciler(
                workspace_service_pb2_grpc.WorkspaceServiceStub(self._channel),
                runner,
                images,
                settings.workspace_storage,
                settings.reconcile_interval_s,
            )
            self.workspaces.start()
        supervisor = self._supervisor
        servicer = SchedulerServicer(self.reconciler, lambda: supervisor.restarts if supervisor else 0)
        self._server = GrpcServer(
            bindings=[
                ServiceBinding(
                    servicer, scheduler_service_pb2_grpc.add_SchedulerServiceServicer_to_server, SERVICE_NAME
                )
            ],
            service_token=settings.service_token.get_secret_value(),
        )
        return await self._server.start(settings.host, settings.scheduler_port)

    async def stop(self) -> None:
        if self._server is not None:
            await self._server.stop(self._settings.shutdown_grace_s)
        if self.workspaces is not None:
            await self.workspaces.stop()
        if self.reconciler is not None:
            await self.reconciler.stop()
        if self._supervisor is not None:
            await self._supervisor.stop()
        for triton in self._tritons:
            await triton.close()
        if self._channel is not None:
            await self._channel.close()
