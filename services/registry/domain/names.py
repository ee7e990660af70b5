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
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        # A name ends up in HTTP headers (a download's file name), where a line break would split it.
        raise InvalidArgument(f"{what} name must not contain control characters such as line breaks")
    return value
