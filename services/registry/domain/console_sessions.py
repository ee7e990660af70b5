"""Console passwords and sessions: who may sign in to the web console, and for how long.

A wrong password, an unknown user and a user without a password cost the same argon2 check and get
the same answer, so neither the answer nor its timing tells which. After FAILURES_BEFORE_REFUSAL
wrong passwords in a row a user's sign-ins are refused for REFUSAL, whatever the password.

A session token reads `<session id>.<secret>`; it and the CSRF token are stored as SHA-256 digests.
A session ends at its absolute expiry, after an idle spell, at sign-out, or when its user's password
is set: every session of that user is closed then (own change included: the request carries no
session token to spare, so the gateway opens a fresh session with SignIn afterwards).
"""

from __future__ import annotations

import asyncio
import math
import secrets
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from services.policy.secret_digests import credential_id_of, digest, matches
from services.registry.domain.actors import can_see_account, require_admin, resolve_actor
from services.registry.domain.console_session_types import (
    BootstrapPassword,
    ConsoleSession,
    OpenedSession,
    SessionLifetime,
    SignedIn,
    StoredPassword,
    StoredSession,
)
from services.registry.domain.credential_lifecycle import utc_now
from services.registry.domain.ids import parse_id
from services.registry.domain.stores import AccountStorage, ConsoleSessionStorage
from services.registry.domain.types import User
from services.runtime.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
)

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
FAILURES_BEFORE_REFUSAL = 5
REFUSAL = timedelta(minutes=15)
MAX_SESSIONS_PER_USER = 20
"""A new session beyond this closes the user's oldest."""
HASHING_AT_ONCE = 2
"""argon2-cffi's default parameters take 64 MiB and about 0.15 s of CPU per hash or check."""
SECRET_BYTES = 32

WRONG_PASSWORD = "the user name or password is wrong"
SESSION_ENDED = "the console session has ended or is unknown; sign in again"


class PasswordHashing:
    """argon2id hashes, made and checked in worker threads, HASHING_AT_ONCE at a time."""

    def __init__(self, hasher: PasswordHasher | None = None, at_once: int = HASHING_AT_ONCE) -> None:
        self._hasher = hasher or PasswordHasher()
        self._slots = asyncio.Semaphore(at_once)
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def matches(self, stored_hash: str | None, password: str) -> bool:
        """Whether password is the stored one; without one, a dummy hash is checked at the same cost."""
        if stored_hash is None:
            await self._check(await self._dummy(), password)
            return False
        return await self._check(stored_hash, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)

    async def _check(self, stored_hash: str, password: str) -> bool:
        async with self._slots:
            try:
                return await asyncio.to_thread(self._hasher.verify, stored_hash, password)
            except (VerificationError, InvalidHashError):
                return False

    async def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = await self.hash(secrets.token_urlsafe(SECRET_BYTES))
        return self._dummy_hash


def require_acceptable(password: str, what: str = "the new password") -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise InvalidArgument(
            f"{what} must have {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters, not {len(password)}"
        )


def refuse_while_locked(stored: StoredPassword | None, now: datetime) -> None:
    if stored is None or stored.refused_until is None or stored.refused_until <= now:
        return
    # Rounded up, so that trying at the minute shown is never refused again.
    minutes = math.ceil(stored.refused_until.timestamp() / 60)
    until = datetime.fromtimestamp(minutes * 60, UTC)
    raise ResourceExhausted(f"too many failed sign-ins; try again after {until:%H:%M} UTC")


