import asyncio
import hashlib
import time

import asyncpg
import grpc

from services.registry.settings import RegistrySettings
from tests.registry.helpers import make_api, make_version
from tests.registry.training_helpers import (
    other_account_member,
    rpc_error,
    trained_version,
)
from torii.v1 import registry_service_pb2 as registry_pb
from torii.v1 import training_pb2
from torii.v1 import training_registry_service_pb2 as pb

THIRTY_DAYS_S = 30 * 24 * 3600


def issue(actor, purpose=training_pb2.KEY_PURPOSE_TRAIN, model_number=0):
    return pb.IssueExternalKeyRequest(actor_user_id=actor, purpose=purpose, model_number=model_number)


async def test_a_key_authenticates_its_user_for_its_purpose_for_thirty_days(registry, training):
    admin = registry.admin_user_id
    issued = await training.IssueExternalKey(issue(admin, training_pb2.KEY_PURPOSE_DEPLOY))
    assert issued.api_key.secret.startswith(issued.api_key.credential_id + ".")
    assert issued.key.credential_id == issued.api_key.credential_id
    assert issued.key.purpose == training_pb2.KEY_PURPOSE_DEPLOY and issued.key.model_number == 0
    assert abs(issued.key.expires_at.seconds - (time.time() + THIRTY_DAYS_S)) < 60

    found = await training.AuthenticateExternalKey(pb.AuthenticateExternalKeyRequest(api_key=issued.api_key.secret))
    assert found.user.user_id == admin and found.key == issued.key


async def test_only_the_secret_is_kept_and_it_is_no_bearer_token(registry, training):
    issued = await training.IssueExternalKey(issue(registry.admin_user_id))
    connection = await asyncpg.connect(registry.database_url)
    try:
        row = await connection.fetchrow(
            "SELECT secret_sha256, purpose FROM credentials WHERE credential_id = $1", issued.api_key.credential_id
        )
    finally:
        await connection.close()
    assert bytes(row["secret_sha256"]) == hashlib.sha256(issued.api_key.secret.encode()).digest()
    assert row["purpose"] == "train"
    error = await rpc_error(
        registry.stub.AuthenticateToken(registry_pb.AuthenticateTokenRequest(token=issued.api_key.secret))
    )
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    error = await rpc_error(
        training.AuthenticateExternalKey(pb.AuthenticateExternalKeyRequest(api_key=registry.admin_token))
    )
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED, "a bearer token is no Prediction One API key"


async def test_wrong_and_malformed_keys_are_unauthenticated(registry, training):
    issued = await training.IssueExternalKey(issue(registry.admin_user_id))
    for api_key in (issued.api_key.credential_id + ".wrong", "nonsense", ""):
        error = await rpc_error(training.AuthenticateExternalKey(pb.AuthenticateExternalKeyRequest(api_key=api_key)))
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_an_expired_key_says_when_it_expired(registry, training):
    issued = await training.IssueExternalKey(issue(registry.admin_user_id))
    connection = await asyncpg.connect(registry.database_url)
    try:
        await connection.execute(
            "UPDATE credentials SET expires_at = now() - interval '1 minute' WHERE credential_id = $1",
            issued.api_key.credential_id,
        )
    finally:
        await connection.close()
    error = await rpc_error(
        training.AuthenticateExternalKey(pb.AuthenticateExternalKeyRequest(api_key=issued.api_key.secret))
    )
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION and error.details().startswith("the key expired at ")


async def test_issuing_needs_an_actor_and_a_purpose(registry, training):
    assert (await rpc_error(training.IssueExternalKey(issue("")))).code() == grpc.StatusCode.UNAUTHENTICATED
    error = await rpc_error(
        training.IssueExternalKey(issue(registry.admin_user_id, training_pb2.KEY_PURPOSE_UNSPECIFIED))
    )
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_retrain_key_names_a_model_of_the_actors_account(registry, training):
    admin = registry.admin_user_id
    retrain = training_pb2.KEY_PURPOSE_RETRAIN
    error = await rpc_error(training.IssueExternalKey(issue(admin, retrain)))
    assert (error.code(), error.details()) == (grpc.StatusCode.INVALID_ARGUMENT, "Model id is required.")
    error = await rpc_error(training.IssueExternalKey(issue(admin, retrain, 424242)))
    assert (error.code(), error.details()) == (grpc.StatusCode.NOT_FOUND, "This model may be deleted.")

    version = (await trained_version(training, admin)).model_version
    issued = await training.IssueExternalKey(issue(admin, retrain, version.number))
    assert issued.key.purpose == retrain and issued.key.model_number == version.number
    found = await training.AuthenticateExternalKey(pb.AuthenticateExternalKeyRequest(api_key=issued.api_key.secret))
    assert found.key.model_number == version.number

    outsider = await other_account_member(registry)
    error = await rpc_error(training.IssueExternalKey(issue(outsider, retrain, version.number)))
    assert error.code() == grpc.StatusCode.NOT_FOUND

    # A deleted model's retrain key still authenticates, naming no model: the gateway then answers
    # the contract's "This model may be deleted." rather than an unknown key's message.
    await training.DeleteTrainedModel(pb.DeleteTrainedModelRequest(actor_user_id=admin, model_number=version.number))
    found = await training.AuthenticateExternalKey(pb.AuthenticateExternalKeyRequest(api_key=issued.api_key.secret))
    assert found.key.purpose == retrain and found.key.model_number == 0


async def test_external_keys_do_not_reach_the_api_key_watch(registry, training):
    admin = registry.admin_user_id
    version = await make_version(registry.stub, admin)
    created = await make_api(registry.stub, admin, version.model_version_id)
    await training.IssueExternalKey(issue(admin))
    stream = registry.stub.WatchApis(registry_pb.WatchApisRequest())
    try:
        snapshot = await asyncio.wait_for(stream.read(), timeout=5)
        assert [k.key_id for k in snapshot.keys] == [created.api_key.credential_id]
    finally:
        stream.cancel()


def test_the_key_lifetime_is_a_setting(monkeypatch):
    assert RegistrySettings().external_key_ttl_s == THIRTY_DAYS_S
    monkeypatch.setenv("TORII_EXTERNAL_KEY_TTL_S", "3600")
    assert RegistrySettings().external_key_ttl_s == 3600
