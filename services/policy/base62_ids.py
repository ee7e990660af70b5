"""Data Forest ids: opaque base62 strings of at most 22 characters (shared/contracts/dataforest.md §4).
Torii's ids are UUIDs; the base62 of a UUID's 128 bits fits in 22 characters, so each Torii id has one
Data Forest id, and new Data Forest ids (workspaces) are minted from uuid4 the same way."""

from __future__ import annotations

import string
import uuid

ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
MAX_LENGTH = 22


def to_base62(torii_id: str) -> str:
    number = uuid.UUID(torii_id).int
    digits = []
    while number:
        number, digit = divmod(number, 62)
        digits.append(ALPHABET[digit])
    return "".join(reversed(digits)) or "0"


def from_base62(text: str) -> str | None:
    """The Torii id a Data Forest id stands for; None when it is not one."""
    if not 1 <= len(text) <= MAX_LENGTH or any(char not in ALPHABET for char in text):
        return None
    number = 0
    for char in text:
        number = number * 62 + ALPHABET.index(char)
    if number >= 1 << 128:
        return None
    return str(uuid.UUID(int=number))
