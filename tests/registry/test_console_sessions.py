"""ConsoleSessionService: console passwords (argon2 hashes), the sessions opened with them, their
CSRF tokens and expiry, the refusal after repeated failures, and the bootstrap admin's password.

Time is moved by rewriting the rows' timestamps into the past, as the other registry tests do."""

from __future__ import annotations

import hashlib
import math
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import grpc
import pytest
from argon2 import PasswordHasher
from pydantic import SecretStr

from services.registry.app import RegistryApp
from services.registry.domain.console_sessions import FAILURES_BEFORE_REFUSAL, MAX_SESSIONS_PER_USER, PasswordHashing
from services.registry.settings import RegistrySettings
from services.runtime.errors import InvalidArgument
from services.runtime.grpc_client import open_channel
from tests.registry.helpers import make_member
from tests.registry.training_helpers import rpc_error
from tests.service_token import SERVICE_TOKEN
from torii.v1 import console_session_service_pb2 as pb
from torii.v1 import console_session_service_pb2_grpc
from torii.v1 import registry_service_pb2 as registry_pb

PASSWORD = "correct horse battery"
OTHER_PASSWORD = "staple of the gods"
WRONG = "the user name or password is wrong"


@pytest.fixture
async def sessions(registry):
    channel = open_channel(registry.address, default_timeout_s=10, service_token=SERVICE_TOKEN)
    try:
        yield console_session_service_pb2_grpc.ConsoleSessionServiceStub(channel)
    finally:
        await channel.close()


async def sql(registry, query: str, *args) -> list[asyncpg.Record]:
    connection = await asyncpg.connect(registry.database_url)
    try:
        return await connection.fetch(query, *args)
    finally:
        await connection.close()


async def member_with_password(registry, sessions, name: str = "mia", account_id: str = "", password=PASSWORD):
    """A member whose password an admin set (so they must change it)."""
    user = (await make_member(registry.stub, registry.admin_user_id, name, account_id)).user
    await sessions.SetPassword(
        pb.SetPasswordRequest(actor_user_id=registry.admin_user_id, user_id=user.user_id, new_password=password)
    )
    return user


def sign_in(name: str = "mia", password: str = PASSWORD, account: str = "") -> pb.SignInRequest:
    return pb.SignInRequest(user_name=name, account_name=account, password=password)


def authenticate(signed_in: pb.SignInResponse, csrf: str | None = None) -> pb.AuthenticateSessionRequest:
    return pb.AuthenticateSessionRequest(
        session_token=signed_in.session_token, csrf_token=csrf or "", check_csrf=csrf is not None
    )


async def open_sessions(registry, user_id: str) -> int:
    return len(await sql(registry, "SELECT 1 FROM console_sessions WHERE user_id = $1", user_id))


