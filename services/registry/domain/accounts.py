"""Accounts, users and their bearer tokens."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from services.registry.domain import credentials
from services.registry.domain.actors import require_account_access, require_admin, resolve_actor
from services.registry.domain.ids import parse_id
from services.registry.domain.names import require_name
from services.registry.domain.stores import AccountStorage
from services.registry.domain.types import Account, IssuedSecret, Role, User
from services.runtime.errors import InvalidArgument, NotFound, Unauthenticated

BOOTSTRAP_ACCOUNT = "default"
BOOTSTRAP_ADMIN = "admin"


def utc_now() -> datetime:
    return datetime.now(UTC)


class AccountService:
    def __init__(self, store: AccountStorage, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._clock = clock

    async def create_account(self, actor_user_id: str, name: str) -> Account:
        actor = await resolve_actor(self._store, actor_user_id)
        require_admin(actor, "create accounts")
        return await self._store.create_account(str(uuid.uuid4()), require_name(name, "account"))

    async def create_user(self, actor_user_id: str, account_id: str, name: str, role: str) -> tuple[User, IssuedSecret]:
        actor = await resolve_actor(self._store, actor_user_id)
        require_admin(actor, "create users")
        account_id = parse_id(account_id, "account_id") if account_id else actor.account_id
        if await self._store.get_account(account_id) is None:
            raise NotFound(f"no account with id {account_id}")
        try:
            role = Role(role)
        except ValueError:
            raise InvalidArgument(f"role must be 'admin' or 'member', not {role!r}") from None
        issued, secret_digest = credentials.issue_secret()
        user = await self._store.create_user(
            str(uuid.uuid4()), account_id, require_name(name, "user"), role, (issued.credential_id, secret_digest)
        )
        return user, issued

    async def list_users(self, actor_user_id: str, account_id: str) -> list[User]:
        actor = await resolve_actor(self._store, actor_user_id)
        account_id = parse_id(account_id, "account_id") if account_id else actor.account_id
        require_account_access(actor, account_id)
        return await self._store.list_users(account_id)

    async def create_user_token(self, actor_user_id: str, user_id: str) -> IssuedSecret:
        actor = await resolve_actor(self._store, actor_user_id)
        user = await self._store.get_user(parse_id(user_id, "user_id"))
        if user is None:
            raise NotFound(f"no user with id {user_id}")
        if user.user_id != actor.user_id:
            require_admin(actor, "issue tokens for other users")
        issued, secret_digest = credentials.issue_secret()
        await self._store.add_user_credential(issued.credential_id, user.user_id, secret_digest)
        return issued

    async def authenticate(self, token: str) -> User:
        credential_id = credentials.credential_id_of(token or "")
        if credential_id is None:
            raise Unauthenticated("invalid token")
        found = await self._store.user_credential(credential_id)
        if found is None or not credentials.matches(token, found[1]):
            raise Unauthenticated("invalid token")
        user, _, expires_at = found
        if expires_at is not None and expires_at <= self._clock():
            raise Unauthenticated("the token has expired")
        await self._store.mark_used(credential_id)
        return user

    async def bootstrap_admin(self, token: str) -> User:
        """Make token the bootstrap credential of the admin user of the default account, creating both
        if needed; the previous start's token stops working."""
        credential_id = credentials.credential_id_of(token)
        if credential_id is None:
            raise InvalidArgument("the bootstrap admin token must read '<uuid>.<secret>'")
        account = await self._store.ensure_account(str(uuid.uuid4()), BOOTSTRAP_ACCOUNT)
        return await self._store.replace_bootstrap_credential(
            str(uuid.uuid4()), account.account_id, BOOTSTRAP_ADMIN, Role.ADMIN, credential_id, credentials.digest(token)
        )
