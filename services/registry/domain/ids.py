"""Ids are UUIDs; a malformed one is the caller's mistake, not a missing row."""

from __future__ import annotations

import uuid

from services.runtime.errors import InvalidArgument


def parse_id(value: str, what: str) -> str:
    if not value:
        raise InvalidArgument(f"{what} is required")
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidArgument(f"{what} {value!r} is not a valid id") from None
