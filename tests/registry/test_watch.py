import asyncio
import hashlib

import asyncpg
import grpc
import pytest

from tests.registry.helpers import make_api, make_version
from torii.v1 import apis_pb2
from torii.v1 import registry_service_pb2 as pb


async def next_event(stream) -> pb.WatchApisResponse:
    return await asyncio.wait_for(stream.read(), timeout=5)


async def test_watch_sends_a_snapshot_then_each_change(registry):
    admin = registry.admin_user_id
    version = await make_version(registry.stub, admin)
    first = await make_api(registry.stub, admin, version.model_version_id, name="first")
    stream = registry.stub.WatchApis(pb.WatchApisRequest())
    try:
        snapshot = await next_event(stream)
        assert snapshot.type == pb.WATCH_EVENT_TYPE_UPSERTED and snapshot.api.name == "first"
        assert [k.sha256 for k in snapshot.keys] == [hashlib.sha256(first.api_key.secret.encode()).digest()]
        assert (await next_event(stream)).type == pb.WATCH_EVENT_TYPE_SYNCED

        await registry.stub.StopApi(pb.StopApiRequest(actor_user_id=admin, api_id=first.api.api_id))
        stopped = await next_event(stream)
        assert stopped.type == pb.WATCH_EVENT_TYPE_UPSERTED and stopped.api.status == apis_pb2.API_STATUS_STOPPED

        key = (await registry.stub.CreateApiKey(pb.CreateApiKeyRequest(actor_user_id=admin, api_id=first.api.api_id))).api_key
        rekeyed = await next_event(stream)
        assert key.credential_id in [k.key_id for k in rekeyed.keys] and len(rekeyed.keys) == 2

        second = await make_api(registry.stub, admin, version.model_version_id, name="second")
        created = await next_event(stream)
        assert created.api.api_id == second.api.api_id

        await registry.stub.DeleteApi(pb.DeleteApiRequest(actor_user_id=admin, api_id=first.api.api_id))
        deleted = await next_event(stream)
        assert deleted.type == pb.WATCH_EVENT_TYPE_DELETED and deleted.api_id == first.api.api_id
    finally:
        stream.cancel()


async def test_trial_reservations_do_not_flood_watchers(registry):
    admin = registry.admin_user_id
    version = await make_version(registry.stub, admin)
    api = (await make_api(registry.stub, admin, version.model_version_id, api_type=apis_pb2.API_TYPE_TRIAL)).api
    stream = registry.stub.WatchApis(pb.WatchApisRequest())
    try:
        await next_event(stream)
        assert (await next_event(stream)).type == pb.WATCH_EVENT_TYPE_SYNCED
        for _ in range(3):
            await registry.stub.ReserveTrialRequest(pb.ReserveTrialRequestRequest(api_id=api.api_id))
        await registry.stub.LockApi(pb.LockApiRequest(actor_user_id=admin, api_id=api.api_id))
        event = await next_event(stream)
        assert event.api.locked, "the lock must be the first change watchers hear of"
    finally:
        stream.cancel()


async def test_a_lost_change_feed_ends_streams_and_recovers(registry):
    admin = registry.admin_user_id
    version = await make_version(registry.stub, admin)
    api = (await make_api(registry.stub, admin, version.model_version_id)).api
    stream = registry.stub.WatchApis(pb.WatchApisRequest())
    await next_event(stream)
    await next_event(stream)
    connection = await asyncpg.connect(registry.database_url)
    try:
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND query LIKE 'LISTEN%'"
        )
    finally:
        await connection.close()
    with pytest.raises(grpc.aio.AioRpcError) as ended:
        await asyncio.wait_for(stream.read(), timeout=5)
    assert ended.value.code() == grpc.StatusCode.UNAVAILABLE

    for _ in range(50):
        if registry.app.watch_listening:
            break
        await asyncio.sleep(0.1)
    again = registry.stub.WatchApis(pb.WatchApisRequest())
    try:
        assert (await next_event(again)).api.api_id == api.api_id
        assert (await next_event(again)).type == pb.WATCH_EVENT_TYPE_SYNCED
        await registry.stub.StopApi(pb.StopApiRequest(actor_user_id=admin, api_id=api.api_id))
        assert (await next_event(again)).api.status == apis_pb2.API_STATUS_STOPPED
    finally:
        again.cancel()
