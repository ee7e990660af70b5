"""The bootstrap admin's token is replaced at every start: the one an earlier start printed dies."""

from __future__ import annotations

import uuid

import grpc
import pytest

from services.registry.app import RegistryApp
from services.registry.settings import RegistrySettings
from torii.v1 import registry_service_pb2 as pb


def new_token() -> str:
    return f"{uuid.uuid4()}.{uuid.uuid4().hex}"


async def authenticates(stub, token: str) -> bool:
    try:
        await stub.AuthenticateToken(pb.AuthenticateTokenRequest(token=token))
    except grpc.aio.AioRpcError as error:
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED
        return False
    return True


@pytest.mark.parametrize("restarts", [1, 2])
async def test_a_restart_with_a_new_token_revokes_the_previous_one(registry, tmp_path, restarts):
    made_by_hand = await registry.stub.CreateUserToken(
        pb.CreateUserTokenRequest(actor_user_id=registry.admin_user_id, user_id=registry.admin_user_id)
    )
    printed = [registry.admin_token]
    for _ in range(restarts):
        token = new_token()
        restarted = RegistryApp(
            RegistrySettings(
                database_url=registry.database_url, registry_port=0, bootstrap_admin_token=token, data_dir=tmp_path
            )
        )
        await restarted.start()
        await restarted.stop()
        printed.append(token)
    for stale in printed[:-1]:
        assert not await authenticates(registry.stub, stale)
    who = await registry.stub.AuthenticateToken(pb.AuthenticateTokenRequest(token=printed[-1]))
    assert who.user.user_id == registry.admin_user_id
    assert await authenticates(registry.stub, made_by_hand.token.secret), "a token an admin made is not the bootstrap's"


async def test_a_restart_with_the_same_token_keeps_it(registry, tmp_path):
    again = RegistryApp(
        RegistrySettings(
            database_url=registry.database_url,
            registry_port=0,
            bootstrap_admin_token=registry.admin_token,
            data_dir=tmp_path,
        )
    )
    await again.start()
    await again.stop()
    assert await authenticates(registry.stub, registry.admin_token)
