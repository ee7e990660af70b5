"""Published APIs: creation, the transitions users ask for, keys and trial quotas."""

from __future__ import annotations

import builtins
import dataclasses
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from services.policy.rules import parse_network
from services.registry.domain import credentials, transitions
from services.registry.domain.actors import can_see_account, require_account_access, require_admin, resolve_actor
from services.registry.domain.ids import parse_id
from services.registry.domain.names import require_chat_model_id, require_name
from services.registry.domain.stores import AccountStorage, ApiStorage, ModelStorage
from services.registry.domain.types import (
    ALLOW_ALL,
    TRIAL_REQUEST_LIMIT,
    AccessRule,
    ApiContract,
    ApiStatus,
    ApiType,
    ExecutionType,
    InstanceKind,
    IssuedSecret,
    KeyDigest,
    ModelVersion,
    PublishedApi,
    Schedule,
    User,
)
from services.runtime.errors import FailedPrecondition, InvalidArgument, NotFound


@dataclass(frozen=True)
class ApiSpec:
    """What a user asks for when publishing a model version."""

    account_id: str
    name: str
    model_version_id: str
    api_type: ApiType
    execution_type: ExecutionType
    instance_kind: InstanceKind
    instance_count: int
    schedule: Schedule
    public: bool
    rules: tuple[AccessRule, ...] | None
    contract: ApiContract = ApiContract.NNC
    chat_model_id: str = ""


