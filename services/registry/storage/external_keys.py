"""Prediction One API keys: user credentials with a purpose and an expiry."""

from __future__ import annotations

import asyncpg

from services.registry.domain.training_types import ExternalKey, KeyPurpose
from services.registry.domain.types import User
from services.registry.storage import credentials
from services.registry.storage.accounts import _user


class ExternalKeyStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def add(self, key: ExternalKey, secret_sha256: bytes) -> None:
        await self._pool.execute(
            "INSERT INTO credentials (credential_id, user_id, secret_sha256, purpose, expires_at, model_version_id)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            key.credential_id,
            key.user_id,
            secret_sha256,
            key.purpose.value,
            key.expires_at,
            key.model_version_id or None,
        )

    async def get(self, credential_id: str) -> tuple[User, bytes, ExternalKey] | None:
        """The key's user, stored digest and key; None for unknown ids and for other credentials."""
        row = await self._pool.fetchrow(
            "SELECT u.*, c.secret_sha256, c.purpose, c.expires_at, c.model_version_id, v.number AS model_number"
            " FROM credentials c JOIN users u USING (user_id)"
            " LEFT JOIN model_versions v ON v.model_version_id = c.model_version_id"
            " WHERE c.credential_id = $1 AND c.purpose IS NOT NULL",
            credential_id,
        )
        if row is None:
            return None
        key = ExternalKey(
            credential_id=credential_id,
            user_id=str(row["user_id"]),
            purpose=KeyPurpose(row["purpose"]),
            expires_at=row["expires_at"],
            model_version_id=str(row["model_version_id"] or ""),
            model_number=row["model_number"] or 0,
        )
        return _user(row), bytes(row["secret_sha256"]), key

    async def mark_used(self, credential_id: str) -> None:
        await credentials.mark_used(self._pool, credential_id)
