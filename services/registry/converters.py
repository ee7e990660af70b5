"""Protobuf messages ↔ the registry's domain values. Nothing else in the registry touches protobuf
except the servicer."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from google.protobuf import json_format
from google.protobuf.timestamp_pb2 import Timestamp

from services.policy import rules as access_rules
from services.registry.domain import schedules
from services.registry.domain.apis import ApiSpec
from services.registry.domain.transitions import ApiChanges
from services.registry.domain.types import (
    Account,
    ApiContract,
    ApiStatus,
    ApiType,
    ChatTokenUsage,
    DailyUsage,
    ExecutionType,
    InstanceKind,
    IssuedSecret,
    KeyDigest,
    Model,
    ModelVersion,
    PublishedApi,
    Role,
    Schedule,
    User,
)
from services.runtime.errors import InvalidArgument
from torii.v1 import accounts_pb2, apis_pb2, models_pb2, registry_service_pb2

_ROLES = {Role.ADMIN: accounts_pb2.ROLE_ADMIN, Role.MEMBER: accounts_pb2.ROLE_MEMBER}
_API_TYPES = {ApiType.FORMAL: apis_pb2.API_TYPE_FORMAL, ApiType.TRIAL: apis_pb2.API_TYPE_TRIAL}
_CONTRACTS = {
    ApiContract.NNC: apis_pb2.API_CONTRACT_NNC,
    ApiContract.PREDICTION_ONE: apis_pb2.API_CONTRACT_PREDICTION_ONE,
    ApiContract.OPENAI_CHAT: apis_pb2.API_CONTRACT_OPENAI_CHAT,
}
_EXECUTION_TYPES = {
    ExecutionType.SERVERLESS: apis_pb2.EXECUTION_TYPE_SERVERLESS,
    ExecutionType.DEDICATED: apis_pb2.EXECUTION_TYPE_DEDICATED,
}
_INSTANCE_KINDS = {InstanceKind.CPU: apis_pb2.INSTANCE_KIND_CPU, InstanceKind.GPU: apis_pb2.INSTANCE_KIND_GPU}
_ACTIONS = {"allow": apis_pb2.RULE_ACTION_ALLOW, "deny": apis_pb2.RULE_ACTION_DENY}
_FORMATS = {
    "onnx": models_pb2.MODEL_FORMAT_ONNX,
    "gguf": models_pb2.MODEL_FORMAT_GGUF,
    "hf_model": models_pb2.MODEL_FORMAT_HF_MODEL,
}


def _from_proto_enum(table: dict, value: int, what: str, default=None):
    for domain_value, proto_value in table.items():
        if proto_value == value:
            return domain_value
    if value == 0 and default is not None:
        return default
    raise InvalidArgument(f"{what} is required" if value == 0 else f"{what} {value} is not known")


def timestamp(moment: datetime | None) -> Timestamp:
    stamp = Timestamp()
    if moment is not None:
        stamp.FromDatetime(moment)
    return stamp


def role_from_proto(value: int) -> str:
    return _from_proto_enum(_ROLES, value, "role").value


def account_to_proto(account: Account) -> accounts_pb2.Account:
    return accounts_pb2.Account(
        account_id=account.account_id, name=account.name, created_at=timestamp(account.created_at)
    )


def user_to_proto(user: User) -> accounts_pb2.User:
    return accounts_pb2.User(
        user_id=user.user_id,
        account_id=user.account_id,
        name=user.name,
        role=_ROLES[user.role],
        created_at=timestamp(user.created_at),
    )


def secret_to_proto(issued: IssuedSecret) -> accounts_pb2.IssuedSecret:
    return accounts_pb2.IssuedSecret(credential_id=issued.credential_id, secret=issued.secret)


def model_to_proto(model: Model) -> models_pb2.Model:
    return models_pb2.Model(
        model_id=model.model_id, account_id=model.account_id, name=model.name, created_at=timestamp(model.created_at)
    )


def _message_to_dict(message) -> dict:
    return json_format.MessageToDict(message, preserving_proto_field_name=True, use_integers_for_enums=False)


def version_fields_from_proto(spec: registry_service_pb2.ModelVersionSpec) -> dict:
    signature = _message_to_dict(spec.signature)
    for tensor in [*signature.get("inputs", []), *signature.get("outputs", [])]:
        tensor["data_type"] = tensor.get("data_type", "DATA_TYPE_UNSPECIFIED").removeprefix("DATA_TYPE_")
        tensor["shape"] = [int(dim) for dim in tensor.get("shape", [])]
    return {
        "format": _from_proto_enum(_FORMATS, spec.format, "model format"),
        "artifact_uri": spec.artifact_uri,
        "sha256": spec.sha256.lower(),
        "size_bytes": spec.size_bytes,
        "signature": signature,
        "preprocessing": _message_to_dict(spec.preprocessing),
    }


def version_to_proto(version: ModelVersion) -> models_pb2.ModelVersion:
    signature = {
        key: [{**spec, "data_type": f"DATA_TYPE_{spec['data_type']}"} for spec in version.signature.get(key, [])]
        for key in ("inputs", "outputs")
    }
    return models_pb2.ModelVersion(
        model_version_id=version.model_version_id,
        model_id=version.model_id,
        version=version.version,
        format=_FORMATS[version.format],
        artifact_uri=version.artifact_uri,
        sha256=version.sha256,
        size_bytes=version.size_bytes,
        signature=json_format.ParseDict(signature, models_pb2.Signature()),
        preprocessing=json_format.ParseDict(version.preprocessing, models_pb2.Preprocessing()),
        created_at=timestamp(version.created_at),
        number=version.number,
        training_job_id=version.training_job_id,
    )


def schedule_from_proto(message: apis_pb2.Schedule) -> Schedule:
    return schedules.make_schedule(message.always, message.start_time, message.end_time, list(message.weekdays))


def schedule_to_proto(schedule: Schedule) -> apis_pb2.Schedule:
    if schedule.always:
        return apis_pb2.Schedule(always=True)
    start, end = schedule.window
    return apis_pb2.Schedule(
        always=False,
        start_time=start.strftime("%H:%M"),
        end_time=end.strftime("%H:%M"),
        # The stubs type enum fields by their enum class; its values are plain ints at run time.
        weekdays=[cast(apis_pb2.Weekday, day) for day in schedule.weekdays],
    )


def rule_from_proto(message: apis_pb2.AccessRule):
    action = {apis_pb2.RULE_ACTION_DENY: "deny"}.get(message.action, "allow")
    return access_rules.make_rule(message.cidr, action, message.priority)


def _rules_from_proto(request) -> tuple | None:
    """The request's rules when it gives any (or says rules_given), else None: leave them be."""
    if not request.rules and not request.rules_given:
        return None
    return access_rules.distinct_rules(tuple(rule_from_proto(rule) for rule in request.rules))


