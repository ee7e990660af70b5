"""Secrets: made random here, stored as SHA-256 (services.policy.secret_digests checks them)."""

from __future__ import annotations

import secrets
import uuid

from services.policy.secret_digests import credential_id_of, digest, matches
from services.registry.domain.types import IssuedSecret

__all__ = ["credential_id_of", "digest", "issue_secret", "matches"]


def issue_secret(credential_id: str = "") -> tuple[IssuedSecret, bytes]:
    """A new secret and its digest; under a new id, or under credential_id to replace its secret."""
    credential_id = credential_id or str(uuid.uuid4())
    secret = f"{credential_id}.{secrets.token_hex(32)}"
    return IssuedSecret(credential_id, secret), digest(secret)
