"""Credentials of every kind are listed with their last use (never their secret), revoked and
given an expiry; an expired or revoked one is refused."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta

import asyncpg
import grpc
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from tests.registry.helpers import make_api, make_member, make_version
from tests.registry.training_helpers import other_account_member, rpc_error
from torii.v1 import registry_service_pb2 as pb
from torii.v1 import training_pb2
from torii.v1 import training_registry_service_pb2 as tr

KINDS = {
    pb.CREDENTIAL_KIND_BEARER_TOKEN: "token",
    pb.CREDENTIAL_KIND_API_KEY: "api key",
    pb.CREDENTIAL_KIND_PREDICTION_ONE_KEY: "p1 key",
}


def stamp(moment: datetime) -> Timestamp:
    value = Timestamp()
    value.FromDatetime(moment)
    return value


async def sql(registry, query: str, *args):
    connection = await asyncpg.connect(registry.database_url)
    try:
        return await connection.fetch(query, *args)
    finally:
        await connection.close()


async def listed(registry, actor: str, **fields) -> dict[str, pb.Credential]:
    reply = await registry.stub.ListCredentials(pb.ListCredentialsRequest(actor_user_id=actor, **fields))
    return {credential.credential_id: credential for credential in reply.credentials}


async def authenticate(registry, token: str) -> pb.AuthenticateTokenResponse:
    return await registry.stub.AuthenticateToken(pb.AuthenticateTokenRequest(token=token))


async def p1_key(training, actor: str) -> tr.IssueExternalKeyResponse:
    return await training.IssueExternalKey(
        tr.IssueExternalKeyRequest(actor_user_id=actor, purpose=training_pb2.KEY_PURPOSE_DEPLOY)
    )


async def use_api_key(registry, key_id: str, when: datetime | None = None) -> None:
    use = pb.ApiKeyUse(key_id=key_id, used_at=stamp(when or datetime.now(UTC)))
    await registry.stub.RecordUsage(pb.RecordUsageRequest(key_uses=[use]))


@pytest.fixture
async def three_kinds(registry, training):
    """A member's bearer token, an API key and a Prediction One key, each used once."""
    admin = registry.admin_user_id
    member = await make_member(registry.stub, admin)
    version = await make_version(registry.stub, admin)
    api = await make_api(registry.stub, admin, version.model_version_id)
    key = await p1_key(training, member.user.user_id)
    await authenticate(registry, member.token.secret)
    await training.AuthenticateExternalKey(tr.AuthenticateExternalKeyRequest(api_key=key.api_key.secret))
    await use_api_key(registry, api.api_key.credential_id)
    return member, api, key


async def test_the_list_shows_each_kind_with_its_last_use_and_no_secret(registry, three_kinds):
    member, api, key = three_kinds
    before = datetime.now(UTC) - timedelta(minutes=1)
    reply = await registry.stub.ListCredentials(pb.ListCredentialsRequest(actor_user_id=registry.admin_user_id))
    found = {credential.credential_id: credential for credential in reply.credentials}
    token, api_key, p1 = (
        found[member.token.credential_id],
        found[api.api_key.credential_id],
        found[key.api_key.credential_id],
    )
    assert [KINDS[c.kind] for c in (token, api_key, p1)] == ["token", "api key", "p1 key"]
    assert token.user_id == member.user.user_id and not token.api_id
    assert api_key.api_id == api.api.api_id and not api_key.user_id
    assert p1.user_id == member.user.user_id and p1.purpose == training_pb2.KEY_PURPOSE_DEPLOY
    assert p1.HasField("expires_at") and not token.HasField("expires_at") and not api_key.HasField("expires_at")
    for credential in (token, api_key, p1):
        assert credential.last_used_at.ToDatetime(tzinfo=UTC) > before
    bootstrap = [c for c in found.values() if c.bootstrap]
    assert [c.user_id for c in bootstrap] == [registry.admin_user_id] and bootstrap[0].HasField("last_used_at")

    raw = reply.SerializeToString()
    for secret in (member.token.secret, api.api_key.secret, key.api_key.secret, registry.admin_token):
        assert secret.split(".", 1)[1].encode() not in raw
        assert hashlib.sha256(secret.encode()).digest() not in raw


