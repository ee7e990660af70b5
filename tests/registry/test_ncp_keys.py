"""NcpKeyService: NCP access keys made for an account, their secrets kept encrypted, and each
request's signature verified by the registry, which alone can read them."""

from __future__ import annotations

import asyncpg
import grpc
import pytest

from services.policy.ncp_signature import sign
from services.registry.secret_box import KEY_FILE, SecretBox, SecretBoxError, load_data_key
from services.runtime.grpc_client import open_channel
from tests.registry.helpers import make_member
from tests.registry.training_helpers import rpc_error
from tests.service_token import SERVICE_TOKEN
from torii.v1 import ncp_key_service_pb2 as pb
from torii.v1 import ncp_key_service_pb2_grpc
from torii.v1 import registry_service_pb2 as registry_pb

TARGET = "/api/v2/aiworkspaces/getList"
TIMESTAMP = "1700000000000"


@pytest.fixture
async def keys(registry):
    channel = open_channel(registry.address, default_timeout_s=10, service_token=SERVICE_TOKEN)
    try:
        yield ncp_key_service_pb2_grpc.NcpKeyServiceStub(channel)
    finally:
        await channel.close()


def _verify(
    created: pb.CreateNcpKeyResponse, *, secret: str | None = None, targets=(TARGET,)
) -> pb.VerifyNcpSignatureRequest:
    access_key = created.key.access_key
    signature = sign((secret or created.secret_key).encode(), "POST", TARGET, TIMESTAMP, access_key)
    return pb.VerifyNcpSignatureRequest(
        access_key=access_key, signature=signature, method="POST", targets=list(targets), timestamp=TIMESTAMP
    )


async def test_a_key_verifies_its_own_signatures_and_no_others(registry, keys):
    admin = registry.admin_user_id
    created = await keys.CreateNcpKey(pb.CreateNcpKeyRequest(actor_user_id=admin))
    assert len(created.key.access_key) == 20 and all(
        char.isupper() or char.isdigit() for char in created.key.access_key
    )
    assert len(created.secret_key) == 40
    verified = await keys.VerifyNcpSignature(_verify(created))
    assert (verified.verified, verified.account.account_id) == (True, created.key.account_id)
    assert verified.account.name == "default"
    # Another target first, the signed one second: the candidates are all tried.
    assert (await keys.VerifyNcpSignature(_verify(created, targets=("/other", TARGET)))).verified
    assert not (await keys.VerifyNcpSignature(_verify(created, secret="x" * 40))).verified
    assert not (await keys.VerifyNcpSignature(_verify(created, targets=("/api/v2/aiworkspaces/create",)))).verified
    unknown = _verify(created)
    unknown.access_key = "A" * 20
    assert not (await keys.VerifyNcpSignature(unknown)).verified


async def test_a_disabled_or_deleted_key_verifies_nothing(registry, keys):
    admin = registry.admin_user_id
    created = await keys.CreateNcpKey(pb.CreateNcpKeyRequest(actor_user_id=admin))
    access_key = created.key.access_key
    disabled = await keys.SetNcpKeyDisabled(
        pb.SetNcpKeyDisabledRequest(actor_user_id=admin, access_key=access_key, disabled=True)
    )
    assert disabled.key.disabled
    assert not (await keys.VerifyNcpSignature(_verify(created))).verified
    await keys.SetNcpKeyDisabled(pb.SetNcpKeyDisabledRequest(actor_user_id=admin, access_key=access_key))
    assert (await keys.VerifyNcpSignature(_verify(created))).verified
    listed = await keys.ListNcpKeys(pb.ListNcpKeysRequest(actor_user_id=admin))
    [key] = listed.keys
    assert key.access_key == access_key and key.HasField("last_used_at")
    await keys.DeleteNcpKey(pb.DeleteNcpKeyRequest(actor_user_id=admin, access_key=access_key))
    assert not (await keys.VerifyNcpSignature(_verify(created))).verified
    assert (await keys.ListNcpKeys(pb.ListNcpKeysRequest(actor_user_id=admin))).keys == []


async def test_the_secret_is_stored_encrypted_and_bound_to_its_key(registry, keys):
    admin = registry.admin_user_id
    first = await keys.CreateNcpKey(pb.CreateNcpKeyRequest(actor_user_id=admin))
    second = await keys.CreateNcpKey(pb.CreateNcpKeyRequest(actor_user_id=admin))
    connection = await asyncpg.connect(registry.database_url)
    try:
        rows = await connection.fetch("SELECT access_key, secret_sealed FROM ncp_access_keys ORDER BY access_key")
        assert all(first.secret_key.encode() not in bytes(row["secret_sealed"]) for row in rows)
        assert all(second.secret_key.encode() not in bytes(row["secret_sealed"]) for row in rows)
        # A sealed secret copied onto another key's row does not open there.
        await connection.execute(
            "UPDATE ncp_access_keys SET secret_sealed ="
            " (SELECT secret_sealed FROM ncp_access_keys WHERE access_key = $1) WHERE access_key = $2",
            first.key.access_key,
            second.key.access_key,
        )
    finally:
        await connection.close()
    error = await rpc_error(keys.VerifyNcpSignature(_verify(second)))
    assert error.code() == grpc.StatusCode.INTERNAL


async def test_keys_are_their_account_s(registry, keys):
    admin = registry.admin_user_id
    created = await keys.CreateNcpKey(pb.CreateNcpKeyRequest(actor_user_id=admin))
    other = await registry.stub.CreateAccount(registry_pb.CreateAccountRequest(actor_user_id=admin, name="other"))
    member = (await make_member(registry.stub, admin, account_id=other.account.account_id)).user
    error = await rpc_error(
        keys.DeleteNcpKey(pb.DeleteNcpKeyRequest(actor_user_id=member.user_id, access_key=created.key.access_key))
    )
    assert error.code() == grpc.StatusCode.NOT_FOUND
    error = await rpc_error(
        keys.ListNcpKeys(pb.ListNcpKeysRequest(actor_user_id=member.user_id, account_id=created.key.account_id))
    )
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED


def test_the_data_key_is_made_once_owner_only_and_a_bad_one_is_refused(tmp_path):
    key = load_data_key("", tmp_path)
    path = tmp_path / KEY_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_data_key("", tmp_path) == key
    sealed = SecretBox(key).seal("secret", "AAAA")
    assert SecretBox(load_data_key("", tmp_path)).open(sealed, "AAAA") == "secret"
    with pytest.raises(SecretBoxError):
        SecretBox(key).open(sealed, "BBBB")
    path.write_bytes(b"short")
    with pytest.raises(SecretBoxError, match="32 bytes"):
        load_data_key("", tmp_path)
    with pytest.raises(SecretBoxError, match="base64"):
        load_data_key("not base64!", tmp_path)
