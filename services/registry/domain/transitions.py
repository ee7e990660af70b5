"""What may happen to a published API: pure functions from an API to its next state.

Each raises a DomainError to refuse; storage applies the result atomically (ApiStore.change).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from services.registry.domain.schedules import check_schedule_fits
from services.registry.domain.types import (
    CHAT_FORMATS,
    AccessRule,
    ApiContract,
    ApiStatus,
    ExecutionType,
    InstanceKind,
    ModelVersion,
    Network,
    PublishedApi,
    Schedule,
)
from services.runtime.errors import FailedPrecondition, InvalidArgument, NotFound

MAX_INSTANCES = 64
SERVERLESS_MAX_MODEL_BYTES = 64 * 1024 * 1024
"""The contract's serverless limit: a model's cost parameter (memory) under 64 MB."""


@dataclass(frozen=True)
class ApiChanges:
    """Settings a user may change after creation; None leaves a setting as it is."""

    name: str | None = None
    model_version_id: str | None = None
    execution_type: ExecutionType | None = None
    instance_kind: InstanceKind | None = None
    instance_count: int | None = None
    schedule: Schedule | None = None
    public: bool | None = None
    rules: tuple[AccessRule, ...] | None = None


def check_execution_settings(api: PublishedApi) -> None:
    if not 1 <= api.instance_count <= MAX_INSTANCES:
        raise InvalidArgument(f"instance_count must be between 1 and {MAX_INSTANCES}")
    if api.execution_type is ExecutionType.SERVERLESS:
        if api.instance_kind is not InstanceKind.CPU:
            raise InvalidArgument("serverless APIs run on CPU; choose a dedicated API for a GPU instance")
        if api.instance_count != 1:
            raise InvalidArgument("serverless APIs have no instance count; choose a dedicated API for more instances")
    check_schedule_fits(api.schedule, api.execution_type)


def check_model_fits(api: PublishedApi, version: ModelVersion) -> None:
    chat_api, chat_model = api.contract is ApiContract.OPENAI_CHAT, version.format in CHAT_FORMATS
    if chat_api and not chat_model:
        raise InvalidArgument(f"a chat API serves a GGUF or Hugging Face model version; this one is {version.format}")
    if chat_model and not chat_api:
        raise InvalidArgument(f"a {version.format} model version is published as a chat API: give it a chat_model_id")
    if api.execution_type is ExecutionType.SERVERLESS and version.size_bytes >= SERVERLESS_MAX_MODEL_BYTES:
        raise InvalidArgument(
            f"serverless APIs take models under {SERVERLESS_MAX_MODEL_BYTES // (1024 * 1024)} MB;"
            f" this model is {version.size_bytes} bytes: choose a dedicated API"
        )


def _refuse_if_deleting(api: PublishedApi) -> None:
    if api.status is ApiStatus.DELETING:
        raise FailedPrecondition(f"API {api.api_id} is being deleted")


def _refuse_if_locked(api: PublishedApi, action: str) -> None:
    if api.locked:
        raise FailedPrecondition(f"API {api.api_id} is locked: an admin must unlock it before you can {action}")


def stop(api: PublishedApi) -> PublishedApi:
    _refuse_if_deleting(api)
    _refuse_if_locked(api, "stop it")
    if api.status is ApiStatus.STOPPED:
        return api
    return dataclasses.replace(
        api, status=ApiStatus.STOPPED, status_message="stopped by a user", serving_model_version_id=""
    )


def start(api: PublishedApi) -> PublishedApi:
    _refuse_if_deleting(api)
    if api.status is not ApiStatus.STOPPED:
        return api
    return dataclasses.replace(api, status=ApiStatus.BUILDING, status_message="")


def lock(api: PublishedApi) -> PublishedApi:
    _refuse_if_deleting(api)
    return dataclasses.replace(api, locked=True)


def unlock(api: PublishedApi) -> PublishedApi:
    return dataclasses.replace(api, locked=False)


def check_deletable(api: PublishedApi) -> None:
    _refuse_if_locked(api, "delete it")
    if api.status is not ApiStatus.STOPPED:
        raise FailedPrecondition(f"stop API {api.api_id} before deleting it (its status is {api.status.value})")


def apply_changes(api: PublishedApi, changes: ApiChanges) -> PublishedApi:
    _refuse_if_deleting(api)
    _refuse_if_locked(api, "change its settings")
    given = {field.name: getattr(changes, field.name) for field in dataclasses.fields(changes)}
    changed = dataclasses.replace(api, **{name: value for name, value in given.items() if value is not None})
    check_execution_settings(changed)
    if changed.model_version_id != api.model_version_id:
        if api.status is ApiStatus.RUNNING:
            changed = dataclasses.replace(
                changed, status=ApiStatus.UPDATING, status_message="deploying the new model version"
            )
        elif api.status is ApiStatus.FAILED:
            changed = dataclasses.replace(changed, status=ApiStatus.BUILDING, status_message="")
    return changed


SCHEDULER_REPORTS = frozenset({ApiStatus.BUILDING, ApiStatus.RUNNING, ApiStatus.FAILED, ApiStatus.OUTSIDE_SCHEDULE})
"""The statuses the scheduler may report; the others are a user's doing or the registry's."""


def report_deployment(api: PublishedApi, model_version_id: str, status: ApiStatus, message: str) -> PublishedApi:
    """Apply what Triton did with one of the API's versions, unless the report is stale.

    A user's stop wins over a report racing it, and a report about a version the API no longer
    asks for changes nothing: the scheduler reconciles again from the newer state.
    """
    if status not in SCHEDULER_REPORTS:
        raise InvalidArgument(f"the scheduler cannot report status {status.value}")
    if api.status in (ApiStatus.STOPPED, ApiStatus.DELETING) or model_version_id != api.model_version_id:
        return api
    if status is ApiStatus.RUNNING:
        return dataclasses.replace(
            api, status=status, status_message=message, serving_model_version_id=model_version_id
        )
    return dataclasses.replace(api, status=status, status_message=message, serving_model_version_id="")


def put_rule(api: PublishedApi, rule: AccessRule) -> PublishedApi:
    _refuse_if_deleting(api)
    _refuse_if_locked(api, "change its access rules")
    others = tuple(existing for existing in api.rules if existing.network != rule.network)
    return dataclasses.replace(api, rules=(*others, rule))


def remove_rule(api: PublishedApi, network: Network) -> PublishedApi:
    _refuse_if_deleting(api)
    _refuse_if_locked(api, "change its access rules")
    kept = tuple(rule for rule in api.rules if rule.network != network)
    if len(kept) == len(api.rules):
        raise NotFound(f"API {api.api_id} has no rule for {network}")
    return dataclasses.replace(api, rules=kept)
