import hashlib

import asyncpg
import grpc
import pytest

from tests.registry.helpers import make_member
from torii.v1 import accounts_pb2
from torii.v1 import registry_service_pb2 as pb


async def test_user_token_is_shown_once_and_stored_only_hashed(registry):
    created = await make_member(registry.stub, registry.admin_user_id)
    secret = created.token.secret
    connection = await asyncpg.connect(registry.database_url)
    try:
        stored = await connection.fetchrow(
            "SELECT secret_sha256 FROM credentials WHERE credential_id = $1", created.token.credential_id
        )
        dump = await connection.fetchval("SELECT string_agg(c::text, ' ') FROM credentials c")
    finally:
        await connection.close()
    assert bytes(stored["secret_sha256"]) == hashlib.sha256(secret.encode()).digest()
    assert secret not in dump and secret.split(".")[1] not in dump
    who = await registry.stub.AuthenticateToken(pb.AuthenticateTokenRequest(token=secret))
    assert who.user.name == "mia" and who.user.role == accounts_pb2.ROLE_MEMBER


@pytest.mark.parametrize("token", ["", "garbage", "00000000-0000-0000-0000-000000000000.abc"])
async def test_bad_tokens_are_unauthenticated(registry, token):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.AuthenticateToken(pb.AuthenticateTokenRequest(token=token))
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_a_tampered_secret_with_a_real_id_is_refused(registry):
    credential_id, _, secret = registry.admin_token.partition(".")
    tampered = f"{credential_id}.{'0' * len(secret)}"
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.AuthenticateToken(pb.AuthenticateTokenRequest(token=tampered))
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_only_admins_create_users_and_accounts(registry):
    member = (await make_member(registry.stub, registry.admin_user_id)).user
    for call in (
        registry.stub.CreateUser(
            pb.CreateUserRequest(actor_user_id=member.user_id, name="x", role=accounts_pb2.ROLE_MEMBER)
        ),
        registry.stub.CreateAccount(pb.CreateAccountRequest(actor_user_id=member.user_id, name="other")),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await call
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
        assert "admin" in caught.value.details()


async def test_members_see_only_their_own_account(registry):
    other = (
        await registry.stub.CreateAccount(pb.CreateAccountRequest(actor_user_id=registry.admin_user_id, name="acme"))
    ).account
    outsider = (await make_member(registry.stub, registry.admin_user_id, "olga", other.account_id)).user
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.ListUsers(
            pb.ListUsersRequest(actor_user_id=outsider.user_id, account_id=registry.app_account_id)
        )
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    own = await registry.stub.ListUsers(pb.ListUsersRequest(actor_user_id=outsider.user_id))
    assert [user.name for user in own.users] == ["olga"]


async def test_duplicate_names_and_unknown_roles_are_refused(registry):
    await make_member(registry.stub, registry.admin_user_id)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await make_member(registry.stub, registry.admin_user_id)
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.CreateUser(pb.CreateUserRequest(actor_user_id=registry.admin_user_id, name="r"))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_unknown_actor_is_unauthenticated(registry):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.ListUsers(pb.ListUsersRequest(actor_user_id="00000000-0000-0000-0000-000000000000"))
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_users_may_issue_their_own_tokens_but_not_others(registry):
    mia = await make_member(registry.stub, registry.admin_user_id)
    ned = await make_member(registry.stub, registry.admin_user_id, "ned")
    mine = await registry.stub.CreateUserToken(
        pb.CreateUserTokenRequest(actor_user_id=mia.user.user_id, user_id=mia.user.user_id)
    )
    who = await registry.stub.AuthenticateToken(pb.AuthenticateTokenRequest(token=mine.token.secret))
    assert who.user.user_id == mia.user.user_id
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.CreateUserToken(
            pb.CreateUserTokenRequest(actor_user_id=mia.user.user_id, user_id=ned.user.user_id)
        )
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
