"""The scheduler process: for now only grpc.health.v1 and server reflection.

Later issues add the reconciler (Triton model repository, schedules, workspace runners) and its
RPCs; this process exists now so the launcher, health checks and grpcurl see it.
"""

from __future__ import annotations

from services.runtime.grpc_server import GrpcServer
from services.scheduler.settings import SchedulerSettings


class SchedulerApp:
    def __init__(self, settings: SchedulerSettings) -> None:
        self._settings = settings
        self._server = GrpcServer(bindings=[])

    async def start(self) -> int:
        """Start serving and return the bound port."""
        return await self._server.start(self._settings.host, self._settings.scheduler_port)

    async def stop(self) -> None:
        await self._server.stop(self._settings.shutdown_grace_s)
