"""What the domain services ask of storage, and nothing of how it is kept.

services.registry.storage implements each on PostgreSQL; the composition root (registry/app.py)
hands those in, and mypy checks there that they fit. Every state change takes a `decide` function:
the store locks the row, decide() applies the domain's rules (raising a DomainError to refuse),
and the store writes the result.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Protocol

from services.registry.domain.chat_key_types import BucketState, ChatKey, ChatKeyChanges
from services.registry.domain.console_session_types import ConsoleSession, StoredPassword, StoredSession
from services.registry.domain.credential_types import Credential, CredentialScope
from services.registry.domain.ncp_key_types import NcpKey, SealedKey
from services.registry.domain.training_types import (
    DataSet,
    ExternalKey,
    NamedModel,
    NewDataSet,
    TrainedModel,
    TrainingJob,
    UploadSlot,
)
from services.registry.domain.types import (
    Account,
    ChatTokenUsage,
    DailyUsage,
    JsonObject,
    KeyDigest,
    Model,
    ModelVersion,
    PublishedApi,
    Role,
    User,
)
from services.registry.domain.workspace_types import ConfigurationRecord, Holding, Workspace
from torii.v1 import workspaces_pb2


class AccountStorage(Protocol):
    async def create_account(self, account_id: str, name: str) -> Account: ...

    async def ensure_account(self, account_id: str, name: str) -> Account:
        """The account of this name, made with account_id when there is none."""
        ...

    async def get_account(self, account_id: str) -> Account | None: ...

    async def create_user(
        self, user_id: str, account_id: str, name: str, role: Role, credential: tuple[str, bytes]
    ) -> User:
        """credential: (credential_id, sha256 of the secret) of the user's first bearer token."""
        ...

    async def replace_bootstrap_credential(
        self, user_id: str, account_id: str, name: str, role: Role, credential_id: str, secret_sha256: bytes
    ) -> User: ...

    async def get_user(self, user_id: str) -> User | None: ...

    async def list_users(self, account_id: str) -> list[User]: ...

    async def add_user_credential(self, credential_id: str, user_id: str, secret_sha256: bytes) -> None: ...

    async def user_credential(self, credential_id: str) -> tuple[User, bytes, datetime | None] | None:
        """(user, sha256 of the secret, expiry) of a bearer token."""
        ...

    async def mark_used(self, credential_id: str) -> None: ...


class ModelStorage(Protocol):
    async def create_model(
        self, model_id: str, account_id: str, name: str, version_id: str, fields: JsonObject
    ) -> tuple[Model, ModelVersion]: ...

    async def get_model(self, model_id: str) -> Model | None: ...

    async def list_models(self, account_id: str | None) -> list[Model]:
        """None: every account's."""
        ...

    async def add_version(self, version_id: str, model_id: str, fields: JsonObject) -> ModelVersion: ...

    async def list_versions(self, model_id: str) -> list[ModelVersion]: ...

    async def get_version_with_account(self, version_id: str) -> tuple[ModelVersion, str] | None: ...


class ApiStorage(Protocol):
    async def create(self, api: PublishedApi, key_id: str, key_sha256: bytes) -> PublishedApi: ...

    async def get(self, api_id: str) -> PublishedApi | None: ...

    async def list(self, account_id: str | None) -> builtins.list[PublishedApi]:
        """None: every account's."""
        ...

    async def change(self, api_id: str, decide: Callable[[PublishedApi], PublishedApi]) -> PublishedApi: ...

    async def delete(self, api_id: str, check: Callable[[PublishedApi], None]) -> None: ...

    async def add_key(self, api_id: str, key_id: str, key_sha256: bytes) -> None: ...

    async def key_digests(self, api_ids: builtins.list[str]) -> dict[str, builtins.list[KeyDigest]]: ...

    async def reserve_trial_request(self, api_id: str) -> tuple[bool, int, int] | None:
        """(reserved, used, limit); None when there is no such API."""
        ...

    async def release_trial_request(self, api_id: str) -> tuple[int, int] | None:
        """(used, limit); None when there is no such API."""
        ...


