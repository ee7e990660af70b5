"""Secrets: made random, stored as SHA-256, compared in constant time.

A secret reads "<credential id>.<random part>": the id finds the row, the digest of the whole
string is compared with hmac.compare_digest. Secrets carry 256 random bits, so a fast hash is
enough; a slow password hash would only slow the hot path.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

from services.registry.domain.types import IssuedSecret


def digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8")).digest()


def issue_secret() -> tuple[IssuedSecret, bytes]:
    credential_id = str(uuid.uuid4())
    secret = f"{credential_id}.{secrets.token_hex(32)}"
    return IssuedSecret(credential_id, secret), digest(secret)


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
