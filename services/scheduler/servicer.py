"""SchedulerService: what the reconciler has loaded on Triton, for operators (grpcurl)."""

from __future__ import annotations

from collections.abc import Callable

from services.policy.triton_names import parse_triton_model_name
from services.scheduler.reconciler import Reconciler
from services.scheduler.triton.model_config import ModelEntry
from torii.v1 import scheduler_service_pb2 as pb
from torii.v1 import scheduler_service_pb2_grpc


class SchedulerServicer(scheduler_service_pb2_grpc.SchedulerServiceServicer):
    def __init__(self, reconciler: Reconciler, triton_restarts: Callable[[], int]) -> None:
        self._reconciler = reconciler
        self._triton_restarts = triton_restarts

    async def ListDeployments(self, request, context):
        return pb.ListDeploymentsResponse(
            tritons=[
                pb.TritonServer(address=address, ready=ready)
                for address, ready in await self._reconciler.triton_readiness()
            ],
            deployments=[
                _deployment(api_id, entry, retiring) for api_id, entry, retiring in self._reconciler.deployments()
            ],
            triton_restarts=self._triton_restarts(),
        )


def _deployment(api_id: str, entry: ModelEntry, retiring: bool) -> pb.Deployment:
    # The reconciler names every model it loads with triton_model_name(), so the name parses.
    parsed = parse_triton_model_name(entry.name)
    return pb.Deployment(
        api_id=api_id,
        model_version_id=parsed[1] if parsed is not None else "",
        triton_model=entry.name,
        backend=entry.backend,
        instance_kind=entry.instance_kind,
        instance_count=entry.instance_count,
        max_batch_size=entry.max_batch_size,
        dynamic_batching=entry.dynamic_batching and entry.max_batch_size > 0,
        max_queue_delay_us=entry.max_queue_delay_us,
        retiring=retiring,
    )
