"""The values console passwords and sessions are made of (services.registry.domain.console_sessions)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from services.registry.domain.types import User


@dataclass(frozen=True)
class StoredPassword:
    hash: str
    must_change: bool
    failed_sign_ins: int
    refused_until: datetime | None


@dataclass(frozen=True)
class ConsoleSession:
    session_id: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class StoredSession:
    session: ConsoleSession
    user: User
    secret_digest: bytes
    csrf_digest: bytes
    must_change_password: bool


@dataclass(frozen=True)
class OpenedSession:
    """A new session's tokens in clear, returned once."""

    user: User
    session_token: str
    csrf_token: str
    expires_at: datetime
    must_change_password: bool


@dataclass(frozen=True)
class SignedIn:
    user: User
    must_change_password: bool
    expires_at: datetime


@dataclass(frozen=True)
class SessionLifetime:
    absolute: timedelta
    idle: timedelta


class BootstrapPassword(StrEnum):
    SET = "set"
    KEPT = "kept"
    """The admin still has this password and must change it: nothing to do."""
    CHANGED_BY_ADMIN = "changed_by_admin"
    """The admin chose their own: the launcher's is not theirs any more."""