def api_spec_from_proto(request: registry_service_pb2.CreateApiRequest) -> ApiSpec:
    schedule = schedule_from_proto(request.schedule) if request.HasField("schedule") else Schedule()
    rules = _rules_from_proto(request)
    return ApiSpec(
        account_id=request.account_id,
        name=request.name,
        model_version_id=request.model_version_id,
        api_type=_from_proto_enum(_API_TYPES, request.api_type, "api_type", ApiType.FORMAL),
        execution_type=_from_proto_enum(_EXECUTION_TYPES, request.execution_type, "execution_type"),
        instance_kind=_from_proto_enum(_INSTANCE_KINDS, request.instance_kind, "instance_kind", InstanceKind.CPU),
        instance_count=request.instance_count,
        schedule=schedule,
        public=request.public if request.HasField("public") else True,
        rules=rules,
        contract=_from_proto_enum(_CONTRACTS, request.contract, "contract", ApiContract.NNC),
        chat_model_id=request.chat_model_id,
    )


def api_changes_from_proto(request: registry_service_pb2.UpdateApiRequest) -> ApiChanges:
    def optional(field, convert=lambda value: value):
        return convert(getattr(request, field)) if request.HasField(field) else None

    return ApiChanges(
        name=optional("name"),
        model_version_id=optional("model_version_id"),
        execution_type=optional(
            "execution_type", lambda value: _from_proto_enum(_EXECUTION_TYPES, value, "execution_type")
        ),
        instance_kind=optional(
            "instance_kind", lambda value: _from_proto_enum(_INSTANCE_KINDS, value, "instance_kind")
        ),
        instance_count=optional("instance_count"),
        schedule=schedule_from_proto(request.schedule) if request.HasField("schedule") else None,
        public=optional("public"),
        rules=_rules_from_proto(request),
    )


