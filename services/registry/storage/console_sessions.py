"""Console passwords (user_passwords) and sessions (console_sessions): the only SQL that touches them."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from services.registry.domain.console_session_types import ConsoleSession, StoredPassword, StoredSession
from services.registry.domain.types import Role, User

# A session's last use is written at most this often, so authenticating is not a write per request.
SEEN_RECORDED_EVERY = "1 minute"
_USER_COLUMNS = "u.user_id, u.account_id, u.name, u.role, u.created_at"


def _user(row) -> User:
    return User(str(row["user_id"]), str(row["account_id"]), row["name"], Role(row["role"]), row["created_at"])


class ConsoleSessionStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def users_named(self, user_name: str, account_name: str | None) -> list[User]:
        rows = await self._pool.fetch(
            f"SELECT {_USER_COLUMNS} FROM users u JOIN accounts a USING (account_id)"
            " WHERE u.name = $1 AND ($2::text IS NULL OR a.name = $2) ORDER BY u.created_at",
            user_name,
            account_name,
        )
        return [_user(row) for row in rows]

    async def password(self, user_id: str) -> StoredPassword | None:
        row = await self._pool.fetchrow(
            "SELECT hash, must_change, failed_sign_ins, refused_until FROM user_passwords WHERE user_id = $1", user_id
        )
        if row is None:
            return None
        return StoredPassword(row["hash"], row["must_change"], row["failed_sign_ins"], row["refused_until"])

    async def set_password(
        self, user_id: str, password_hash: str, must_change: bool, now: datetime, replacing: str | None = None
    ) -> bool:
        async with self._pool.acquire() as connection, connection.transaction():
            written = await connection.fetchval(
                "INSERT INTO user_passwords (user_id, hash, must_change, set_at) VALUES ($1, $2, $3, $4)"
                " ON CONFLICT (user_id) DO UPDATE SET hash = EXCLUDED.hash, must_change = EXCLUDED.must_change,"
                " set_at = EXCLUDED.set_at, failed_sign_ins = 0, refused_until = NULL"
                " WHERE $5::text IS NULL OR user_passwords.hash = $5"
                " RETURNING true",
                user_id,
                password_hash,
                must_change,
                now,
                replacing,
            )
            if not written:
                return False
            await connection.execute("DELETE FROM console_sessions WHERE user_id = $1", user_id)
        return True

    async def rehash(self, user_id: str, old_hash: str, new_hash: str) -> None:
        await self._pool.execute(
            "UPDATE user_passwords SET hash = $3 WHERE user_id = $1 AND hash = $2", user_id, old_hash, new_hash
        )

    async def record_failure(self, user_id: str, limit: int, refused_until: datetime) -> None:
        # The right-hand sides read the row as it was before this update.
        await self._pool.execute(
            "UPDATE user_passwords SET"
            " failed_sign_ins = CASE WHEN failed_sign_ins + 1 >= $2 THEN 0 ELSE failed_sign_ins + 1 END,"
            " refused_until = CASE WHEN failed_sign_ins + 1 >= $2 THEN $3 ELSE refused_until END"
            " WHERE user_id = $1",
            user_id,
            limit,
            refused_until,
        )

    async def open_session(
        self, session: ConsoleSession, secret_digest: bytes, csrf_digest: bytes, keep_at_most: int, idle_since: datetime
    ) -> None:
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "UPDATE user_passwords SET failed_sign_ins = 0, refused_until = NULL WHERE user_id = $1",
                session.user_id,
            )
            await connection.execute(
                "INSERT INTO console_sessions"
                " (session_id, user_id, secret_digest, csrf_digest, created_at, expires_at, last_seen_at)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7)",
                session.session_id,
                session.user_id,
                secret_digest,
                csrf_digest,
                session.created_at,
                session.expires_at,
                session.last_seen_at,
            )
            await connection.execute(
                "DELETE FROM console_sessions WHERE user_id = $1 AND (expires_at <= $2 OR last_seen_at <= $3)",
                session.user_id,
                session.created_at,
                idle_since,
            )
            await connection.execute(
                "DELETE FROM console_sessions WHERE session_id IN ("
                "  SELECT session_id FROM console_sessions WHERE user_id = $1"
                "  ORDER BY created_at DESC, session_id OFFSET $2)",
                session.user_id,
                keep_at_most,
            )

    async def session(self, session_id: str) -> StoredSession | None:
        row = await self._pool.fetchrow(
            "SELECT s.session_id, s.secret_digest, s.csrf_digest, s.created_at AS session_created_at,"
            f" s.expires_at, s.last_seen_at, coalesce(p.must_change, false) AS must_change, {_USER_COLUMNS}"
            " FROM console_sessions s JOIN users u USING (user_id) LEFT JOIN user_passwords p USING (user_id)"
            " WHERE s.session_id = $1",
            session_id,
        )
        if row is None:
            return None
        session = ConsoleSession(
            str(row["session_id"]),
            str(row["user_id"]),
            row["session_created_at"],
            row["expires_at"],
            row["last_seen_at"],
        )
        return StoredSession(
            session, _user(row), bytes(row["secret_digest"]), bytes(row["csrf_digest"]), row["must_change"]
        )

    async def touch(self, session_id: str, now: datetime) -> None:
        await self._pool.execute(
            "UPDATE console_sessions SET last_seen_at = $2"
            f" WHERE session_id = $1 AND last_seen_at < $2::timestamptz - interval '{SEEN_RECORDED_EVERY}'",
            session_id,
            now,
        )

    async def close_session(self, session_id: str) -> None:
        await self._pool.execute("DELETE FROM console_sessions WHERE session_id = $1", session_id)
