"""Checking a secret ("<credential id>.<random part>") against its stored SHA-256.

The registry issues and stores secrets; the gateway checks API keys on the hot path against the
digests the watch stream carries. Secrets carry 256 random bits, so a fast hash is enough; a
slow password hash would only slow the hot path.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


def credential_id_of(secret: str) -> str | None:
    """The id part of a well-formed secret, or None."""
    head, dot, tail = secret.partition(".")
    if not dot or not tail:
        return None
    try:
        return str(uuid.UUID(head))
    except ValueError:
        return None


def matches(secret: str, stored_digest: bytes) -> bool:
    return hmac.compare_digest(digest(secret), stored_digest)