async def test_a_sign_in_opens_a_session_its_tokens_authenticate(registry, sessions):
    member = await member_with_password(registry, sessions)
    signed_in = await sessions.SignIn(sign_in())
    assert signed_in.user.user_id == member.user_id and signed_in.must_change_password
    lifetime = signed_in.expires_at.ToDatetime(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(hours=11, minutes=59) < lifetime <= timedelta(hours=12)
    session_id, _, secret = signed_in.session_token.partition(".")
    assert str(uuid.UUID(session_id)) == session_id and len(secret) >= 43 and len(signed_in.csrf_token) >= 43

    for request in (authenticate(signed_in), authenticate(signed_in, csrf=signed_in.csrf_token)):
        who = await sessions.AuthenticateSession(request)
        assert (who.user.user_id, who.must_change_password) == (member.user_id, True)
        assert who.expires_at == signed_in.expires_at
    error = await rpc_error(sessions.AuthenticateSession(authenticate(signed_in, csrf="x" * 43)))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED and "CSRF" in error.details()
    error = await rpc_error(sessions.AuthenticateSession(authenticate(signed_in, csrf="")))
    assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    for forged in (f"{session_id}.{'x' * len(secret)}", secret, "", f"{uuid.uuid4()}.{secret}"):
        error = await rpc_error(sessions.AuthenticateSession(pb.AuthenticateSessionRequest(session_token=forged)))
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED, forged

    # Only digests and an argon2id hash are kept.
    [row] = await sql(registry, "SELECT secret_digest, csrf_digest FROM console_sessions")
    assert bytes(row["secret_digest"]) == hashlib.sha256(signed_in.session_token.encode()).digest()
    assert bytes(row["csrf_digest"]) == hashlib.sha256(signed_in.csrf_token.encode()).digest()
    [stored] = await sql(registry, "SELECT hash FROM user_passwords WHERE user_id = $1", member.user_id)
    assert stored["hash"].startswith("$argon2id$") and PASSWORD not in stored["hash"]


async def test_a_wrong_password_an_unknown_user_and_no_password_are_refused_alike(registry, sessions):
    await member_with_password(registry, sessions)
    await make_member(registry.stub, registry.admin_user_id, "noah")  # has no password
    for request in (
        sign_in(password=OTHER_PASSWORD),
        sign_in(name="nobody"),
        sign_in(name="noah"),
        sign_in(account="other"),
    ):
        error = await rpc_error(sessions.SignIn(request))
        assert (error.code(), error.details()) == (grpc.StatusCode.UNAUTHENTICATED, WRONG), request
    error = await rpc_error(sessions.SignIn(sign_in(password="x" * 257)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_an_unknown_user_costs_a_hash_check_too():
    checked = []

    class RecordingHasher(PasswordHasher):
        def verify(self, hash, password):  # noqa: A002 - argon2's own parameter names
            checked.append(hash)
            return super().verify(hash, password)

    hashing = PasswordHashing(RecordingHasher(time_cost=1, memory_cost=8, parallelism=1))
    assert not await hashing.matches(None, PASSWORD)
    assert not await hashing.matches(None, PASSWORD)
    assert len(checked) == 2 and checked[0] == checked[1] and checked[0].startswith("$argon2id$")


async def test_a_name_in_two_accounts_needs_the_account(registry, sessions):
    here = await member_with_password(registry, sessions)
    other = await registry.stub.CreateAccount(
        registry_pb.CreateAccountRequest(actor_user_id=registry.admin_user_id, name="other")
    )
    there = await member_with_password(registry, sessions, account_id=other.account.account_id, password=OTHER_PASSWORD)
    error = await rpc_error(sessions.SignIn(sign_in()))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "account name" in error.details()
    assert (await sessions.SignIn(sign_in(account="default"))).user.user_id == here.user_id
    assert (await sessions.SignIn(sign_in(password=OTHER_PASSWORD, account="other"))).user.user_id == there.user_id
    error = await rpc_error(sessions.SignIn(sign_in(account="other")))
    assert error.details() == WRONG


async def test_repeated_failures_refuse_sign_ins_for_a_while_and_a_success_resets_them(registry, sessions):
    member = await member_with_password(registry, sessions)
    for _ in range(FAILURES_BEFORE_REFUSAL - 1):
        assert (await rpc_error(sessions.SignIn(sign_in(password=OTHER_PASSWORD)))).details() == WRONG
    await sessions.SignIn(sign_in())
    for _ in range(FAILURES_BEFORE_REFUSAL - 1):
        assert (await rpc_error(sessions.SignIn(sign_in(password=OTHER_PASSWORD)))).details() == WRONG
    await sessions.SignIn(sign_in())  # the count started again at the success
    for _ in range(FAILURES_BEFORE_REFUSAL):
        assert (await rpc_error(sessions.SignIn(sign_in(password=OTHER_PASSWORD)))).details() == WRONG

    error = await rpc_error(sessions.SignIn(sign_in()))
    assert error.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    [row] = await sql(registry, "SELECT refused_until FROM user_passwords WHERE user_id = $1", member.user_id)
    assert timedelta(minutes=14) < row["refused_until"] - datetime.now(UTC) <= timedelta(minutes=15)
    shown = datetime.fromtimestamp(math.ceil(row["refused_until"].timestamp() / 60) * 60, UTC)
    assert error.details() == f"too many failed sign-ins; try again after {shown:%H:%M} UTC"

    await sql(registry, "UPDATE user_passwords SET refused_until = now() - interval '1 second'")
    await sessions.SignIn(sign_in())


async def test_expired_and_idle_sessions_are_refused_and_deleted(registry, sessions):
    member = await member_with_password(registry, sessions)
    expired, idle, busy = [await sessions.SignIn(sign_in()) for _ in range(3)]

    await sql(
        registry,
        "UPDATE console_sessions SET expires_at = now() - interval '1 second' WHERE session_id = $1",
        uuid.UUID(expired.session_token.partition(".")[0]),
    )
    await sql(
        registry,
        "UPDATE console_sessions SET last_seen_at = now() - interval '121 minutes' WHERE session_id = $1",
        uuid.UUID(idle.session_token.partition(".")[0]),
    )
    for ended in (expired, idle):
        error = await rpc_error(sessions.AuthenticateSession(authenticate(ended)))
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED and "expired" in error.details()
    assert await open_sessions(registry, member.user_id) == 1

    # Use is recorded at most once a minute, and keeps a session alive.
    busy_id = uuid.UUID(busy.session_token.partition(".")[0])
    for ago, recorded in (("30 seconds", False), ("119 minutes", True)):
        [before] = await sql(
            registry,
            f"UPDATE console_sessions SET last_seen_at = now() - interval '{ago}' WHERE session_id = $1"
            " RETURNING last_seen_at",
            busy_id,
        )
        await sessions.AuthenticateSession(authenticate(busy))
        [after] = await sql(registry, "SELECT last_seen_at FROM console_sessions WHERE session_id = $1", busy_id)
        assert (after["last_seen_at"] > before["last_seen_at"]) == recorded, ago


async def test_a_new_session_beyond_the_limit_closes_the_oldest(registry, sessions):
    member = await member_with_password(registry, sessions)
    await sql(
        registry,
        "INSERT INTO console_sessions"
        " (session_id, user_id, secret_digest, csrf_digest, created_at, expires_at, last_seen_at)"
        " SELECT gen_random_uuid(), $1, '\\x00', '\\x00', now() - make_interval(mins => n), now() + interval '1 hour',"
        " now() FROM generate_series(1, $2) AS n",
        uuid.UUID(member.user_id),
        MAX_SESSIONS_PER_USER,
    )
    signed_in = await sessions.SignIn(sign_in())
    rows = await sql(registry, "SELECT created_at FROM console_sessions WHERE user_id = $1", uuid.UUID(member.user_id))
    assert len(rows) == MAX_SESSIONS_PER_USER
    assert min(row["created_at"] for row in rows) > datetime.now(UTC) - timedelta(minutes=MAX_SESSIONS_PER_USER)
    await sessions.AuthenticateSession(authenticate(signed_in))


async def test_signing_out_ends_the_session_and_twice_is_fine(registry, sessions):
    await member_with_password(registry, sessions)
    first, second = await sessions.SignIn(sign_in()), await sessions.SignIn(sign_in())
    forged = f"{first.session_token.partition('.')[0]}.{'x' * 43}"
    await sessions.SignOut(pb.SignOutRequest(session_token=forged))
    await sessions.AuthenticateSession(authenticate(first))  # only the whole token signs out
    for _ in range(2):
        await sessions.SignOut(pb.SignOutRequest(session_token=first.session_token))
    error = await rpc_error(sessions.AuthenticateSession(authenticate(first)))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    await sessions.AuthenticateSession(authenticate(second))
    await sessions.SignOut(pb.SignOutRequest(session_token="not a token"))


async def test_a_user_changes_their_own_password_with_the_current_one(registry, sessions):
    member = await member_with_password(registry, sessions)
    signed_in = await sessions.SignIn(sign_in())

    def change(current: str, new: str = OTHER_PASSWORD) -> pb.SetPasswordRequest:
        return pb.SetPasswordRequest(actor_user_id=member.user_id, current_password=current, new_password=new)

    error = await rpc_error(sessions.SetPassword(change("")))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "current_password" in error.details()
    for new in ("too short", "x" * 257):
        error = await rpc_error(sessions.SetPassword(change(PASSWORD, new)))
        assert error.code() == grpc.StatusCode.INVALID_ARGUMENT and "10 to 256 characters" in error.details()
    error = await rpc_error(sessions.SetPassword(change("not the password")))
    assert error.code() == grpc.StatusCode.UNAUTHENTICATED
    [row] = await sql(registry, "SELECT failed_sign_ins FROM user_passwords")
    assert row["failed_sign_ins"] == 1, "a wrong current password counts as a failed sign-in"
    await sessions.AuthenticateSession(authenticate(signed_in))

    assert not (await sessions.SetPassword(change(PASSWORD))).must_change_password
    assert await open_sessions(registry, member.user_id) == 0, "every session closes; the gateway signs in again"
    assert (await rpc_error(sessions.SignIn(sign_in()))).details() == WRONG
    again = await sessions.SignIn(sign_in(password=OTHER_PASSWORD))
    assert not again.must_change_password


async def test_a_user_without_a_password_sets_a_first_one(registry, sessions):
    admin = registry.admin_user_id
    reply = await sessions.SetPassword(pb.SetPasswordRequest(actor_user_id=admin, new_password=PASSWORD))
    assert not reply.must_change_password
    assert (await sessions.SignIn(sign_in("admin"))).user.user_id == admin


async def test_an_admin_sets_another_user_s_password_and_a_member_may_not(registry, sessions):
    member = await member_with_password(registry, sessions)
    await sessions.SetPassword(
        pb.SetPasswordRequest(
            actor_user_id=member.user_id, current_password=PASSWORD, new_password="chosen by mia herself"
        )
    )
    signed_in = await sessions.SignIn(sign_in(password="chosen by mia herself"))
    assert not signed_in.must_change_password

    reply = await sessions.SetPassword(
        pb.SetPasswordRequest(actor_user_id=registry.admin_user_id, user_id=member.user_id, new_password=PASSWORD)
    )
    assert reply.must_change_password
    assert await open_sessions(registry, member.user_id) == 0
    assert (await sessions.SignIn(sign_in())).must_change_password

    colleague = await make_member(registry.stub, registry.admin_user_id, "noah")
    for target in (colleague.user.user_id, registry.admin_user_id):
        error = await rpc_error(
            sessions.SetPassword(
                pb.SetPasswordRequest(actor_user_id=member.user_id, user_id=target, new_password=OTHER_PASSWORD)
            )
        )
        assert error.code() == grpc.StatusCode.PERMISSION_DENIED
    other = await registry.stub.CreateAccount(
        registry_pb.CreateAccountRequest(actor_user_id=registry.admin_user_id, name="other")
    )
    stranger = await make_member(registry.stub, registry.admin_user_id, "sam", other.account.account_id)
    error = await rpc_error(
        sessions.SetPassword(
            pb.SetPasswordRequest(
                actor_user_id=stranger.user.user_id, user_id=member.user_id, new_password=OTHER_PASSWORD
            )
        )
    )
    assert error.code() == grpc.StatusCode.NOT_FOUND


async def test_deleting_a_user_deletes_their_password_and_sessions(registry, sessions):
    member = await member_with_password(registry, sessions)
    await sessions.SignIn(sign_in())
    await sql(registry, "DELETE FROM users WHERE user_id = $1", uuid.UUID(member.user_id))
    assert await sql(registry, "SELECT 1 FROM user_passwords") == []
    assert await sql(registry, "SELECT 1 FROM console_sessions") == []


async def _restart(registry, tmp_path, password: str) -> None:
    app = RegistryApp(
        RegistrySettings(
            database_url=registry.database_url,
            registry_port=0,
            bootstrap_admin_token=registry.admin_token,
            bootstrap_admin_password=SecretStr(password),
            data_dir=tmp_path,
        )
    )
    try:
        await app.start()
    finally:
        await app.stop()


async def test_the_bootstrap_password_is_set_until_the_admin_changes_it(registry, sessions, tmp_path):
    await _restart(registry, tmp_path, PASSWORD)
    first = await sessions.SignIn(sign_in("admin", account="default"))
    assert first.must_change_password and first.user.user_id == registry.admin_user_id

    await _restart(registry, tmp_path, PASSWORD)
    await sessions.AuthenticateSession(authenticate(first))  # the same password again keeps its sessions
    await _restart(registry, tmp_path, OTHER_PASSWORD)
    assert (await rpc_error(sessions.SignIn(sign_in("admin")))).details() == WRONG
    assert (await sessions.SignIn(sign_in("admin", OTHER_PASSWORD))).must_change_password

    chosen = "the admin chose this one"
    await sessions.SetPassword(
        pb.SetPasswordRequest(
            actor_user_id=registry.admin_user_id, current_password=OTHER_PASSWORD, new_password=chosen
        )
    )
    await _restart(registry, tmp_path, PASSWORD)
    assert (await rpc_error(sessions.SignIn(sign_in("admin")))).details() == WRONG
    assert not (await sessions.SignIn(sign_in("admin", chosen))).must_change_password

    with pytest.raises(InvalidArgument, match="10 to 256 characters"):
        await _restart(registry, tmp_path, "short")


async def test_a_hash_made_with_weaker_parameters_is_replaced_at_sign_in(registry, sessions):
    member = await member_with_password(registry, sessions)
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    await sql(registry, "UPDATE user_passwords SET hash = $1", weak)
    await sessions.SignIn(sign_in())
    [row] = await sql(registry, "SELECT hash FROM user_passwords WHERE user_id = $1", uuid.UUID(member.user_id))
    assert row["hash"] != weak and not PasswordHasher().check_needs_rehash(row["hash"])
    await sessions.SignIn(sign_in())
