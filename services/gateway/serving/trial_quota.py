"""A trial API's quota, kept exact by the registry: every request reserves one call there before
it runs, and a failure on the platform's side gives the reservation back.

The gateway holds at most `max_in_flight` of these registry calls at once (serving.registry_slots).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import grpc

from services.gateway.serving.catalog import Endpoint
from services.gateway.serving.refusals import PLATFORM_FAILURES, Refusal, Refused
from services.gateway.serving.registry_slots import RegistrySlots
from services.runtime.logging import get_logger
from torii.v1 import registry_service_pb2, registry_service_pb2_grpc

log = get_logger("inference")

REGISTRY_BUSY = "the registry is busy with other trial requests"

_NOTHING_TO_RESERVE = contextlib.nullcontext()


class TrialQuota:
    def __init__(
        self, registry: registry_service_pb2_grpc.RegistryServiceStub, max_in_flight: int, wait_s: float
    ) -> None:
        """wait_s: longest wait for a free slot; past it the request is refused as the platform's failure."""
        self._registry = registry
        self._slots = RegistrySlots(max_in_flight, wait_s, REGISTRY_BUSY)

    def reservation(self, endpoint: Endpoint) -> contextlib.AbstractAsyncContextManager[None]:
        """Hold one reservation of a trial API's quota while the request runs; a Refused in
        PLATFORM_FAILURES gives it back. A formal API reserves nothing (and makes no generator)."""
        return self._reserved(endpoint.api.api_id) if endpoint.trial else _NOTHING_TO_RESERVE

    @contextlib.asynccontextmanager
    async def _reserved(self, api_id: str) -> AsyncIterator[None]:
        await self.reserve(api_id)
        try:
            yield
        except Refused as refused:
            if refused.refusal in PLATFORM_FAILURES:
                await self.release(api_id)
            raise

    async def reserve(self, api_id: str) -> None:
        """One request from the quota, or Refused: QUOTA_USED_UP, or BACKEND_UNAVAILABLE when the
        registry cannot say."""
        async with self._slots.slot():
            try:
                answer = await self._registry.ReserveTrialRequest(
                    registry_service_pb2.ReserveTrialRequestRequest(api_id=api_id)
                )
            except grpc.aio.AioRpcError as error:
                log.warning("trial_reservation_failed", api_id=api_id, code=error.code().name)
                raise Refused(Refusal.BACKEND_UNAVAILABLE) from None
        if not answer.granted:
            raise Refused(Refusal.QUOTA_USED_UP, f"this trial API has answered its {answer.limit} requests")

    async def release(self, api_id: str) -> None:
        """Give a reservation back, once: a retry could give back more than was taken. A release
        that cannot be made is logged; the request it belonged to stays counted."""
        try:
            async with self._slots.slot():
                await self._registry.ReleaseTrialRequest(registry_service_pb2.ReleaseTrialRequestRequest(api_id=api_id))
        except (grpc.aio.AioRpcError, Refused) as error:
            code = error.code().name if isinstance(error, grpc.aio.AioRpcError) else error.detail
            log.warning("trial_release_failed", api_id=api_id, code=code)
