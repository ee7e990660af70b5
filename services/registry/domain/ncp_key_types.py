"""NCP API access keys as the registry keeps them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class NcpKey:
    access_key: str
    account_id: str
    disabled: bool
    created_at: datetime
    last_used_at: datetime | None = None


@dataclass(frozen=True)
class SealedKey:
    key: NcpKey
    secret: str
