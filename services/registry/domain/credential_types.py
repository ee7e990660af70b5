"""Credentials as their owners see them: what each is for and when it was used, never its secret."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.registry.domain.training_types import KeyPurpose


class CredentialKind(StrEnum):
    BEARER_TOKEN = "bearer_token"
    API_KEY = "api_key"
    PREDICTION_ONE_KEY = "prediction_one_key"
    CHAT_KEY = "chat_key"


@dataclass(frozen=True)
class Credential:
    credential_id: str
    kind: CredentialKind
    # Bearer tokens and Prediction One keys: the user they act as; API keys: the API they call.
    user_id: str
    api_id: str
    # The account of that user or API.
    account_id: str
    purpose: KeyPurpose | None
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    bootstrap: bool = False


@dataclass(frozen=True)
class CredentialScope:
    """Which credentials a listing holds: any of the three that is set adds its credentials."""

    # Every user's bearer tokens and Prediction One keys in this account.
    users_of_account: str | None = None
    # This user's bearer tokens and Prediction One keys.
    user_id: str | None = None
    # The keys of every API of this account, and its chat keys.
    apis_of_account: str | None = None
