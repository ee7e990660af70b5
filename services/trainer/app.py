"""The trainer process: for now only grpc.health.v1 and server reflection.

Later issues add training jobs (datasets, column analysis, ONNX export, result packaging) and
their RPCs; this process exists now so the launcher, health checks and grpcurl see it.
"""

from __future__ import annotations

from services.runtime.grpc_server import GrpcServer
from services.trainer.settings import TrainerSettings


class TrainerApp:
    def __init__(self, settings: TrainerSettings) -> None:
        self._settings = settings
        self._server = GrpcServer(bindings=[])

    async def start(self) -> int:
        """Start serving and return the bound port."""
        return await self._server.start(self._settings.host, self._settings.trainer_port)

    async def stop(self) -> None:
        await self._server.stop(self._settings.shutdown_grace_s)
