import asyncio
import uuid

import grpc
import pytest

from tests.registry.helpers import make_api, make_version
from torii.v1 import apis_pb2
from torii.v1 import registry_service_pb2 as pb


async def test_exactly_one_hundred_of_two_hundred_concurrent_reservations_succeed(registry):
    version = await make_version(registry.stub, registry.admin_user_id)
    api = (
        await make_api(
            registry.stub, registry.admin_user_id, version.model_version_id, api_type=apis_pb2.API_TYPE_TRIAL
        )
    ).api
    replies = await asyncio.gather(
        *(registry.stub.ReserveTrialRequest(pb.ReserveTrialRequestRequest(api_id=api.api_id)) for _ in range(200))
    )
    granted = [reply for reply in replies if reply.granted]
    assert len(granted) == 100
    assert sorted(reply.used for reply in granted) == list(range(1, 101))
    assert all(reply.limit == 100 and reply.used == 100 for reply in replies if not reply.granted)
    after = (await registry.stub.GetApi(pb.GetApiRequest(actor_user_id=registry.admin_user_id, api_id=api.api_id))).api
    assert after.trial_used == 100


async def test_formal_apis_have_no_quota(registry):
    version = await make_version(registry.stub, registry.admin_user_id)
    api = (await make_api(registry.stub, registry.admin_user_id, version.model_version_id)).api
    reply = await registry.stub.ReserveTrialRequest(pb.ReserveTrialRequestRequest(api_id=api.api_id))
    assert reply.granted and reply.limit == 0
    after = (await registry.stub.GetApi(pb.GetApiRequest(actor_user_id=registry.admin_user_id, api_id=api.api_id))).api
    assert after.trial_used == 0


async def test_a_reservation_for_no_such_api_is_not_found(registry):
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await registry.stub.ReserveTrialRequest(pb.ReserveTrialRequestRequest(api_id=str(uuid.uuid4())))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_released_reservation_can_be_taken_again_and_never_goes_below_zero(registry):
    version = await make_version(registry.stub, registry.admin_user_id)
    api = (
        await make_api(
            registry.stub, registry.admin_user_id, version.model_version_id, api_type=apis_pb2.API_TYPE_TRIAL
        )
    ).api
    await asyncio.gather(
        *(registry.stub.ReserveTrialRequest(pb.ReserveTrialRequestRequest(api_id=api.api_id)) for _ in range(100))
    )
    refused = await registry.stub.ReserveTrialRequest(pb.ReserveTrialRequestRequest(api_id=api.api_id))
    assert not refused.granted
    released = await registry.stub.ReleaseTrialRequest(pb.ReleaseTrialRequestRequest(api_id=api.api_id))
    assert (released.used, released.limit) == (99, 100)
    again = await registry.stub.ReserveTrialRequest(pb.ReserveTrialRequestRequest(api_id=api.api_id))
    assert again.granted and again.used == 100

    fresh = (
        await make_api(
            registry.stub,
            registry.admin_user_id,
            version.model_version_id,
            api_type=apis_pb2.API_TYPE_TRIAL,
            name="fresh",
        )
    ).api
    floor = await registry.stub.ReleaseTrialRequest(pb.ReleaseTrialRequestRequest(api_id=fresh.api_id))
    assert floor.used == 0