class ConsoleSessionService:
    def __init__(
        self,
        accounts_store: AccountStorage,
        store: ConsoleSessionStorage,
        lifetime: SessionLifetime,
        hashing: PasswordHashing | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._accounts = accounts_store
        self._store = store
        self._lifetime = lifetime
        self._hashing = hashing or PasswordHashing()
        self._clock = clock

    async def sign_in(self, user_name: str, account_name: str, password: str) -> OpenedSession:
        if not user_name:
            raise InvalidArgument("user_name is required")
        if len(password) > MAX_PASSWORD_LENGTH:
            raise InvalidArgument(f"a password has at most {MAX_PASSWORD_LENGTH} characters")
        user = await self._user_named(user_name, account_name)
        stored = await self._store.password(user.user_id) if user is not None else None
        now = self._clock()
        refuse_while_locked(stored, now)
        right = await self._hashing.matches(stored.hash if stored is not None else None, password)
        if user is None or stored is None or not right:
            if user is not None and stored is not None:
                await self._store.record_failure(user.user_id, FAILURES_BEFORE_REFUSAL, now + REFUSAL)
            raise Unauthenticated(WRONG_PASSWORD)
        if self._hashing.needs_rehash(stored.hash):
            await self._store.rehash(user.user_id, stored.hash, await self._hashing.hash(password))
        return await self._open(user, stored.must_change)

    async def authenticate(self, session_token: str, csrf_token: str, check_csrf: bool) -> SignedIn:
        found = await self._session_of(session_token)
        if found is None:
            raise Unauthenticated(SESSION_ENDED)
        session, now = found.session, self._clock()
        if session.expires_at <= now or session.last_seen_at + self._lifetime.idle <= now:
            await self._store.close_session(session.session_id)
            raise Unauthenticated("the console session has expired; sign in again")
        if check_csrf and not matches(csrf_token, found.csrf_digest):
            raise PermissionDenied("the CSRF token is missing or is not this session's")
        await self._store.touch(session.session_id, now)
        return SignedIn(found.user, found.must_change_password, session.expires_at)

    async def sign_out(self, session_token: str) -> None:
        found = await self._session_of(session_token)
        if found is not None:
            await self._store.close_session(found.session.session_id)

    async def set_password(self, actor_user_id: str, user_id: str, current_password: str, new_password: str) -> bool:
        """Set the password; return whether its user must change it at their next sign-in."""
        actor = await resolve_actor(self._accounts, actor_user_id)
        user = await self._user_to_set(actor, user_id)
        require_acceptable(new_password)
        if user.user_id == actor.user_id:
            await self._set_own(user, current_password, new_password)
            return False
        await self._store.set_password(user.user_id, await self._hashing.hash(new_password), True, self._clock())
        return True

    async def bootstrap_password(self, user_id: str, password: str) -> BootstrapPassword:
        """Give the bootstrap admin this password to change at first sign-in, unless they changed theirs."""
        require_acceptable(password, "the bootstrap admin password")
        stored = await self._store.password(user_id)
        if stored is not None and not stored.must_change:
            return BootstrapPassword.CHANGED_BY_ADMIN
        if stored is not None and await self._hashing.matches(stored.hash, password):
            return BootstrapPassword.KEPT
        await self._store.set_password(user_id, await self._hashing.hash(password), True, self._clock())
        return BootstrapPassword.SET

    async def _user_named(self, user_name: str, account_name: str) -> User | None:
        users = await self._store.users_named(user_name, account_name or None)
        if len(users) > 1:
            raise InvalidArgument(f"users named {user_name!r} are in more than one account: give the account name")
        return users[0] if users else None

    async def _user_to_set(self, actor: User, user_id: str) -> User:
        if not user_id:
            return actor
        user = await self._accounts.get_user(parse_id(user_id, "user_id"))
        if user is None or not can_see_account(actor, user.account_id):
            raise NotFound(f"no user with id {user_id}")
        if user.user_id != actor.user_id:
            require_admin(actor, "set other users' passwords")
        return user

    async def _set_own(self, user: User, current_password: str, new_password: str) -> None:
        """A user with a password proves it again; one without (who acts with a bearer token) sets a first one."""
        stored = await self._store.password(user.user_id)
        now = self._clock()
        if stored is not None:
            if not current_password:
                raise InvalidArgument("current_password is required to change your own password")
            refuse_while_locked(stored, now)
            if not await self._hashing.matches(stored.hash, current_password):
                await self._store.record_failure(user.user_id, FAILURES_BEFORE_REFUSAL, now + REFUSAL)
                raise Unauthenticated("the current password is wrong")
        new_hash = await self._hashing.hash(new_password)
        replacing = stored.hash if stored is not None else None
        if not await self._store.set_password(user.user_id, new_hash, False, self._clock(), replacing):
            raise FailedPrecondition("the password was changed meanwhile; give the new one as current_password")

    async def _open(self, user: User, must_change: bool) -> OpenedSession:
        now = self._clock()
        session_id = str(uuid.uuid4())
        session_token = f"{session_id}.{secrets.token_urlsafe(SECRET_BYTES)}"
        csrf_token = secrets.token_urlsafe(SECRET_BYTES)
        session = ConsoleSession(session_id, user.user_id, now, now + self._lifetime.absolute, now)
        await self._store.open_session(
            session, digest(session_token), digest(csrf_token), MAX_SESSIONS_PER_USER, now - self._lifetime.idle
        )
        return OpenedSession(user, session_token, csrf_token, session.expires_at, must_change)

    async def _session_of(self, session_token: str) -> StoredSession | None:
        session_id = credential_id_of(session_token)
        found = await self._store.session(session_id) if session_id is not None else None
        if found is None or not matches(session_token, found.secret_digest):
            return None
        return found
