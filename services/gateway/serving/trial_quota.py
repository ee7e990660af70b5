"""A trial API's quota, kept exact by the registry: every request reserves one call there before
it runs, and a failure on the platform's side gives the reservation back.

The gateway holds at most `max_in_flight` of these registry calls at once, and a burst waits
here for a slot. Without the bound, a few thousand concurrent trial requests became as many
concurrent calls, the registry's gRPC server shed those past its pending-call limit at random
(CANCELLED), and their callers got 503 instead of their answer or the quota's refusal.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import grpc

from services.gateway.serving.catalog import Endpoint
from services.gateway.serving.refusals import PLATFORM_FAILURES, Refusal, Refused
from services.runtime.logging import get_logger
from torii.v1 import registry_service_pb2, registry_service_pb2_grpc

log = get_logger("inference")

REGISTRY_BUSY = "the registry is busy with other trial requests"


class TrialQuota:
    def __init__(
        self, registry: registry_service_pb2_grpc.RegistryServiceStub, max_in_flight: int, wait_s: float
    ) -> None:
        """wait_s: longest wait for a free slot; past it the request is refused as the platform's failure."""
        if max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self._registry = registry
        self._slots = asyncio.Semaphore(max_in_flight)
        self._wait_s = wait_s

    @contextlib.asynccontextmanager
    async def reservation(self, endpoint: Endpoint) -> AsyncIterator[None]:
        """Hold one reservation of a trial API's quota while the request runs; a Refused in
        PLATFORM_FAILURES gives it back. A formal API reserves nothing."""
        if not endpoint.trial:
            yield
            return
        api_id = endpoint.api.api_id
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
        async with self._slot():
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
            async with self._slot():
                await self._registry.ReleaseTrialRequest(registry_service_pb2.ReleaseTrialRequestRequest(api_id=api_id))
        except (grpc.aio.AioRpcError, Refused) as error:
            code = error.code().name if isinstance(error, grpc.aio.AioRpcError) else error.detail
            log.warning("trial_release_failed", api_id=api_id, code=code)

    @contextlib.asynccontextmanager
    async def _slot(self) -> AsyncIterator[None]:
        try:
            async with asyncio.timeout(self._wait_s):
                await self._slots.acquire()
        except TimeoutError:
            raise Refused(Refusal.BACKEND_UNAVAILABLE, REGISTRY_BUSY) from None
        try:
            yield
        finally:
            self._slots.release()