class ApiService:
    def __init__(self, accounts_store: AccountStorage, models_store: ModelStorage, api_store: ApiStorage) -> None:
        self._accounts = accounts_store
        self._models = models_store
        self._apis = api_store

    async def _check_model_version(self, model_version_id: str, account_id: str) -> ModelVersion:
        version_id = parse_id(model_version_id, "model_version_id")
        found = await self._models.get_version_with_account(version_id)
        if found is None or found[1] != account_id:
            raise NotFound(f"no model version with id {model_version_id} in this account")
        return found[0]

    async def _check_fits(self, api: PublishedApi, version: ModelVersion | None = None) -> None:
        """The execution settings' rules, and the serverless size limit against the model's size."""
        transitions.check_execution_settings(api)
        if version is None:
            found = await self._models.get_version_with_account(api.model_version_id)
            version = found[0] if found else None
        if version is not None:
            transitions.check_model_fits(api, version)

    async def create(self, actor_user_id: str, spec: ApiSpec) -> tuple[PublishedApi, IssuedSecret]:
        actor = await resolve_actor(self._accounts, actor_user_id)
        account_id = parse_id(spec.account_id, "account_id") if spec.account_id else actor.account_id
        require_account_access(actor, account_id)
        version = await self._check_model_version(spec.model_version_id, account_id)
        api = PublishedApi(
            api_id=str(uuid.uuid4()),
            account_id=account_id,
            name=require_name(spec.name, "API"),
            model_version_id=version.model_version_id,
            api_type=spec.api_type,
            execution_type=spec.execution_type,
            instance_kind=spec.instance_kind,
            instance_count=spec.instance_count or 1,
            schedule=spec.schedule,
            status=ApiStatus.BUILDING,
            status_message="",
            public=spec.public,
            locked=False,
            trial_limit=TRIAL_REQUEST_LIMIT if spec.api_type is ApiType.TRIAL else 0,
            trial_used=0,
            rules=ALLOW_ALL if spec.rules is None else spec.rules,
            contract=spec.contract,
            chat_model_id=_chat_model_id(spec),
        )
        await self._check_fits(api, version)
        issued, key_digest = credentials.issue_secret()
        return await self._apis.create(api, issued.credential_id, key_digest), issued

    async def _api_for(self, actor: User, api_id: str) -> PublishedApi:
        api = await self._apis.get(parse_id(api_id, "api_id"))
        # Another account's API answers as missing: its id is no business of this user.
        if api is None or not can_see_account(actor, api.account_id):
            raise NotFound(f"no API with id {api_id}")
        return api

    async def get(self, actor_user_id: str, api_id: str) -> PublishedApi:
        return await self._api_for(await resolve_actor(self._accounts, actor_user_id), api_id)

    async def list(self, actor_user_id: str, account_id: str) -> list[PublishedApi]:
        actor = await resolve_actor(self._accounts, actor_user_id)
        if account_id:
            account_id = parse_id(account_id, "account_id")
            require_account_access(actor, account_id)
        elif not actor.is_admin:
            account_id = actor.account_id
        return await self._apis.list(account_id or None)

    async def _change(
        self, actor_user_id: str, api_id: str, decide: Callable[[PublishedApi], PublishedApi]
    ) -> PublishedApi:
        api = await self.get(actor_user_id, api_id)
        return await self._apis.change(api.api_id, decide)

    async def update(self, actor_user_id: str, api_id: str, changes: transitions.ApiChanges) -> PublishedApi:
        api = await self.get(actor_user_id, api_id)
        if changes.model_version_id is not None:
            version = await self._check_model_version(changes.model_version_id, api.account_id)
            changes = dataclasses.replace(changes, model_version_id=version.model_version_id)
        if changes.name is not None:
            changes = dataclasses.replace(changes, name=require_name(changes.name, "API"))
        changed = transitions.apply_changes(api, changes)
        await self._check_fits(changed)
        found = await self._models.get_version_with_account(changed.model_version_id)
        checked_version = found[0] if found else None

        def decide(current: PublishedApi) -> PublishedApi:
            # Checked again under the row lock: a change made meanwhile (another execution type,
            # another model) must not combine with this one into an API the rules refuse.
            result = transitions.apply_changes(current, changes)
            transitions.check_execution_settings(result)
            if checked_version is None or result.model_version_id != checked_version.model_version_id:
                raise FailedPrecondition("the API's model changed while this change was made; send it again")
            transitions.check_model_fits(result, checked_version)
            return result

        return await self._apis.change(api.api_id, decide)

    async def stop(self, actor_user_id: str, api_id: str) -> PublishedApi:
        return await self._change(actor_user_id, api_id, transitions.stop)

    async def start(self, actor_user_id: str, api_id: str) -> PublishedApi:
        return await self._change(actor_user_id, api_id, transitions.start)

    async def lock(self, actor_user_id: str, api_id: str) -> PublishedApi:
        return await self._change(actor_user_id, api_id, transitions.lock)

    async def unlock(self, actor_user_id: str, api_id: str) -> PublishedApi:
        actor = await resolve_actor(self._accounts, actor_user_id)
        api = await self._api_for(actor, api_id)
        require_admin(actor, "unlock an API")
        return await self._apis.change(api.api_id, transitions.unlock)

    async def delete(self, actor_user_id: str, api_id: str) -> None:
        api = await self.get(actor_user_id, api_id)
        await self._apis.delete(api.api_id, transitions.check_deletable)

    async def put_rule(self, actor_user_id: str, api_id: str, rule: AccessRule) -> PublishedApi:
        return await self._change(actor_user_id, api_id, lambda current: transitions.put_rule(current, rule))

    async def remove_rule(self, actor_user_id: str, api_id: str, cidr: str) -> PublishedApi:
        network = parse_network(cidr)
        return await self._change(actor_user_id, api_id, lambda current: transitions.remove_rule(current, network))

    async def create_key(self, actor_user_id: str, api_id: str) -> IssuedSecret:
        api = await self.get(actor_user_id, api_id)
        issued, key_digest = credentials.issue_secret()
        await self._apis.add_key(api.api_id, issued.credential_id, key_digest)
        return issued

    async def reserve_trial_request(self, api_id: str) -> tuple[bool, int, int]:
        api_id = parse_id(api_id, "api_id")
        reserved = await self._apis.reserve_trial_request(api_id)
        if reserved is None:
            raise NotFound(f"no API with id {api_id}")
        return reserved

    async def release_trial_request(self, api_id: str) -> tuple[int, int]:
        api_id = parse_id(api_id, "api_id")
        released = await self._apis.release_trial_request(api_id)
        if released is None:
            raise NotFound(f"no API with id {api_id}")
        return released

    async def report_deployment(
        self, api_id: str, model_version_id: str, status: ApiStatus, message: str
    ) -> tuple[PublishedApi, bool]:
        """The scheduler's report; returns the API as it is now and whether the report changed it."""
        version_id = parse_id(model_version_id, "model_version_id")
        applied = False

        def decide(current: PublishedApi) -> PublishedApi:
            nonlocal applied
            after = transitions.report_deployment(current, version_id, status, message)
            applied = after != current
            return after

        return await self._apis.change(parse_id(api_id, "api_id"), decide), applied

    async def snapshot(self) -> builtins.list[tuple[PublishedApi, builtins.list[KeyDigest]]]:
        apis = await self._apis.list(None)
        digests = await self._apis.key_digests([api.api_id for api in apis])
        return [(api, digests[api.api_id]) for api in apis]

    async def current(self, api_id: str) -> tuple[PublishedApi, builtins.list[KeyDigest]] | None:
        """The API and its key digests as they are now, or None once it is deleted."""
        api = await self._apis.get(api_id)
        if api is None:
            return None
        return api, (await self._apis.key_digests([api_id]))[api_id]


def _chat_model_id(spec: ApiSpec) -> str:
    if spec.contract is ApiContract.OPENAI_CHAT:
        return require_chat_model_id(spec.chat_model_id)
    if spec.chat_model_id:
        raise InvalidArgument("chat_model_id is for chat APIs (a GGUF or Hugging Face model version) only")
    return ""