async def test_a_use_is_written_at_most_once_a_minute_and_never_notifies_watchers(registry, three_kinds):
    member, api, _ = three_kinds
    admin = registry.admin_user_id
    heard: list[str] = []
    listener = await asyncpg.connect(registry.database_url)
    await listener.add_listener("torii_api_changed", lambda *args: heard.append(args[-1]))
    try:
        first = (await listed(registry, admin))[member.token.credential_id].last_used_at
        await authenticate(registry, member.token.secret)
        await use_api_key(registry, api.api_key.credential_id)
        again = await listed(registry, admin)
        assert again[member.token.credential_id].last_used_at == first, "a second use within a minute writes nothing"

        await sql(registry, "UPDATE credentials SET last_used_at = now() - interval '2 minutes'")
        await authenticate(registry, member.token.secret)
        await use_api_key(registry, api.api_key.credential_id)
        later = await listed(registry, admin)
        for credential_id in (member.token.credential_id, api.api_key.credential_id):
            assert later[credential_id].last_used_at.ToDatetime(tzinfo=UTC) > datetime.now(UTC) - timedelta(seconds=30)

        # A change the gateway must hear of still notifies, and is all that does.
        request = pb.SetCredentialExpiryRequest(actor_user_id=admin, credential_id=api.api_key.credential_id)
        request.expires_at.CopyFrom(stamp(datetime.now(UTC) + timedelta(days=1)))
        await registry.stub.SetCredentialExpiry(request)
        for _ in range(100):
            if heard:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)
        assert heard == [api.api.api_id]
    finally:
        await listener.close()


async def test_revoked_credentials_are_refused(registry, training, three_kinds):
    member, api, key = three_kinds
    admin = registry.admin_user_id
    for credential_id in (member.token.credential_id, api.api_key.credential_id, key.api_key.credential_id):
        await registry.stub.RevokeCredential(
            pb.RevokeCredentialRequest(actor_user_id=admin, credential_id=credential_id)
        )
    assert not set(await listed(registry, admin)) & {member.token.credential_id, api.api_key.credential_id}
    error = await rpc_error(authenticate(registry, member.token.secret))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    error = await rpc_error(
        training.AuthenticateExternalKey(tr.AuthenticateExternalKeyRequest(api_key=key.api_key.secret))
    )
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    stream = registry.stub.WatchApis(pb.WatchApisRequest())
    try:
        snapshot = await asyncio.wait_for(stream.read(), timeout=5)
    finally:
        stream.cancel()
    assert snapshot.api_id == api.api.api_id and list(snapshot.keys) == [], "the gateway stops accepting the key"
    error = await rpc_error(
        registry.stub.RevokeCredential(
            pb.RevokeCredentialRequest(actor_user_id=admin, credential_id=member.token.credential_id)
        )
    )
    assert error.code() == grpc.StatusCode.NOT_FOUND


