"""ChatKeyService: chat keys managed over gRPC, and their admissions decided exactly under load."""

from __future__ import annotations

import asyncio
import hashlib

import asyncpg
import grpc
import pytest

from tests.registry.chat_key_helpers import ask, chat_key_stub, make_chat_api, make_chat_key
from tests.registry.helpers import make_api, make_member, make_version
from tests.registry.training_helpers import rpc_error
from torii.v1 import apis_pb2, chat_keys_pb2
from torii.v1 import chat_key_service_pb2 as pb
from torii.v1 import registry_service_pb2 as registry_pb

REFUSAL = chat_keys_pb2.ChatAdmissionRefusal


@pytest.fixture
async def keys(registry):
    async with chat_key_stub(registry.address) as stub:
        yield stub


async def test_a_chat_key_is_a_credential_of_its_account_and_reaches_the_watch_of_each_api(registry, keys):
    admin = registry.admin_user_id
    first = await make_chat_api(registry.stub, admin, "acme/one")
    second = await make_chat_api(registry.stub, admin, "acme/two")
    created = await make_chat_key(keys, admin, [first, second], projects=["team/a"], default_project="team/a")
    key = created.key
    assert created.secret.secret.startswith(key.key_id + ".")
    assert sorted(key.api_ids) == sorted([first, second])
    assert (key.projects, key.default_project) == (["team/a"], "team/a")

    listed = await registry.stub.ListCredentials(registry_pb.ListCredentialsRequest(actor_user_id=admin))
    [credential] = [c for c in listed.credentials if c.credential_id == key.key_id]
    assert credential.kind == registry_pb.CREDENTIAL_KIND_CHAT_KEY
    assert credential.account_id == key.account_id

    stream = registry.stub.WatchApis(registry_pb.WatchApisRequest())
    digests: dict[str, list] = {}
    async for event in stream:
        if event.type == registry_pb.WATCH_EVENT_TYPE_SYNCED:
            break
        digests[event.api_id] = [k for k in event.keys if k.key_id == key.key_id]
    stream.cancel()
    for api_id in (first, second):
        [digest] = digests[api_id]
        assert digest.chat_key
        assert digest.sha256 == hashlib.sha256(created.secret.secret.encode()).digest()


async def test_keys_are_listed_updated_rotated_and_revoked(registry, keys):
    admin = registry.admin_user_id
    first = await make_chat_api(registry.stub, admin, "acme/one")
    second = await make_chat_api(registry.stub, admin, "acme/two")
    created = await make_chat_key(keys, admin, [first], limits={"requests_per_minute": 5})
    key_id = created.key.key_id

    updated = await keys.UpdateChatKey(
        pb.UpdateChatKeyRequest(
            actor_user_id=admin,
            key_id=key_id,
            name="renamed",
            api_ids=[second],
            api_ids_given=True,
            limits=chat_keys_pb2.ChatKeyLimits(tokens_per_day=500),
            projects=["x/y"],
            projects_given=True,
        )
    )
    assert updated.key.name == "renamed"
    assert list(updated.key.api_ids) == [second]
    assert (updated.key.limits.requests_per_minute, updated.key.limits.tokens_per_day) == (0, 500)
    assert list(updated.key.projects) == ["x/y"]

    rotated = await keys.RotateChatKey(pb.RotateChatKeyRequest(actor_user_id=admin, key_id=key_id))
    assert rotated.secret.credential_id == key_id
    assert rotated.secret.secret != created.secret.secret
    assert rotated.key.HasField("rotated_at")
    assert rotated.key.limits.tokens_per_day == 500

    listed = await keys.ListChatKeys(pb.ListChatKeysRequest(actor_user_id=admin))
    assert [k.key_id for k in listed.keys] == [key_id]

    await registry.stub.RevokeCredential(registry_pb.RevokeCredentialRequest(actor_user_id=admin, credential_id=key_id))
    error = await rpc_error(keys.GetChatKey(pb.GetChatKeyRequest(actor_user_id=admin, key_id=key_id)))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    refused = await keys.AdmitChatRequest(ask(key_id, second))
    assert (refused.admitted, refused.refusal) == (False, REFUSAL.CHAT_ADMISSION_REFUSAL_KEY_REFUSED)


