"""Per-day counts are batched in memory, survive a failed flush, and are flushed on stop."""

from __future__ import annotations

from services.gateway.serving.usage import UsageRecorder
from services.runtime.grpc_client import open_channel
from tests.registry.helpers import make_api, make_version
from torii.v1 import registry_service_pb2 as pb
from torii.v1 import registry_service_pb2_grpc


async def usage_of(registry, api_id: str) -> list[tuple[int, int, int]]:
    answer = await registry.stub.GetUsage(pb.GetUsageRequest(actor_user_id=registry.admin_user_id, api_id=api_id))
    return [(day.count_2xx, day.count_4xx, day.count_5xx) for day in answer.days]


async def test_a_graceful_stop_flushes_what_is_counted(registry):
    version = await make_version(registry.stub, registry.admin_user_id)
    api_id = (await make_api(registry.stub, registry.admin_user_id, version.model_version_id)).api.api_id
    recorder = UsageRecorder(registry.stub, flush_interval_s=3600)
    recorder.start()
    for status in (200, 200, 404, 403, 503, 301):
        recorder.count(api_id, status)
    assert await usage_of(registry, api_id) == []
    await recorder.stop()
    assert await usage_of(registry, api_id) == [(2, 2, 1)]


async def test_a_failed_flush_keeps_its_counts_for_the_next_one(registry):
    version = await make_version(registry.stub, registry.admin_user_id)
    api_id = (await make_api(registry.stub, registry.admin_user_id, version.model_version_id)).api.api_id
    async with open_channel("127.0.0.1:1", default_timeout_s=1) as dead:
        recorder = UsageRecorder(registry_service_pb2_grpc.RegistryServiceStub(dead))
        recorder.count(api_id, 200)
        await recorder.flush()
    recorder._registry = registry.stub
    recorder.count(api_id, 500)
    await recorder.flush()
    assert await usage_of(registry, api_id) == [(1, 0, 1)]
