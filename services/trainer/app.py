"""The trainer's composition root: registry channel → artifact store, uploads, column analysis,
job runner → TrainerService, health and reflection."""

from __future__ import annotations

import os
import socket

import grpc

from services.runtime.grpc_client import open_service_channel
from services.runtime.grpc_server import GrpcServer, ServiceBinding
from services.trainer.artifacts import ArtifactStore
from services.trainer.columns import ColumnDescriber
from services.trainer.jobs.runner import JobRunner
from services.trainer.removals import Removals
from services.trainer.servicer import TrainerServicer
from services.trainer.settings import TrainerSettings
from services.trainer.uploads import Uploads
from torii.v1 import trainer_service_pb2, trainer_service_pb2_grpc, training_registry_service_pb2_grpc

SERVICE_NAME = trainer_service_pb2.DESCRIPTOR.services_by_name["TrainerService"].full_name


class TrainerApp:
    def __init__(self, settings: TrainerSettings) -> None:
        self._settings = settings
        self._channel: grpc.aio.Channel | None = None
        self._server: GrpcServer | None = None
        self.runner: JobRunner | None = None

    async def start(self) -> int:
        """Requeue what a dead trainer left, start claiming jobs and serving; return the bound port."""
        settings = self._settings
        self._channel = open_service_channel(settings, settings.registry_address)
        registry = training_registry_service_pb2_grpc.TrainingRegistryServiceStub(self._channel)
        store = ArtifactStore(settings.data_dir / "artifacts")
        self.runner = JobRunner(registry, store, settings, trainer_id=f"{socket.gethostname()}:{os.getpid()}")
        await self.runner.start()
        servicer = TrainerServicer(
            Uploads(registry, store, settings.max_dataset_bytes),
            ColumnDescriber(registry, store),
            Removals(registry, store),
            self.runner,
            registry,
            store,
            settings.job_poll_interval_s,
        )
        self._server = GrpcServer(
            [ServiceBinding(servicer, trainer_service_pb2_grpc.add_TrainerServiceServicer_to_server, SERVICE_NAME)],
            service_token=settings.service_token.get_secret_value(),
        )
        return await self._server.start(settings.host, settings.trainer_port)

    async def stop(self) -> None:
        """Stop serving, then stop the workers: their jobs are requeued when a trainer starts again."""
        if self._server is not None:
            await self._server.stop(self._settings.shutdown_grace_s)
        if self.runner is not None:
            await self.runner.stop()
        if self._channel is not None:
            await self._channel.close()