async def test_a_key_calls_only_chat_apis_of_its_own_account(registry, keys):
    admin = registry.admin_user_id
    onnx_version = await make_version(registry.stub, admin)
    onnx_api = (await make_api(registry.stub, admin, onnx_version.model_version_id)).api.api_id
    error = await rpc_error(make_chat_key(keys, admin, [onnx_api]))
    assert error.code() == grpc.StatusCode.NOT_FOUND

    error = await rpc_error(make_chat_key(keys, admin, []))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT
    chat = await make_chat_api(registry.stub, admin)
    for bad in (
        {"limits": {"requests_per_minute": -1}},
        {"projects": ["has space"]},
        {"projects": ["a"], "default_project": "b"},
    ):
        error = await rpc_error(make_chat_key(keys, admin, [chat], **bad))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT, bad

    account = await registry.stub.CreateAccount(registry_pb.CreateAccountRequest(actor_user_id=admin, name="other"))
    other_api = await make_chat_api(registry.stub, admin, "other/chat", account_id=account.account.account_id)
    error = await rpc_error(make_chat_key(keys, admin, [chat, other_api]))
    assert error.code() == grpc.StatusCode.NOT_FOUND

    key = (await make_chat_key(keys, admin, [chat])).key
    member = (await make_member(registry.stub, admin, account_id=account.account.account_id)).user
    error = await rpc_error(keys.GetChatKey(pb.GetChatKeyRequest(actor_user_id=member.user_id, key_id=key.key_id)))
    assert error.code() == grpc.StatusCode.NOT_FOUND
    refused = await keys.AdmitChatRequest(ask(key.key_id, other_api))
    assert refused.refusal == REFUSAL.CHAT_ADMISSION_REFUSAL_KEY_REFUSED


async def test_requests_per_minute_hold_exactly_under_a_concurrent_burst(registry, keys):
    admin = registry.admin_user_id
    api = await make_chat_api(registry.stub, admin)
    key = (await make_chat_key(keys, admin, [api], limits={"requests_per_minute": 7})).key
    answers = await asyncio.gather(*(keys.AdmitChatRequest(ask(key.key_id, api)) for _ in range(30)))
    admitted = [answer for answer in answers if answer.admitted]
    refused = [answer for answer in answers if not answer.admitted]
    assert len(admitted) == 7
    assert {answer.refusal for answer in refused} == {REFUSAL.CHAT_ADMISSION_REFUSAL_REQUESTS_PER_MINUTE}
    assert all(0 < answer.retry_after_ms <= 60_000 for answer in refused)
    assert sorted(answer.rate.remaining_requests for answer in admitted) == list(range(7))
    assert all(answer.rate.limit_requests == 7 and answer.rate.remaining_requests == 0 for answer in refused)
    # Finishing a request does not give its place in the minute back.
    for answer in admitted:
        await keys.FinishChatRequest(pb.FinishChatRequestRequest(lease_id=answer.lease_id, prompt_tokens=3))
    assert not (await keys.AdmitChatRequest(ask(key.key_id, api))).admitted


async def test_requests_in_flight_are_given_back_when_finished(registry, keys):
    admin = registry.admin_user_id
    api = await make_chat_api(registry.stub, admin)
    key = (await make_chat_key(keys, admin, [api], limits={"max_in_flight": 2})).key
    answers = await asyncio.gather(*(keys.AdmitChatRequest(ask(key.key_id, api)) for _ in range(6)))
    admitted = [answer for answer in answers if answer.admitted]
    assert len(admitted) == 2
    assert {a.refusal for a in answers if not a.admitted} == {REFUSAL.CHAT_ADMISSION_REFUSAL_IN_FLIGHT}
    await keys.FinishChatRequest(pb.FinishChatRequestRequest(lease_id=admitted[0].lease_id, completion_tokens=4))
    # A lease finished twice gives back one place, not two.
    await keys.FinishChatRequest(pb.FinishChatRequestRequest(lease_id=admitted[0].lease_id, completion_tokens=4))
    assert (await keys.AdmitChatRequest(ask(key.key_id, api))).admitted
    assert not (await keys.AdmitChatRequest(ask(key.key_id, api))).admitted


async def test_tokens_per_minute_reserve_the_cap_and_give_back_what_was_not_generated(registry, keys):
    admin = registry.admin_user_id
    api = await make_chat_api(registry.stub, admin)
    key = (await make_chat_key(keys, admin, [api], limits={"tokens_per_minute": 100})).key
    first = await keys.AdmitChatRequest(ask(key.key_id, api, prompt_tokens_bound=30, max_completion_tokens=50))
    assert (first.admitted, first.max_completion_tokens, first.rate.remaining_tokens) == (True, 50, 20)
    second = await keys.AdmitChatRequest(ask(key.key_id, api, prompt_tokens_bound=30, max_completion_tokens=50))
    assert (second.admitted, second.refusal) == (False, REFUSAL.CHAT_ADMISSION_REFUSAL_TOKENS_PER_MINUTE)
    assert 0 < second.retry_after_ms <= 60_000
    too_large = await keys.AdmitChatRequest(ask(key.key_id, api, prompt_tokens_bound=30, max_completion_tokens=71))
    assert (too_large.admitted, too_large.retry_after_ms) == (False, 0)

    await keys.FinishChatRequest(
        pb.FinishChatRequestRequest(lease_id=first.lease_id, prompt_tokens=9, completion_tokens=6)
    )
    again = await keys.AdmitChatRequest(ask(key.key_id, api, prompt_tokens_bound=30, max_completion_tokens=50))
    assert (again.admitted, again.rate.remaining_tokens) == (True, 100 - 15 - 80)
    # Without a cap of its own, a request gets what the window leaves.
    uncapped = await keys.AdmitChatRequest(ask(key.key_id, api, prompt_tokens_bound=2))
    assert (uncapped.admitted, uncapped.max_completion_tokens) == (True, 100 - 15 - 80 - 2)