class CredentialStorage(Protocol):
    async def list(self, scope: CredentialScope) -> builtins.list[Credential]: ...

    async def get(self, credential_id: str) -> Credential | None: ...

    async def delete(self, credential_id: str) -> bool: ...

    async def set_expiry(self, credential_id: str, expires_at: datetime | None) -> Credential | None: ...


class UsageStorage(Protocol):
    async def add(
        self,
        increments: list[DailyUsage],
        flush_id: str | None = None,
        key_uses: Sequence[tuple[str, datetime]] = (),
        chat_tokens: Sequence[ChatTokenUsage] = (),
    ) -> bool:
        """False when the batch flush_id was applied before (and is not applied again)."""
        ...

    async def days(self, api_id: str, first: date, last: date) -> list[DailyUsage]: ...

    async def chat_tokens(self, api_id: str, first: date, last: date) -> list[ChatTokenUsage]: ...


class ExternalKeyStorage(Protocol):
    async def add(self, key: ExternalKey, secret_sha256: bytes) -> None: ...

    async def get(self, credential_id: str) -> tuple[User, bytes, ExternalKey] | None:
        """(the key's user, sha256 of its secret, the key)."""
        ...

    async def mark_used(self, credential_id: str) -> None: ...


class TrainedModelStorage(Protocol):
    async def version_by_number(self, number: int) -> tuple[ModelVersion, Model] | None: ...

    async def version_by_id(self, model_version_id: str) -> tuple[ModelVersion, Model] | None: ...

    async def get(self, number: int) -> TrainedModel | None: ...

    async def list(self, account_id: str | None, offset: int, limit: int) -> tuple[builtins.list[TrainedModel], int]:
        """One page, newest first, and the total; None: every account's."""
        ...

    async def delete(self, number: int, check: Callable[[TrainedModel], None]) -> TrainedModel: ...


class DataSetStorage(Protocol):
    async def get(self, data_set_id: int) -> DataSet | None: ...

    async def list(self, account_id: str | None, offset: int, limit: int) -> tuple[builtins.list[DataSet], int]:
        """One page, newest first, and the total; None: every account's."""
        ...

    async def delete(self, data_set_id: int) -> DataSet | None: ...


class TrainingJobStorage(Protocol):
    async def create(self, job: TrainingJob) -> TrainingJob: ...

    async def get(self, job_id: str) -> TrainingJob | None: ...

    async def change(self, job_id: str, decide: Callable[[TrainingJob], TrainingJob]) -> TrainingJob: ...

    async def attach_data_set(
        self, job_id: str, slot: UploadSlot, new: NewDataSet, check: Callable[[TrainingJob], None]
    ) -> tuple[TrainingJob, DataSet]: ...

    async def claim(self, trainer_id: str) -> TrainingJob | None:
        """Move the oldest queued job to running for this trainer; None when none is queued."""
        ...

    async def change_running(self, decide: Callable[[TrainingJob], TrainingJob]) -> list[TrainingJob]: ...

    async def finish(
        self,
        job_id: str,
        decide: Callable[[TrainingJob], TrainingJob],
        version_id: str,
        fields: JsonObject,
        *,
        into_model_id: str | None = None,
        named_model: NamedModel | None = None,
    ) -> tuple[TrainingJob, ModelVersion]:
        """Make the version, in model into_model_id or in named_model, and write the finished job, together."""
        ...

    async def list(self, account_id: str | None, offset: int, limit: int) -> tuple[builtins.list[TrainingJob], int]:
        """One page, newest first, and the total; None: every account's."""
        ...


class ChatKeyStorage(Protocol):
    async def create(self, key: ChatKey, secret_sha256: bytes) -> ChatKey: ...

    async def get(self, key_id: str) -> ChatKey | None: ...

    async def list(self, account_id: str) -> builtins.list[ChatKey]: ...

    async def change(self, key_id: str, changes: ChatKeyChanges) -> ChatKey | None: ...

    async def rotate(self, key_id: str, secret_sha256: bytes) -> ChatKey | None: ...

    async def chat_api_ids(self, account_id: str, api_ids: Sequence[str]) -> set[str]:
        """Those of api_ids that are chat APIs of the account."""
        ...

    async def usage(self, key_id: str, first: date, last: date) -> builtins.list[ChatTokenUsage]: ...


