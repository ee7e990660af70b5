"""Accounts, users and credentials."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from services.registry.domain.types import Account, Role, User
from services.registry.storage import credentials
from services.runtime.errors import AlreadyExists


def _account(row) -> Account:
    return Account(str(row["account_id"]), row["name"], row["created_at"])


def _user(row) -> User:
    return User(str(row["user_id"]), str(row["account_id"]), row["name"], Role(row["role"]), row["created_at"])


class AccountStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create_account(self, account_id: str, name: str) -> Account:
        try:
            row = await self._pool.fetchrow(
                "INSERT INTO accounts (account_id, name) VALUES ($1, $2) RETURNING *", account_id, name
            )
        except asyncpg.UniqueViolationError:
            raise AlreadyExists(f"an account named {name!r} already exists") from None
        return _account(row)

    async def ensure_account(self, account_id: str, name: str) -> Account:
        row = await self._pool.fetchrow(
            "INSERT INTO accounts (account_id, name) VALUES ($1, $2)"
            " ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING *",
            account_id,
            name,
        )
        return _account(row)

    async def get_account(self, account_id: str) -> Account | None:
        row = await self._pool.fetchrow("SELECT * FROM accounts WHERE account_id = $1", account_id)
        return _account(row) if row else None

    async def create_user(self, user_id: str, account_id: str, name: str, role: Role, credential) -> User:
        """Create the user and its first credential together."""
        credential_id, secret_sha256 = credential
        async with self._pool.acquire() as connection, connection.transaction():
            try:
                row = await connection.fetchrow(
                    "INSERT INTO users (user_id, account_id, name, role) VALUES ($1, $2, $3, $4) RETURNING *",
                    user_id,
                    account_id,
                    name,
                    role.value,
                )
            except asyncpg.UniqueViolationError:
                raise AlreadyExists(f"a user named {name!r} already exists in this account") from None
            await connection.execute(
                "INSERT INTO credentials (credential_id, user_id, secret_sha256) VALUES ($1, $2, $3)",
                credential_id,
                user_id,
                secret_sha256,
            )
        return _user(row)

    async def replace_bootstrap_credential(
        self, user_id: str, account_id: str, name: str, role: Role, credential_id: str, secret_sha256: bytes
    ) -> User:
        """Create the user if missing and make the given credential its only bootstrap credential:
        the one a previous start made is deleted in the same transaction."""
        async with self._pool.acquire() as connection, connection.transaction():
            row = await connection.fetchrow(
                "INSERT INTO users (user_id, account_id, name, role) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (account_id, name) DO UPDATE SET role = EXCLUDED.role RETURNING *",
                user_id,
                account_id,
                name,
                role.value,
            )
            await connection.execute(
                "DELETE FROM credentials WHERE user_id = $1 AND is_bootstrap AND credential_id <> $2",
                row["user_id"],
                credential_id,
            )
            await connection.execute(
                "INSERT INTO credentials (credential_id, user_id, secret_sha256, is_bootstrap)"
                " VALUES ($1, $2, $3, true)"
                " ON CONFLICT (credential_id) DO UPDATE SET secret_sha256 = EXCLUDED.secret_sha256,"
                " user_id = EXCLUDED.user_id, api_id = NULL, is_bootstrap = true,"
                " purpose = NULL, expires_at = NULL, model_version_id = NULL",
                credential_id,
                row["user_id"],
                secret_sha256,
            )
        return _user(row)

    async def get_user(self, user_id: str) -> User | None:
        row = await self._pool.fetchrow("SELECT * FROM users WHERE user_id = $1", user_id)
        return _user(row) if row else None

    async def list_users(self, account_id: str) -> list[User]:
        rows = await self._pool.fetch("SELECT * FROM users WHERE account_id = $1 ORDER BY created_at, name", account_id)
        return [_user(row) for row in rows]

    async def add_user_credential(self, credential_id: str, user_id: str, secret_sha256: bytes) -> None:
        await self._pool.execute(
            "INSERT INTO credentials (credential_id, user_id, secret_sha256) VALUES ($1, $2, $3)",
            credential_id,
            user_id,
            secret_sha256,
        )

    async def user_credential(self, credential_id: str) -> tuple[User, bytes, datetime | None] | None:
        """The bearer token's user, stored digest and expiry (None: it does not expire)."""
        row = await self._pool.fetchrow(
            # Prediction One API keys (with a purpose) are not bearer tokens: AuthenticateExternalKey checks them.
            "SELECT u.*, c.secret_sha256, c.expires_at AS credential_expires_at"
            " FROM credentials c JOIN users u USING (user_id)"
            " WHERE c.credential_id = $1 AND c.purpose IS NULL",
            credential_id,
        )
        return (_user(row), bytes(row["secret_sha256"]), row["credential_expires_at"]) if row else None

    async def mark_used(self, credential_id: str) -> None:
        await credentials.mark_used(self._pool, credential_id)
