"""Protobuf ↔ domain values for credentials and the API key uses gateways report."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp

from services.registry.converters import timestamp
from services.registry.domain.credential_types import Credential, CredentialKind
from services.registry.training_converters import _PURPOSES
from services.runtime.errors import InvalidArgument
from torii.v1 import registry_service_pb2 as pb
from torii.v1 import training_pb2

_KINDS = {
    CredentialKind.BEARER_TOKEN: pb.CREDENTIAL_KIND_BEARER_TOKEN,
    CredentialKind.API_KEY: pb.CREDENTIAL_KIND_API_KEY,
    CredentialKind.PREDICTION_ONE_KEY: pb.CREDENTIAL_KIND_PREDICTION_ONE_KEY,
    CredentialKind.CHAT_KEY: pb.CREDENTIAL_KIND_CHAT_KEY,
}


def optional_timestamp(moment: datetime | None) -> Timestamp | None:
    """Unset (rather than the epoch) when there is no such moment."""
    return timestamp(moment) if moment is not None else None


def credential_to_proto(credential: Credential) -> pb.Credential:
    return pb.Credential(
        credential_id=credential.credential_id,
        kind=_KINDS[credential.kind],
        user_id=credential.user_id,
        api_id=credential.api_id,
        account_id=credential.account_id,
        purpose=_PURPOSES[credential.purpose]
        if credential.purpose is not None
        else training_pb2.KEY_PURPOSE_UNSPECIFIED,
        created_at=timestamp(credential.created_at),
        expires_at=optional_timestamp(credential.expires_at),
        last_used_at=optional_timestamp(credential.last_used_at),
        bootstrap=credential.bootstrap,
    )


def moment_of(stamp: Timestamp, what: str) -> datetime:
    try:
        return stamp.ToDatetime(tzinfo=UTC)
    except (ValueError, OverflowError):
        raise InvalidArgument(f"{what} is not a time between the years 1 and 9999") from None


def expiry_from_proto(request: pb.SetCredentialExpiryRequest) -> datetime | None:
    return moment_of(request.expires_at, "expires_at") if request.HasField("expires_at") else None


def key_uses_from_proto(request: pb.RecordUsageRequest) -> list[tuple[str, datetime]]:
    return [(use.key_id, moment_of(use.used_at, "used_at")) for use in request.key_uses]
