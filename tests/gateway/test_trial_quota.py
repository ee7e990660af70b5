"""The gateway's side of a trial API's quota: a bounded number of registry calls at once, and a
reservation given back only when the platform failed the request."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import grpc
import pytest

from services.gateway.serving.refusals import Refusal, Refused
from services.gateway.serving.trial_quota import REGISTRY_BUSY, TrialQuota
from tests.polling import eventually
from torii.v1 import registry_service_pb2 as pb


class CountingRegistry:
    """Grants `limit` reservations; records how many calls were in flight at most."""

    def __init__(self, limit: int = 100, delay_s: float = 0.001) -> None:
        self.limit, self.used, self.delay_s = limit, 0, delay_s
        self.in_flight = self.most_in_flight = self.releases = 0

    async def _call(self) -> None:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay_s)
        finally:
            self.in_flight -= 1

    async def ReserveTrialRequest(self, request: pb.ReserveTrialRequestRequest) -> pb.ReserveTrialRequestResponse:
        await self._call()
        granted = self.used < self.limit
        self.used += granted
        return pb.ReserveTrialRequestResponse(granted=granted, used=self.used, limit=self.limit)

    async def ReleaseTrialRequest(self, request: pb.ReleaseTrialRequestRequest) -> pb.ReleaseTrialRequestResponse:
        await self._call()
        self.used, self.releases = self.used - 1, self.releases + 1
        return pb.ReleaseTrialRequestResponse(used=self.used, limit=self.limit)


def endpoint(trial: bool = True) -> SimpleNamespace:
    return SimpleNamespace(trial=trial, api=SimpleNamespace(api_id="api-1"))


async def outcome(quota: TrialQuota) -> str:
    try:
        await quota.reserve("api-1")
    except Refused as refused:
        return refused.refusal.value
    return "granted"


async def test_a_burst_reaches_the_registry_a_bounded_number_at_a_time_and_every_caller_gets_its_answer():
    registry = CountingRegistry()
    quota = TrialQuota(registry, max_in_flight=8, wait_s=10.0)
    outcomes = await asyncio.gather(*(outcome(quota) for _ in range(500)))
    assert outcomes.count("granted") == 100 and outcomes.count(Refusal.QUOTA_USED_UP.value) == 400
    assert registry.most_in_flight == 8


async def test_a_caller_that_finds_no_slot_within_its_wait_is_refused_as_the_platforms_failure():
    registry = CountingRegistry(delay_s=0.5)
    quota = TrialQuota(registry, max_in_flight=1, wait_s=0.05)
    first = asyncio.create_task(quota.reserve("api-1"))
    await eventually(lambda: registry.in_flight, lambda calls: calls == 1, what="the first call to reach the registry")
    with pytest.raises(Refused) as refused:
        await quota.reserve("api-1")
    assert refused.value.refusal is Refusal.BACKEND_UNAVAILABLE and refused.value.detail == REGISTRY_BUSY
    await first
    assert registry.used == 1


async def test_a_platform_failure_gives_the_reservation_back_and_a_callers_refusal_does_not():
    registry = CountingRegistry()
    quota = TrialQuota(registry, max_in_flight=4, wait_s=1.0)
    with pytest.raises(Refused):
        async with quota.reservation(endpoint()):
            raise Refused(Refusal.MODEL_FAILURE)
    assert (registry.used, registry.releases) == (0, 1)
    with pytest.raises(Refused):
        async with quota.reservation(endpoint()):
            raise Refused(Refusal.QUOTA_USED_UP)
    assert (registry.used, registry.releases) == (1, 1)


async def test_a_formal_api_reserves_nothing():
    registry = CountingRegistry()
    async with TrialQuota(registry, max_in_flight=4, wait_s=1.0).reservation(endpoint(trial=False)):
        pass
    assert registry.used == 0 and registry.most_in_flight == 0


class UnreachableRegistry(CountingRegistry):
    async def ReleaseTrialRequest(self, request):
        raise grpc.aio.AioRpcError(grpc.StatusCode.UNAVAILABLE, grpc.aio.Metadata(), grpc.aio.Metadata())


async def test_a_release_the_registry_cannot_take_leaves_the_callers_refusal_as_it_was():
    quota = TrialQuota(UnreachableRegistry(), max_in_flight=4, wait_s=1.0)
    with pytest.raises(Refused) as refused:
        async with quota.reservation(endpoint()):
            raise Refused(Refusal.TIMED_OUT)
    assert refused.value.refusal is Refusal.TIMED_OUT
