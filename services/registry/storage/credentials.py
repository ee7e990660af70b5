"""Every kind of credential (bearer tokens, API keys, Prediction One keys, chat keys): listing, revoking,
expiring, and recording when each was last used."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from services.registry.domain.credential_types import Credential, CredentialKind, CredentialScope
from services.registry.domain.training_types import KeyPurpose

# A credential's last use is written at most this often, so authenticating is not a write per request.
USE_RECORDED_EVERY = "1 minute"

_SELECT = """
SELECT c.credential_id, c.user_id, c.api_id, c.purpose, c.created_at, c.expires_at, c.last_used_at,
       c.is_bootstrap, COALESCE(u.account_id, a.account_id, c.chat_account_id) AS account_id
FROM credentials c
LEFT JOIN users u ON u.user_id = c.user_id
LEFT JOIN published_apis a ON a.api_id = c.api_id
"""


def _kind(row) -> CredentialKind:
    if row["user_id"] is None and row["api_id"] is None:
        return CredentialKind.CHAT_KEY
    if row["api_id"] is not None:
        return CredentialKind.API_KEY
    if row["purpose"] is not None:
        return CredentialKind.PREDICTION_ONE_KEY
    return CredentialKind.BEARER_TOKEN


def _credential(row) -> Credential:
    return Credential(
        credential_id=str(row["credential_id"]),
        kind=_kind(row),
        user_id=str(row["user_id"] or ""),
        api_id=str(row["api_id"] or ""),
        account_id=str(row["account_id"]),
        purpose=KeyPurpose(row["purpose"]) if row["purpose"] else None,
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        last_used_at=row["last_used_at"],
        bootstrap=row["is_bootstrap"],
    )


class CredentialStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def list(self, scope: CredentialScope) -> list[Credential]:
        rows = await self._pool.fetch(
            _SELECT + " WHERE (c.user_id IS NOT NULL AND (u.account_id = $1 OR c.user_id = $2))"
            " OR (c.api_id IS NOT NULL AND a.account_id = $3) OR c.chat_account_id = $3"
            " ORDER BY c.created_at, c.credential_id",
            scope.users_of_account,
            scope.user_id,
            scope.apis_of_account,
        )
        return [_credential(row) for row in rows]

    async def get(self, credential_id: str) -> Credential | None:
        row = await self._pool.fetchrow(_SELECT + " WHERE c.credential_id = $1", credential_id)
        return _credential(row) if row else None

    async def delete(self, credential_id: str) -> bool:
        return (
            await self._pool.fetchval("DELETE FROM credentials WHERE credential_id = $1 RETURNING true", credential_id)
            or False
        )

    async def set_expiry(self, credential_id: str, expires_at: datetime | None) -> Credential | None:
        """The credential as it is now, or None once it is gone. The database refuses to clear a
        Prediction One key's expiry (credentials_purpose_key_check); the domain refuses it first."""
        updated = await self._pool.fetchval(
            "UPDATE credentials SET expires_at = $2 WHERE credential_id = $1 RETURNING true", credential_id, expires_at
        )
        return await self.get(credential_id) if updated else None


async def mark_used(executor: asyncpg.Pool | asyncpg.Connection, credential_id: str) -> None:
    """Record that the credential authenticated now, unless that was recorded in the last minute.

    SKIP LOCKED: a credential another transaction is writing (a revocation, or the same record
    made by a concurrent request) is left to it rather than waited for on the request's path.
    """
    await executor.execute(
        "UPDATE credentials SET last_used_at = now() WHERE credential_id = ("
        "  SELECT credential_id FROM credentials WHERE credential_id = $1"
        f"  AND (last_used_at IS NULL OR last_used_at < now() - interval '{USE_RECORDED_EVERY}')"
        "  FOR UPDATE SKIP LOCKED)",
        credential_id,
    )


async def mark_keys_used(executor: asyncpg.Pool | asyncpg.Connection, uses: list[tuple[str, datetime]]) -> None:
    """Record when API keys were last used, as a gateway saw them (never later than now). Keys
    deleted meanwhile are skipped; so are rows other transactions hold, as in mark_used, which
    also keeps two gateways' batches from deadlocking on each other."""
    if not uses:
        return
    await executor.execute(
        "WITH seen AS ("
        "  SELECT key_id, LEAST(MAX(used_at), now()) AS used_at"
        "  FROM unnest($1::uuid[], $2::timestamptz[]) AS i(key_id, used_at) GROUP BY key_id),"
        " due AS ("
        "  SELECT c.credential_id, seen.used_at FROM credentials c JOIN seen ON seen.key_id = c.credential_id"
        "  WHERE (c.api_id IS NOT NULL OR c.chat_account_id IS NOT NULL)"
        f"  AND (c.last_used_at IS NULL OR c.last_used_at < seen.used_at - interval '{USE_RECORDED_EVERY}')"
        "  ORDER BY c.credential_id FOR UPDATE OF c SKIP LOCKED)"
        " UPDATE credentials c SET last_used_at = due.used_at FROM due WHERE c.credential_id = due.credential_id",
        [key_id for key_id, _ in uses],
        [used_at for _, used_at in uses],
    )
