"""Protobuf ↔ domain values for chat keys and their admissions."""

from __future__ import annotations

import dataclasses
from datetime import datetime

from services.registry.converters import timestamp
from services.registry.credential_converters import moment_of, optional_timestamp
from services.registry.domain.chat_key_types import Admission, AdmissionRefusal, ChatAsk, ChatKey, ChatKeyLimits
from torii.v1 import chat_key_service_pb2 as pb
from torii.v1 import chat_keys_pb2

_REFUSALS = {
    AdmissionRefusal.KEY_REFUSED: chat_keys_pb2.CHAT_ADMISSION_REFUSAL_KEY_REFUSED,
    AdmissionRefusal.PROJECT_REFUSED: chat_keys_pb2.CHAT_ADMISSION_REFUSAL_PROJECT_REFUSED,
    AdmissionRefusal.REQUESTS_PER_MINUTE: chat_keys_pb2.CHAT_ADMISSION_REFUSAL_REQUESTS_PER_MINUTE,
    AdmissionRefusal.TOKENS_PER_MINUTE: chat_keys_pb2.CHAT_ADMISSION_REFUSAL_TOKENS_PER_MINUTE,
    AdmissionRefusal.IN_FLIGHT: chat_keys_pb2.CHAT_ADMISSION_REFUSAL_IN_FLIGHT,
    AdmissionRefusal.DAILY_BUDGET: chat_keys_pb2.CHAT_ADMISSION_REFUSAL_DAILY_BUDGET,
    AdmissionRefusal.MONTHLY_BUDGET: chat_keys_pb2.CHAT_ADMISSION_REFUSAL_MONTHLY_BUDGET,
}


def limits_from_proto(limits: chat_keys_pb2.ChatKeyLimits) -> ChatKeyLimits:
    return ChatKeyLimits(**{field.name: getattr(limits, field.name) for field in dataclasses.fields(ChatKeyLimits)})


def chat_key_to_proto(key: ChatKey) -> chat_keys_pb2.ChatKey:
    return chat_keys_pb2.ChatKey(
        key_id=key.key_id,
        account_id=key.account_id,
        name=key.name,
        api_ids=list(key.api_ids),
        limits=chat_keys_pb2.ChatKeyLimits(**dataclasses.asdict(key.limits)),
        projects=list(key.projects),
        default_project=key.default_project,
        created_at=timestamp(key.created_at),
        expires_at=optional_timestamp(key.expires_at),
        rotated_at=optional_timestamp(key.rotated_at),
    )


def expiry_from_proto(request: pb.CreateChatKeyRequest) -> datetime | None:
    return moment_of(request.expires_at, "expires_at") if request.HasField("expires_at") else None


def ask_from_proto(request: pb.AdmitChatRequestRequest) -> ChatAsk:
    return ChatAsk(
        key_id=request.key_id,
        api_id=request.api_id,
        project=request.project,
        prompt_tokens_bound=request.prompt_tokens_bound,
        max_completion_tokens=request.max_completion_tokens,
        default_completion_tokens=request.default_completion_tokens,
        lease_seconds=request.lease_seconds,
    )


def admission_to_proto(admission: Admission) -> pb.AdmitChatRequestResponse:
    return pb.AdmitChatRequestResponse(
        admitted=admission.admitted,
        lease_id=admission.lease_id,
        max_completion_tokens=admission.max_completion_tokens,
        project=admission.project,
        refusal=_REFUSALS[admission.refusal]
        if admission.refusal is not None
        else chat_keys_pb2.CHAT_ADMISSION_REFUSAL_UNSPECIFIED,
        retry_after_ms=admission.retry_after_ms,
        rate=chat_keys_pb2.ChatRateState(**dataclasses.asdict(admission.rate)),
    )
