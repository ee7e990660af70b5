import grpc
import pytest

from tests.registry.helpers import make_api, make_version
from torii.v1 import apis_pb2
from torii.v1 import registry_service_pb2 as pb


async def test_counts_add_up_per_day_and_status_class(registry):
    admin = registry.admin_user_id
    version = await make_version(registry.stub, admin)
    api_id = (await make_api(registry.stub, admin, version.model_version_id)).api.api_id
    batch = [
        apis_pb2.DailyUsage(api_id=api_id, day="2026-11-25", count_2xx=5, count_4xx=1),
        apis_pb2.DailyUsage(api_id=api_id, day="2026-11-26", count_2xx=2, count_5xx=3),
        apis_pb2.DailyUsage(api_id=api_id, day="2026-11-26", count_2xx=1),
    ]
    await registry.stub.RecordUsage(pb.RecordUsageRequest(increments=batch))
    await registry.stub.RecordUsage(pb.RecordUsageRequest(increments=batch[:1]))
    reply = await registry.stub.GetUsage(
        pb.GetUsageRequest(actor_user_id=admin, api_id=api_id, from_day="2026-11-01", to_day="2026-11-30")
    )
    assert [(d.day, d.count_2xx, d.count_4xx, d.count_5xx) for d in reply.days] == [
        ("2026-11-25", 10, 2, 0),
        ("2026-11-26", 3, 0, 3),
    ]
    only_first = await registry.stub.GetUsage(
        pb.GetUsageRequest(actor_user_id=admin, api_id=api_id, from_day="2026-11-25", to_day="2026-11-25")
    )
    assert [d.day for d in only_first.days] == ["2026-11-25"]


async def test_counts_for_a_deleted_api_are_dropped_not_failed(registry):
    admin = registry.admin_user_id
    version = await make_version(registry.stub, admin)
    live = (await make_api(registry.stub, admin, version.model_version_id)).api.api_id
    gone = "00000000-0000-0000-0000-000000000000"
    await registry.stub.RecordUsage(
        pb.RecordUsageRequest(
            increments=[
                apis_pb2.DailyUsage(api_id=gone, day="2026-11-26", count_2xx=1),
                apis_pb2.DailyUsage(api_id=live, day="2026-11-26", count_2xx=1),
            ]
        )
    )
    reply = await registry.stub.GetUsage(
        pb.GetUsageRequest(actor_user_id=admin, api_id=live, from_day="2026-11-26", to_day="2026-11-26")
    )
    assert [d.count_2xx for d in reply.days] == [1]


@pytest.mark.parametrize(
    ("from_day", "to_day", "message"),
    [
        ("2026-13-01", "", "YYYY-MM-DD"),
        ("2026-11-27", "2026-11-26", "is after"),
        ("2024-01-01", "2026-01-01", "at most"),
    ],
)
async def test_bad_ranges_are_refused(registry, from_day, to_day, message):
    admin = registry.admin_user_id
    version = await make_version(registry.stub, admin)
    api_id = (await make_api(registry.stub, admin, version.model_version_id)).api.api_id
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.GetUsage(
            pb.GetUsageRequest(actor_user_id=admin, api_id=api_id, from_day=from_day, to_day=to_day)
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT and message in caught.value.details()


async def test_negative_counts_are_refused(registry):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.RecordUsage(
            pb.RecordUsageRequest(
                increments=[
                    apis_pb2.DailyUsage(api_id="00000000-0000-0000-0000-000000000000", day="2026-11-26", count_2xx=-1)
                ]
            )
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_batch_sent_again_with_its_flush_id_counts_once(registry):
    admin = registry.admin_user_id
    version = await make_version(registry.stub, admin)
    api_id = (await make_api(registry.stub, admin, version.model_version_id)).api.api_id
    batch = [apis_pb2.DailyUsage(api_id=api_id, day="2026-11-25", count_2xx=5, count_5xx=1)]
    flush_id = "6b0e2cf5-3c5e-4c56-9a39-3f7b1a0d6a11"
    for _ in range(3):  # a retry after a timeout, then a replay from a spool
        await registry.stub.RecordUsage(pb.RecordUsageRequest(increments=batch, flush_id=flush_id))
    await registry.stub.RecordUsage(
        pb.RecordUsageRequest(increments=batch, flush_id="0d7c6a55-8a8e-4b7e-9d64-0f0b9a0f3a22")
    )
    reply = await registry.stub.GetUsage(
        pb.GetUsageRequest(actor_user_id=admin, api_id=api_id, from_day="2026-11-25", to_day="2026-11-25")
    )
    assert [(d.count_2xx, d.count_5xx) for d in reply.days] == [(10, 2)]


async def test_a_flush_id_must_be_a_uuid(registry):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.RecordUsage(pb.RecordUsageRequest(flush_id="again"))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