def api_to_proto(api: PublishedApi) -> apis_pb2.PublishedApi:
    return apis_pb2.PublishedApi(
        api_id=api.api_id,
        account_id=api.account_id,
        name=api.name,
        model_version_id=api.model_version_id,
        api_type=_API_TYPES[api.api_type],
        execution_type=_EXECUTION_TYPES[api.execution_type],
        instance_kind=_INSTANCE_KINDS[api.instance_kind],
        instance_count=api.instance_count,
        schedule=schedule_to_proto(api.schedule),
        status=getattr(apis_pb2, f"API_STATUS_{api.status.name}"),
        status_message=api.status_message,
        public=api.public,
        locked=api.locked,
        rules=[
            apis_pb2.AccessRule(cidr=str(rule.network), action=_ACTIONS[rule.action.value], priority=rule.priority)
            for rule in api.rules
        ],
        url_path=api.url_path,
        trial_limit=api.trial_limit,
        trial_used=api.trial_used,
        serving_model_version_id=api.serving_model_version_id,
        created_at=timestamp(api.created_at),
        updated_at=timestamp(api.updated_at),
        contract=_CONTRACTS[api.contract],
        chat_model_id=api.chat_model_id,
    )


def status_from_proto(value: int) -> ApiStatus:
    if value == apis_pb2.API_STATUS_UNSPECIFIED or value not in apis_pb2.ApiStatus.values():
        raise InvalidArgument("status must be one of the ApiStatus values")
    return ApiStatus[apis_pb2.ApiStatus.Name(value).removeprefix("API_STATUS_")]


def key_digests_to_proto(digests: list[KeyDigest]) -> list[apis_pb2.ApiKeyDigest]:
    return [
        apis_pb2.ApiKeyDigest(
            key_id=digest.key_id,
            sha256=digest.sha256,
            expires_at=timestamp(digest.expires_at) if digest.expires_at is not None else None,
            chat_key=digest.chat_key,
        )
        for digest in digests
    ]


def usage_from_proto(message: apis_pb2.DailyUsage) -> DailyUsage:
    return DailyUsage(message.api_id, message.day, message.count_2xx, message.count_4xx, message.count_5xx)


def chat_tokens_from_proto(message: apis_pb2.ChatTokenUsage) -> ChatTokenUsage:
    return ChatTokenUsage(
        api_id=message.api_id,
        day=message.day,
        key_id=message.key_id,
        project=message.project,
        requests=message.requests,
        prompt_tokens=message.prompt_tokens,
        completion_tokens=message.completion_tokens,
    )


def chat_tokens_to_proto(tokens: ChatTokenUsage) -> apis_pb2.ChatTokenUsage:
    return apis_pb2.ChatTokenUsage(
        api_id=tokens.api_id,
        day=tokens.day,
        key_id=tokens.key_id,
        project=tokens.project,
        requests=tokens.requests,
        prompt_tokens=tokens.prompt_tokens,
        completion_tokens=tokens.completion_tokens,
    )


def usage_to_proto(usage: DailyUsage) -> apis_pb2.DailyUsage:
    return apis_pb2.DailyUsage(
        api_id=usage.api_id,
        day=usage.day,
        count_2xx=usage.count_2xx,
        count_4xx=usage.count_4xx,
        count_5xx=usage.count_5xx,
    )