class LockedChatKey(Protocol):
    """A chat key held under its lock until the admission's transaction ends."""

    key: ChatKey

    async def state(self, project: str) -> BucketState: ...

    async def lease(self, project: str, admitted_at: datetime, tokens: int, lease_seconds: int) -> str:
        """Hold a place in flight and reserve the tokens; the lease's id."""
        ...


class ChatAdmissionStorage(Protocol):
    def locked(self, key_id: str) -> AbstractAsyncContextManager[LockedChatKey | None]:
        """The key under its lock (None: no such key) for one admission."""
        ...

    async def finish(self, lease_id: str, tokens: int) -> bool:
        """Settle a lease with the tokens used; False if it was finished or is gone."""
        ...


class NcpKeyStorage(Protocol):
    async def add(self, key: NcpKey, secret: str) -> NcpKey: ...

    async def get(self, access_key: str) -> NcpKey | None: ...

    async def with_secret(self, access_key: str) -> SealedKey | None:
        """The key with its secret opened."""
        ...

    async def list(self, account_id: str) -> builtins.list[NcpKey]: ...

    async def set_disabled(self, access_key: str, disabled: bool) -> NcpKey | None: ...

    async def delete(self, access_key: str) -> bool: ...

    async def mark_used(self, access_key: str) -> None: ...


class WorkspaceStorage(Protocol):
    async def create(
        self,
        workspace_id: str,
        account_id: str,
        name: str,
        description: str,
        configuration: workspaces_pb2.WorkspaceConfiguration,
        default_quota: Holding,
    ) -> Workspace:
        """Raises AlreadyExists for a name in use and ResourceExhausted past the quota."""
        ...

    async def name_taken(self, account_id: str, name: str) -> bool: ...

    async def get(self, workspace_id: str) -> Workspace | None: ...

    async def list(self, account_id: str) -> builtins.list[Workspace]: ...

    async def set_configuration(
        self, workspace_id: str, configuration: workspaces_pb2.WorkspaceConfiguration, default_quota: Holding
    ) -> Workspace: ...

    async def configurations(self, workspace_id: str) -> builtins.list[ConfigurationRecord]: ...

    async def mark_deleted(self, workspace_id: str) -> bool: ...

    async def quota(self, account_id: str, default: Holding) -> tuple[Holding, Holding]: ...

    async def set_quota(self, account_id: str, quota: Holding) -> Holding: ...

    async def runner_workspaces(self) -> builtins.list[Workspace]: ...

    async def report_status(self, workspace_id: str, status: workspaces_pb2.WorkspaceStatus) -> bool: ...

    async def forget(self, workspace_id: str) -> bool: ...


class ConsoleSessionStorage(Protocol):
    async def users_named(self, user_name: str, account_name: str | None) -> list[User]:
        """Users of this name: in the named account, or in any account when account_name is None."""
        ...

    async def password(self, user_id: str) -> StoredPassword | None: ...

    async def set_password(
        self, user_id: str, password_hash: str, must_change: bool, now: datetime, replacing: str | None = None
    ) -> bool:
        """Store the hash, forget failed sign-ins and close every session of the user, together.
        With replacing: only while that is still the stored hash; False when it is not."""
        ...

    async def rehash(self, user_id: str, old_hash: str, new_hash: str) -> None:
        """Replace the hash with the same password's under newer parameters, unless it changed meanwhile."""
        ...

    async def record_failure(self, user_id: str, limit: int, refused_until: datetime) -> None:
        """Count a failed sign-in; the limit-th in a row refuses sign-ins until refused_until and
        starts the count again."""
        ...

    async def open_session(
        self, session: ConsoleSession, secret_digest: bytes, csrf_digest: bytes, keep_at_most: int, idle_since: datetime
    ) -> None:
        """Add the session and forget the user's failed sign-ins; close the user's sessions that
        expired or were last seen before idle_since, then the oldest beyond keep_at_most."""
        ...

    async def session(self, session_id: str) -> StoredSession | None: ...

    async def touch(self, session_id: str, now: datetime) -> None:
        """Record that the session was used now; at most once a minute is written."""
        ...

    async def close_session(self, session_id: str) -> None: ...
