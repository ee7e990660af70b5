"""Names people give to accounts, users, models and APIs."""

from __future__ import annotations

from services.runtime.errors import InvalidArgument

MAX_NAME_LENGTH = 200


def require_name(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidArgument(f"{what} name is required")
    if len(value) > MAX_NAME_LENGTH:
        raise InvalidArgument(f"{what} name is longer than {MAX_NAME_LENGTH} characters")
    return value
