"""NCP access keys: one row each, the secret sealed by the registry's SecretBox."""

from __future__ import annotations

import builtins

import asyncpg

from services.registry.domain.ncp_key_types import NcpKey, SealedKey
from services.registry.secret_box import SecretBox

# A key's last use is written at most this often, so verifying is not a write per request.
USE_RECORDED_EVERY = "1 minute"
_COLUMNS = "access_key, account_id, disabled, created_at, last_used_at"


def _key(row) -> NcpKey:
    return NcpKey(row["access_key"], str(row["account_id"]), row["disabled"], row["created_at"], row["last_used_at"])


class NcpKeyStore:
    def __init__(self, pool: asyncpg.Pool, box: SecretBox) -> None:
        self._pool = pool
        self._box = box

    async def add(self, key: NcpKey, secret: str) -> NcpKey:
        row = await self._pool.fetchrow(
            "INSERT INTO ncp_access_keys (access_key, account_id, secret_sealed) VALUES ($1, $2, $3)"
            f" RETURNING {_COLUMNS}",
            key.access_key,
            key.account_id,
            self._box.seal(secret, key.access_key),
        )
        return _key(row)

    async def get(self, access_key: str) -> NcpKey | None:
        row = await self._pool.fetchrow(f"SELECT {_COLUMNS} FROM ncp_access_keys WHERE access_key = $1", access_key)
        return _key(row) if row else None

    async def with_secret(self, access_key: str) -> SealedKey | None:
        row = await self._pool.fetchrow(
            f"SELECT {_COLUMNS}, secret_sealed FROM ncp_access_keys WHERE access_key = $1", access_key
        )
        if row is None:
            return None
        return SealedKey(_key(row), self._box.open(bytes(row["secret_sealed"]), access_key))

    async def list(self, account_id: str) -> builtins.list[NcpKey]:
        rows = await self._pool.fetch(
            f"SELECT {_COLUMNS} FROM ncp_access_keys WHERE account_id = $1 ORDER BY created_at, access_key",
            account_id,
        )
        return [_key(row) for row in rows]

    async def set_disabled(self, access_key: str, disabled: bool) -> NcpKey | None:
        row = await self._pool.fetchrow(
            f"UPDATE ncp_access_keys SET disabled = $2 WHERE access_key = $1 RETURNING {_COLUMNS}",
            access_key,
            disabled,
        )
        return _key(row) if row else None

    async def delete(self, access_key: str) -> bool:
        return bool(
            await self._pool.fetchval("DELETE FROM ncp_access_keys WHERE access_key = $1 RETURNING true", access_key)
        )

    async def mark_used(self, access_key: str) -> None:
        await self._pool.execute(
            "UPDATE ncp_access_keys SET last_used_at = now() WHERE access_key = ("
            "  SELECT access_key FROM ncp_access_keys WHERE access_key = $1"
            f"  AND (last_used_at IS NULL OR last_used_at < now() - interval '{USE_RECORDED_EVERY}')"
            "  FOR UPDATE SKIP LOCKED)",
            access_key,
        )
