"""The API keys the gateway admitted reach the registry with the usage batches, spool included,
and become each key's last use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.gateway.serving.usage import UsageRecorder
from services.gateway.serving.usage_spool import UsageSpool
from services.runtime.grpc_client import open_channel
from tests.registry.helpers import make_api, make_version
from tests.service_token import SERVICE_TOKEN
from torii.v1 import registry_service_pb2 as pb
from torii.v1 import registry_service_pb2_grpc


async def _last_used(registry, key_id: str) -> datetime | None:
    reply = await registry.stub.ListCredentials(pb.ListCredentialsRequest(actor_user_id=registry.admin_user_id))
    found = next(c for c in reply.credentials if c.credential_id == key_id)
    return found.last_used_at.ToDatetime(tzinfo=UTC) if found.HasField("last_used_at") else None


async def test_a_key_use_alone_is_sent_and_survives_a_registry_outage(registry, tmp_path):
    version = await make_version(registry.stub, registry.admin_user_id)
    key_id = (await make_api(registry.stub, registry.admin_user_id, version.model_version_id)).api_key.credential_id
    spool = tmp_path / "usage-spool"
    async with open_channel("127.0.0.1:1", default_timeout_s=1, service_token=SERVICE_TOKEN) as dead:
        down = UsageRecorder(registry_service_pb2_grpc.RegistryServiceStub(dead), UsageSpool(spool, 10))
        used_at = datetime.now(UTC)
        down.key_used(key_id, used_at)
        await down.flush()
    assert len(list(spool.iterdir())) == 1, "a batch of key uses only is kept like counts are"
    assert await _last_used(registry, key_id) is None

    await UsageRecorder(registry.stub, UsageSpool(spool, 10)).flush()
    assert abs(await _last_used(registry, key_id) - used_at) < timedelta(seconds=1), (
        "the time the key was used, not the replay's"
    )
    assert list(spool.iterdir()) == []
