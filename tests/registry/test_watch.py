import asyncio
import hashlib

import asyncpg
import grpc
import pytest

from tests.polling import eventually
from tests.registry.helpers import make_api, make_version
from torii.v1 import apis_pb2, registry_service_pb2_grpc
from torii.v1 import registry_service_pb2 as pb


async def next_event(stream: grpc.aio.UnaryStreamCall) -> pb.WatchApisResponse:
    return await asyncio.wait_for(stream.read(), timeout=5)


async def watch_once_listening(
    stub: registry_service_pb2_grpc.RegistryServiceStub,
) -> tuple[grpc.aio.UnaryStreamCall, pb.WatchApisResponse] | None:
    """A watch and its first event, as a watcher gets them by watching again; None while the registry
    answers UNAVAILABLE, reconnecting to its change feed."""
    stream = stub.WatchApis(pb.WatchApisRequest())
    try:
        return stream, await next_event(stream)
    except grpc.aio.AioRpcError as error:
        if error.code() != grpc.StatusCode.UNAVAILABLE:
            raise
        return None


class Changes:
    """A watch stream's events, less the repeats: a creation's notification may reach the registry
    after a stream's snapshot already showed the new API, and is then sent again, unchanged."""

    def __init__(self, stream: grpc.aio.UnaryStreamCall) -> None:
        self._stream = stream
        self._last: dict[str, pb.WatchApisResponse] = {}

    async def next(self) -> pb.WatchApisResponse:
        while True:
            event = await next_event(self._stream)
            if event.type != pb.WATCH_EVENT_TYPE_UPSERTED or self._last.get(event.api_id) != event:
                self._last[event.api_id] = event
                return event


async def test_watch_sends_a_snapshot_then_each_change(registry):
    admin = registry.admin_user_id
    version = await make_version(registry.stub, admin)
    first = await make_api(registry.stub, admin, version.model_version_id, name="first")
    stream = registry.stub.WatchApis(pb.WatchApisRequest())
    changes = Changes(stream)
    try:
        snapshot = await changes.next()
        assert snapshot.type == pb.WATCH_EVENT_TYPE_UPSERTED and snapshot.api.name == "first"
        assert [k.sha256 for k in snapshot.keys] == [hashlib.sha256(first.api_key.secret.encode()).digest()]
        assert (await changes.next()).type == pb.WATCH_EVENT_TYPE_SYNCED

        await registry.stub.StopApi(pb.StopApiRequest(actor_user_id=admin, api_id=first.api.api_id))
        stopped = await changes.next()
        assert stopped.type == pb.WATCH_EVENT_TYPE_UPSERTED and stopped.api.status == apis_pb2.API_STATUS_STOPPED

        key = (
            await registry.stub.CreateApiKey(pb.CreateApiKeyRequest(actor_user_id=admin, api_id=first.api.api_id))
        ).api_key
        rekeyed = await changes.next()
        assert key.credential_id in [k.key_id for k in rekeyed.keys] and len(rekeyed.keys) == 2

        second = await make_api(registry.stub, admin, version.model_version_id, name="second")
        created = await changes.next()
        assert created.api.api_id == second.api.api_id

        await registry.stub.DeleteApi(pb.DeleteApiRequest(actor_user_id=admin, api_id=first.api.api_id))
        deleted = await changes.next()
        assert deleted.type == pb.WATCH_EVENT_TYPE_DELETED and deleted.api_id == first.api.api_id
    finally:
        stream.cancel()


async def test_trial_reservations_do_not_flood_watchers(registry):
    admin = registry.admin_user_id
    version = await make_version(registry.stub, admin)
    api = (await make_api(registry.stub, admin, version.model_version_id, api_type=apis_pb2.API_TYPE_TRIAL)).api
    stream = registry.stub.WatchApis(pb.WatchApisRequest())
    changes = Changes(stream)
    try:
        await changes.next()
        assert (await changes.next()).type == pb.WATCH_EVENT_TYPE_SYNCED
        for _ in range(3):
            await registry.stub.ReserveTrialRequest(pb.ReserveTrialRequestRequest(api_id=api.api_id))
        await registry.stub.LockApi(pb.LockApiRequest(actor_user_id=admin, api_id=api.api_id))
        event = await changes.next()
        assert event.api.locked, "the lock must be the first change watchers hear of"
    finally:
        stream.cancel()


async def test_a_lost_change_feed_ends_streams_and_recovers(registry):
    admin = registry.admin_user_id
    version = await make_version(registry.stub, admin)
    api = (await make_api(registry.stub, admin, version.model_version_id)).api
    stream = registry.stub.WatchApis(pb.WatchApisRequest())
    changes = Changes(stream)
    await changes.next()
    await changes.next()
    connection = await asyncpg.connect(registry.database_url)
    try:
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND query LIKE 'LISTEN%'"
        )
    finally:
        await connection.close()
    with pytest.raises(grpc.aio.AioRpcError) as ended:
        await changes.next()
    assert ended.value.code() == grpc.StatusCode.UNAVAILABLE

    again, first = await eventually(lambda: watch_once_listening(registry.stub), timeout_s=20.0, interval_s=0.1)
    try:
        assert first.api.api_id == api.api_id
        assert (await next_event(again)).type == pb.WATCH_EVENT_TYPE_SYNCED
        await registry.stub.StopApi(pb.StopApiRequest(actor_user_id=admin, api_id=api.api_id))
        assert (await next_event(again)).api.status == apis_pb2.API_STATUS_STOPPED
    finally:
        again.cancel()