async def test_a_daily_budget_runs_out_and_is_refused_without_a_retry_time(registry, keys):
    admin = registry.admin_user_id
    api = await make_chat_api(registry.stub, admin)
    key = (await make_chat_key(keys, admin, [api], limits={"tokens_per_day": 100, "tokens_per_month": 1000})).key
    spent = 0
    while True:
        answer = await keys.AdmitChatRequest(ask(key.key_id, api, prompt_tokens_bound=10, max_completion_tokens=20))
        if not answer.admitted:
            break
        await keys.FinishChatRequest(
            pb.FinishChatRequestRequest(lease_id=answer.lease_id, prompt_tokens=7, completion_tokens=20)
        )
        spent += 27
    assert (answer.refusal, answer.retry_after_ms) == (REFUSAL.CHAT_ADMISSION_REFUSAL_DAILY_BUDGET, 0)
    # 3 requests of 27 leave 19: too few for a prompt of 10 with a cap of 20, enough for 9 more.
    assert spent == 81
    last = await keys.AdmitChatRequest(ask(key.key_id, api, prompt_tokens_bound=10))
    assert (last.admitted, last.max_completion_tokens) == (True, 9)


async def test_each_project_is_a_bucket_of_its_own_and_others_are_refused(registry, keys):
    admin = registry.admin_user_id
    api = await make_chat_api(registry.stub, admin)
    key = (
        await make_chat_key(keys, admin, [api], limits={"requests_per_minute": 1}, projects=["team/a", "team/b"])
    ).key
    default = await keys.AdmitChatRequest(ask(key.key_id, api))
    team_a = await keys.AdmitChatRequest(ask(key.key_id, api, project="team/a"))
    team_b = await keys.AdmitChatRequest(ask(key.key_id, api, project="team/b"))
    assert [(a.admitted, a.project) for a in (default, team_a, team_b)] == [
        (True, ""),
        (True, "team/a"),
        (True, "team/b"),
    ]
    assert not (await keys.AdmitChatRequest(ask(key.key_id, api, project="team/a"))).admitted
    stranger = await keys.AdmitChatRequest(ask(key.key_id, api, project="team/c"))
    assert stranger.refusal == REFUSAL.CHAT_ADMISSION_REFUSAL_PROJECT_REFUSED


async def test_an_expired_key_is_refused(registry, keys):
    admin = registry.admin_user_id
    api = await make_chat_api(registry.stub, admin)
    key = (await make_chat_key(keys, admin, [api])).key
    connection = await asyncpg.connect(registry.database_url)  # no RPC moves an expiry into the past
    try:
        await connection.execute(
            "UPDATE credentials SET expires_at = now() - interval '1 second' WHERE credential_id = $1", key.key_id
        )
    finally:
        await connection.close()
    refused = await keys.AdmitChatRequest(ask(key.key_id, api))
    assert refused.refusal == REFUSAL.CHAT_ADMISSION_REFUSAL_KEY_REFUSED


async def test_a_keys_usage_is_read_across_its_apis(registry, keys):
    admin = registry.admin_user_id
    first = await make_chat_api(registry.stub, admin, "acme/one")
    second = await make_chat_api(registry.stub, admin, "acme/two")
    key = (await make_chat_key(keys, admin, [first, second], projects=["p/q"])).key
    day = "2026-12-07"
    await registry.stub.RecordUsage(
        registry_pb.RecordUsageRequest(
            chat_tokens=[
                apis_pb2.ChatTokenUsage(
                    api_id=first,
                    key_id=key.key_id,
                    project="",
                    day=day,
                    requests=2,
                    prompt_tokens=20,
                    completion_tokens=30,
                ),
                apis_pb2.ChatTokenUsage(
                    api_id=second,
                    key_id=key.key_id,
                    project="p/q",
                    day=day,
                    requests=1,
                    prompt_tokens=5,
                    completion_tokens=6,
                ),
            ]
        )
    )
    usage = await keys.GetChatKeyUsage(
        pb.GetChatKeyUsageRequest(actor_user_id=admin, key_id=key.key_id, from_day=day, to_day=day)
    )
    assert sorted(
        (u.api_id, u.project, u.requests, u.prompt_tokens, u.completion_tokens) for u in usage.days
    ) == sorted([(first, "", 2, 20, 30), (second, "p/q", 1, 5, 6)])
