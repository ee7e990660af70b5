"""Listing, revoking and expiring credentials of every kind.

Who may manage what follows how published APIs are shared: a member manages its own bearer
tokens and Prediction One keys, and the keys of every API of its account (which it may manage
too); an admin manages every credential, as it acts on every account.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from services.registry.domain.actors import can_see_account, require_account_access, resolve_actor
from services.registry.domain.credential_types import Credential, CredentialKind, CredentialScope
from services.registry.domain.ids import parse_id
from services.registry.domain.stores import AccountStorage, CredentialStorage
from services.registry.domain.types import User
from services.runtime.errors import InvalidArgument, NotFound, PermissionDenied


def utc_now() -> datetime:
    return datetime.now(UTC)


def may_manage(actor: User, credential: Credential) -> bool:
    if actor.is_admin:
        return can_see_account(actor, credential.account_id)
    if credential.kind in (CredentialKind.API_KEY, CredentialKind.CHAT_KEY):
        return credential.account_id == actor.account_id
    return credential.user_id == actor.user_id


class CredentialService:
    def __init__(
        self,
        accounts_store: AccountStorage,
        credentials_store: CredentialStorage,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._accounts = accounts_store
        self._credentials = credentials_store
        self._clock = clock

    async def list(self, actor_user_id: str, account_id: str, user_id: str) -> list[Credential]:
        """The account's credentials the actor may manage (by default the actor's account), or
        only one user's bearer tokens and Prediction One keys."""
        actor = await resolve_actor(self._accounts, actor_user_id)
        account_id = parse_id(account_id, "account_id") if account_id else ""
        if user_id:
            return await self._credentials.list(
                CredentialScope(user_id=await self._user_for(actor, user_id, account_id))
            )
        account_id = account_id or actor.account_id
        require_account_access(actor, account_id)
        if actor.is_admin:
            return await self._credentials.list(
                CredentialScope(users_of_account=account_id, apis_of_account=account_id)
            )
        return await self._credentials.list(CredentialScope(user_id=actor.user_id, apis_of_account=account_id))

    async def _user_for(self, actor: User, user_id: str, account_id: str) -> str:
        user = await self._accounts.get_user(parse_id(user_id, "user_id"))
        # A user of an account the actor may not see answers as missing, as its APIs do.
        if user is None or not can_see_account(actor, user.account_id) or account_id not in ("", user.account_id):
            raise NotFound(f"no user with id {user_id}")
        if not actor.is_admin and user.user_id != actor.user_id:
            raise PermissionDenied(f"user {actor.name!r} is a member: it may list only its own credentials")
        return user.user_id

    async def _credential_for(self, actor: User, credential_id: str) -> Credential:
        credential = await self._credentials.get(parse_id(credential_id, "credential_id"))
        # One the actor may not manage answers as missing: its id is no business of this user.
        if credential is None or not may_manage(actor, credential):
            raise NotFound(f"no credential with id {credential_id}")
        return credential

    async def revoke(self, actor_user_id: str, credential_id: str) -> None:
        """Delete the credential; the bootstrap admin's too (the next start makes a new one)."""
        actor = await resolve_actor(self._accounts, actor_user_id)
        credential = await self._credential_for(actor, credential_id)
        if not await self._credentials.delete(credential.credential_id):
            raise NotFound(f"no credential with id {credential_id}")

    async def set_expiry(self, actor_user_id: str, credential_id: str, expires_at: datetime | None) -> Credential:
        """From expires_at on the credential is refused; None: it no longer expires."""
        actor = await resolve_actor(self._accounts, actor_user_id)
        credential = await self._credential_for(actor, credential_id)
        if expires_at is None and credential.kind is CredentialKind.PREDICTION_ONE_KEY:
            raise InvalidArgument("a Prediction One key always expires: give expires_at")
        if expires_at is not None and expires_at <= self._clock():
            raise InvalidArgument(f"expires_at {expires_at.astimezone(UTC).isoformat()} is not in the future")
        updated = await self._credentials.set_expiry(credential.credential_id, expires_at)
        if updated is None:
            raise NotFound(f"no credential with id {credential_id}")
        return updated
