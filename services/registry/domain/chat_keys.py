"""Chat keys as their owners manage them: created for chat APIs of one account, limited, given
projects, rotated and read back with their usage. They are shared like the account's APIs: every
user of the account manages them, an admin those of every account. Revoking and expiring go
through the credentials' lifecycle (credential_lifecycle), as for every key.
"""

from __future__ import annotations

import builtins
import re
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from services.registry.domain.actors import can_see_account, require_account_access, resolve_actor
from services.registry.domain.chat_key_types import ChatKey, ChatKeyChanges, ChatKeyLimits
from services.registry.domain.credential_lifecycle import utc_now
from services.registry.domain.credentials import issue_secret
from services.registry.domain.ids import parse_id
from services.registry.domain.names import require_name
from services.registry.domain.stores import AccountStorage, ChatKeyStorage
from services.registry.domain.types import ChatTokenUsage, IssuedSecret, User
from services.registry.domain.usage import DEFAULT_RANGE_DAYS, MAX_PROJECT_LENGTH, MAX_RANGE_DAYS, parse_day
from services.runtime.errors import InvalidArgument, NotFound

MAX_APIS = 100
MAX_PROJECTS = 50
MAX_LIMIT = 10**12
# A project is what clients send in OpenAI-Project, "team/project" at W&B: the same spelling as
# model ids, so it is safe in a header and in a usage report.
_PROJECT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*(/[A-Za-z0-9][A-Za-z0-9._:-]*)*")


class ChatKeyService:
    def __init__(
        self, accounts_store: AccountStorage, store: ChatKeyStorage, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._accounts = accounts_store
        self._store = store
        self._clock = clock

    async def create(
        self,
        actor_user_id: str,
        account_id: str,
        name: str,
        api_ids: Sequence[str],
        limits: ChatKeyLimits,
        projects: Sequence[str],
        default_project: str,
        expires_at: datetime | None,
    ) -> tuple[ChatKey, IssuedSecret]:
        actor = await resolve_actor(self._accounts, actor_user_id)
        account_id = parse_id(account_id, "account_id") if account_id else actor.account_id
        require_account_access(actor, account_id)
        if expires_at is not None and expires_at <= self._clock():
            raise InvalidArgument(f"expires_at {expires_at.astimezone(UTC).isoformat()} is not in the future")
        checked_projects = _projects(projects, default_project)
        secret, sha256 = issue_secret()
        key = ChatKey(
            key_id=secret.credential_id,
            account_id=account_id,
            name=require_name(name, "chat key"),
            api_ids=await self._chat_apis(account_id, api_ids),
            limits=_limits(limits),
            projects=checked_projects,
            default_project=default_project,
            created_at=self._clock(),
            expires_at=expires_at,
        )
        return await self._store.create(key, sha256), secret

    async def get(self, actor_user_id: str, key_id: str) -> ChatKey:
        actor = await resolve_actor(self._accounts, actor_user_id)
        return await self._key_for(actor, key_id)

    async def list(self, actor_user_id: str, account_id: str) -> list[ChatKey]:
        actor = await resolve_actor(self._accounts, actor_user_id)
        account_id = parse_id(account_id, "account_id") if account_id else actor.account_id
        require_account_access(actor, account_id)
        return await self._store.list(account_id)

    async def update(self, actor_user_id: str, key_id: str, changes: ChatKeyChanges) -> ChatKey:
        actor = await resolve_actor(self._accounts, actor_user_id)
        key = await self._key_for(actor, key_id)
        if changes.projects is None and changes.default_project:
            raise InvalidArgument("give projects together with default_project")
        checked = ChatKeyChanges(
            name=require_name(changes.name, "chat key") if changes.name is not None else None,
            api_ids=await self._chat_apis(key.account_id, changes.api_ids) if changes.api_ids is not None else None,
            limits=_limits(changes.limits) if changes.limits is not None else None,
            projects=_projects(changes.projects, changes.default_project) if changes.projects is not None else None,
            default_project=changes.default_project,
        )
        updated = await self._store.change(key.key_id, checked)
        if updated is None:
            raise NotFound(f"no chat key with id {key_id}")
        return updated

    async def rotate(self, actor_user_id: str, key_id: str) -> tuple[ChatKey, IssuedSecret]:
        """A new secret under the same key id: limits, usage and grants stay, the old secret is refused."""
        actor = await resolve_actor(self._accounts, actor_user_id)
        key = await self._key_for(actor, key_id)
        secret, sha256 = issue_secret(key.key_id)
        rotated = await self._store.rotate(key.key_id, sha256)
        if rotated is None:
            raise NotFound(f"no chat key with id {key_id}")
        return rotated, secret

    async def usage(self, actor_user_id: str, key_id: str, from_day: str, to_day: str) -> builtins.list[ChatTokenUsage]:
        actor = await resolve_actor(self._accounts, actor_user_id)
        key = await self._key_for(actor, key_id)
        last = parse_day(to_day, "to_day") if to_day else self._clock().astimezone(UTC).date()
        first = parse_day(from_day, "from_day") if from_day else last - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        _check_range(first, last)
        return await self._store.usage(key.key_id, first, last)

    async def _key_for(self, actor: User, key_id: str) -> ChatKey:
        key = await self._store.get(parse_id(key_id, "key_id"))
        # A key of an account the actor may not see answers as missing, as its APIs do.
        if key is None or not can_see_account(actor, key.account_id):
            raise NotFound(f"no chat key with id {key_id}")
        return key

    async def _chat_apis(self, account_id: str, api_ids: Sequence[str]) -> tuple[str, ...]:
        if not api_ids:
            raise InvalidArgument("a chat key calls at least one chat API: give api_ids")
        if len(api_ids) > MAX_APIS:
            raise InvalidArgument(f"a chat key calls at most {MAX_APIS} chat APIs")
        parsed = tuple(dict.fromkeys(parse_id(api_id, "api_id") for api_id in api_ids))
        found = await self._store.chat_api_ids(account_id, parsed)
        missing = [api_id for api_id in parsed if api_id not in found]
        if missing:
            raise NotFound(f"no chat API with id {missing[0]} in this account")
        return parsed


def _limits(limits: ChatKeyLimits) -> ChatKeyLimits:
    for name, value in vars(limits).items():
        if not 0 <= value <= MAX_LIMIT:
            raise InvalidArgument(f"limits.{name} is between 0 (no limit) and {MAX_LIMIT}")
    return limits


def _projects(projects: Sequence[str], default_project: str) -> tuple[str, ...]:
    if len(projects) > MAX_PROJECTS:
        raise InvalidArgument(f"a chat key has at most {MAX_PROJECTS} projects")
    for project in projects:
        if len(project) > MAX_PROJECT_LENGTH or not _PROJECT.fullmatch(project):
            raise InvalidArgument(
                f"project {project!r}: at most {MAX_PROJECT_LENGTH} letters, digits and . _ : - in parts"
                " separated by single slashes (e.g. team/project)"
            )
    unique = tuple(dict.fromkeys(projects))
    if default_project and default_project not in unique:
        raise InvalidArgument(f"default_project {default_project!r} is not one of the key's projects")
    return unique


def _check_range(first: date, last: date) -> None:
    if first > last:
        raise InvalidArgument(f"from_day {first} is after to_day {last}")
    if (last - first).days >= MAX_RANGE_DAYS:
        raise InvalidArgument(f"ask for at most {MAX_RANGE_DAYS} days at a time")
