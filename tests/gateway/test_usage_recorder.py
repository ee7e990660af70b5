"""Per-day counts are batched in memory, flushed on stop, and kept on disk while the registry
does not take them; a batch sent twice counts once."""

from __future__ import annotations

from services.gateway.serving.usage import UsageRecorder
from services.gateway.serving.usage_spool import UsageSpool
from services.runtime.grpc_client import open_channel
from tests.registry.helpers import make_api, make_version
from tests.service_token import SERVICE_TOKEN
from torii.v1 import registry_service_pb2 as pb
from torii.v1 import registry_service_pb2_grpc


async def usage_of(registry, api_id: str) -> list[tuple[int, int, int]]:
    answer = await registry.stub.GetUsage(pb.GetUsageRequest(actor_user_id=registry.admin_user_id, api_id=api_id))
    return [(day.count_2xx, day.count_4xx, day.count_5xx) for day in answer.days]


async def new_api(registry) -> str:
    version = await make_version(registry.stub, registry.admin_user_id)
    return (await make_api(registry.stub, registry.admin_user_id, version.model_version_id)).api.api_id


async def test_a_graceful_stop_flushes_what_is_counted(registry, tmp_path):
    api_id = await new_api(registry)
    recorder = UsageRecorder(registry.stub, UsageSpool(tmp_path, 10), flush_interval_s=3600)
    recorder.start()
    for status in (200, 200, 404, 403, 503, 301):
        recorder.count(api_id, status)
    assert await usage_of(registry, api_id) == []
    await recorder.stop()
    assert await usage_of(registry, api_id) == [(2, 2, 1)]
    assert list(tmp_path.iterdir()) == []


async def test_counts_the_registry_did_not_take_survive_a_restart_and_count_once(registry, tmp_path):
    api_id = await new_api(registry)
    spool = tmp_path / "usage-spool"
    async with open_channel("127.0.0.1:1", default_timeout_s=1, service_token=SERVICE_TOKEN) as dead:
        down = UsageRecorder(registry_service_pb2_grpc.RegistryServiceStub(dead), UsageSpool(spool, 10))
        down.start()
        down.count(api_id, 200)
        down.count(api_id, 200)
        await down.stop()
    kept = sorted(spool.iterdir())
    assert len(kept) == 1 and kept[0].stat().st_mode & 0o777 == 0o600
    # A retry whose first try did commit: the same batch, with its flush id, arrives twice.
    (spool / "copy-of-the-same-batch.usage").write_bytes(kept[0].read_bytes())

    restarted = UsageRecorder(registry.stub, UsageSpool(spool, 10))
    restarted.count(api_id, 500)
    await restarted.flush()
    assert await usage_of(registry, api_id) == [(2, 0, 1)]
    assert list(spool.iterdir()) == []


async def test_a_full_spool_keeps_counts_in_memory_for_the_next_flush(registry, tmp_path):
    api_id = await new_api(registry)
    async with open_channel("127.0.0.1:1", default_timeout_s=1, service_token=SERVICE_TOKEN) as dead:
        recorder = UsageRecorder(registry_service_pb2_grpc.RegistryServiceStub(dead), UsageSpool(tmp_path, 1))
        recorder.count(api_id, 200)
        await recorder.flush()
        recorder.count(api_id, 404)
        await recorder.flush()  # the spool holds one batch already: this one stays in memory
    assert len(list(tmp_path.iterdir())) == 1
    live = UsageRecorder(registry.stub, UsageSpool(tmp_path, 1))
    await live.flush()
    assert await usage_of(registry, api_id) == [(1, 0, 0)]


async def chat_tokens_of(registry, api_id: str) -> list[tuple[str, str, int, int, int]]:
    answer = await registry.stub.GetUsage(pb.GetUsageRequest(actor_user_id=registry.admin_user_id, api_id=api_id))
    return [(t.key_id, t.project, t.requests, t.prompt_tokens, t.completion_tokens) for t in answer.chat_tokens]


async def test_chat_tokens_are_added_up_per_key_and_survive_an_outage_once(registry, tmp_path):
    api_id = await new_api(registry)
    key_a, key_b = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
    spool = tmp_path / "usage-spool"
    async with open_channel("127.0.0.1:1", default_timeout_s=1, service_token=SERVICE_TOKEN) as dead:
        down = UsageRecorder(registry_service_pb2_grpc.RegistryServiceStub(dead), UsageSpool(spool, 10))
        down.count_chat_tokens(api_id, key_a, "", 10, 5)
        down.count_chat_tokens(api_id, key_a, "", 12, 7)
        await down.stop()
    (kept,) = sorted(spool.iterdir())
    (spool / "copy-of-the-same-batch.usage").write_bytes(kept.read_bytes())

    live = UsageRecorder(registry.stub, UsageSpool(spool, 10))
    live.count_chat_tokens(api_id, key_b, "team/project", 3, 1)
    await live.flush()
    assert sorted(await chat_tokens_of(registry, api_id)) == [
        (key_a, "", 2, 22, 12),
        (key_b, "team/project", 1, 3, 1),
    ]