async def test_the_bootstrap_admin_token_may_be_revoked(registry):
    admin = registry.admin_user_id
    bootstrap = next(c for c in (await listed(registry, admin)).values() if c.bootstrap)
    await registry.stub.RevokeCredential(
        pb.RevokeCredentialRequest(actor_user_id=admin, credential_id=bootstrap.credential_id)
    )
    error = await rpc_error(authenticate(registry, registry.admin_token))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_an_expiry_in_the_past_is_refused_and_one_reached_refuses_the_credential(registry, training, three_kinds):
    member, api, key = three_kinds
    admin = registry.admin_user_id

    def expire(credential_id: str, moment: datetime | None) -> pb.SetCredentialExpiryRequest:
        request = pb.SetCredentialExpiryRequest(actor_user_id=admin, credential_id=credential_id)
        if moment is not None:
            request.expires_at.CopyFrom(stamp(moment))
        return request

    error = await rpc_error(
        registry.stub.SetCredentialExpiry(expire(member.token.credential_id, datetime.now(UTC) - timedelta(seconds=1)))
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "future" in error.details()
    error = await rpc_error(registry.stub.SetCredentialExpiry(expire(key.api_key.credential_id, None)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, "a Prediction One key always expires"
    assert (await authenticate(registry, member.token.secret)).user.user_id == member.user.user_id

    soon = datetime.now(UTC) + timedelta(hours=1)
    for credential_id in (member.token.credential_id, api.api_key.credential_id):
        reply = await registry.stub.SetCredentialExpiry(expire(credential_id, soon))
        assert reply.credential.expires_at.ToDatetime(tzinfo=UTC) == soon
    stream = registry.stub.WatchApis(pb.WatchApisRequest())
    try:
        snapshot = await asyncio.wait_for(stream.read(), timeout=5)
    finally:
        stream.cancel()
    assert [k.expires_at.ToDatetime(tzinfo=UTC) for k in snapshot.keys] == [soon], "the gateway learns the key's expiry"

    # The hour passes.
    await sql(registry, "UPDATE credentials SET expires_at = now() - interval '1 second'")
    error = await rpc_error(authenticate(registry, member.token.secret))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    error = await rpc_error(
        training.AuthenticateExternalKey(tr.AuthenticateExternalKeyRequest(api_key=key.api_key.secret))
    )
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION, "an expired Prediction One key is inactive"

    reply = await registry.stub.SetCredentialExpiry(expire(member.token.credential_id, None))
    assert not reply.credential.HasField("expires_at")
    assert (await authenticate(registry, member.token.secret)).user.user_id == member.user.user_id


async def test_a_member_manages_its_own_tokens_and_its_accounts_api_keys_only(registry, training, three_kinds):
    member, api, key = three_kinds
    admin = registry.admin_user_id
    mine = member.user.user_id
    colleague = await make_member(registry.stub, admin, name="cole")
    assert set(await listed(registry, mine)) == {
        member.token.credential_id,
        key.api_key.credential_id,
        api.api_key.credential_id,
    }
    assert set(await listed(registry, mine, user_id=mine)) == {member.token.credential_id, key.api_key.credential_id}
    error = await rpc_error(registry.stub.ListCredentials(pb.ListCredentialsRequest(actor_user_id=mine, user_id=admin)))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    for credential_id in (
        colleague.token.credential_id,
        next(c for c in (await listed(registry, admin)).values() if c.bootstrap).credential_id,
    ):
        error = await rpc_error(
            registry.stub.RevokeCredential(pb.RevokeCredentialRequest(actor_user_id=mine, credential_id=credential_id))
        )
        assert error.code() == grpc.StatusCode.NOT_FOUND
    assert (await authenticate(registry, colleague.token.secret)).user.user_id == colleague.user.user_id

    stranger = await other_account_member(registry)
    theirs = await listed(registry, stranger)
    assert [c.user_id for c in theirs.values()] == [stranger], "another account's member sees its own token only"
    error = await rpc_error(
        registry.stub.RevokeCredential(
            pb.RevokeCredentialRequest(actor_user_id=stranger, credential_id=api.api_key.credential_id)
        )
    )
    assert error.code() == grpc.StatusCode.NOT_FOUND
    error = await rpc_error(
        registry.stub.ListCredentials(
            pb.ListCredentialsRequest(actor_user_id=stranger, account_id=registry.app_account_id)
        )
    )
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED

    await registry.stub.RevokeCredential(
        pb.RevokeCredentialRequest(actor_user_id=mine, credential_id=api.api_key.credential_id)
    )
    await registry.stub.RevokeCredential(
        pb.RevokeCredentialRequest(actor_user_id=mine, credential_id=member.token.credential_id)
    )
    assert set(await listed(registry, admin)) & {api.api_key.credential_id, member.token.credential_id} == set()
