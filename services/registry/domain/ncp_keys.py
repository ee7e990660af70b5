"""NCP API access keys (the Data Forest contract): made for an account, listed, disabled, deleted,
and the signature of each request verified here, where the secret can be read.

Keys are shared like the account's APIs: every user of the account manages them, an admin those
of every account. A key of an account the actor may not see answers as missing.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Sequence
from datetime import datetime

from services.policy import ncp_signature
from services.registry.domain.actors import can_see_account, require_account_access, resolve_actor
from services.registry.domain.credential_lifecycle import utc_now
from services.registry.domain.ids import parse_id
from services.registry.domain.ncp_key_types import NcpKey
from services.registry.domain.stores import AccountStorage, NcpKeyStorage
from services.registry.domain.types import Account
from services.runtime.errors import InvalidArgument, NotFound

ACCESS_KEY_LENGTH = 20
SECRET_KEY_LENGTH = 40
_ACCESS_KEY_ALPHABET = string.ascii_uppercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits
MAX_TARGETS = 4
MAX_TARGET_LENGTH = 8192


def new_access_key() -> str:
    return "".join(secrets.choice(_ACCESS_KEY_ALPHABET) for _ in range(ACCESS_KEY_LENGTH))


def new_secret_key() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(SECRET_KEY_LENGTH))


class NcpKeyService:
    def __init__(
        self, accounts_store: AccountStorage, store: NcpKeyStorage, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._accounts = accounts_store
        self._store = store
        self._clock = clock

    async def create(self, actor_user_id: str, account_id: str) -> tuple[NcpKey, str]:
        actor = await resolve_actor(self._accounts, actor_user_id)
        account_id = parse_id(account_id, "account_id") if account_id else actor.account_id
        require_account_access(actor, account_id)
        if await self._accounts.get_account(account_id) is None:
            raise NotFound(f"no account with id {account_id}")
        secret = new_secret_key()
        key = await self._store.add(NcpKey(new_access_key(), account_id, False, self._clock()), secret)
        return key, secret

    async def list(self, actor_user_id: str, account_id: str) -> list[NcpKey]:
        actor = await resolve_actor(self._accounts, actor_user_id)
        account_id = parse_id(account_id, "account_id") if account_id else actor.account_id
        require_account_access(actor, account_id)
        return await self._store.list(account_id)

    async def set_disabled(self, actor_user_id: str, access_key: str, disabled: bool) -> NcpKey:
        key = await self._key_for(actor_user_id, access_key)
        changed = await self._store.set_disabled(key.access_key, disabled)
        if changed is None:
            raise NotFound(f"no access key {access_key}")
        return changed

    async def delete(self, actor_user_id: str, access_key: str) -> None:
        key = await self._key_for(actor_user_id, access_key)
        if not await self._store.delete(key.access_key):
            raise NotFound(f"no access key {access_key}")

    async def verify(
        self, access_key: str, signature: str, method: str, targets: Sequence[str], timestamp: str
    ) -> Account | None:
        """The key's account when `signature` signs one of `targets`; None for an unknown or
        disabled key or a wrong signature (the caller answers all of them alike)."""
        if not targets or len(targets) > MAX_TARGETS or any(len(target) > MAX_TARGET_LENGTH for target in targets):
            raise InvalidArgument(f"give 1 to {MAX_TARGETS} targets of at most {MAX_TARGET_LENGTH} characters")
        found = await self._store.with_secret(access_key) if _well_formed(access_key) else None
        if found is None or found.key.disabled:
            return None
        if not ncp_signature.matches(found.secret.encode(), signature, method, targets, timestamp, access_key):
            return None
        await self._store.mark_used(access_key)
        return await self._accounts.get_account(found.key.account_id)

    async def _key_for(self, actor_user_id: str, access_key: str) -> NcpKey:
        actor = await resolve_actor(self._accounts, actor_user_id)
        key = await self._store.get(access_key) if _well_formed(access_key) else None
        if key is None or not can_see_account(actor, key.account_id):
            raise NotFound(f"no access key {access_key}")
        return key


def _well_formed(access_key: str) -> bool:
    return len(access_key) == ACCESS_KEY_LENGTH and all(char in _ACCESS_KEY_ALPHABET for char in access_key)
