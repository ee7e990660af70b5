"""Names people give to accounts, users, models and APIs."""

from __future__ import annotations

import re

from services.runtime.errors import InvalidArgument

MAX_NAME_LENGTH = 200
MAX_CHAT_MODEL_ID_LENGTH = 128
# Letters, digits and . _ : - in "/"-separated parts, as model ids are spelt (acme/chat-small,
# meta-llama/Llama-3.1-8B-Instruct); no empty part, so the id is one path segment's worth of meaning.
_CHAT_MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*(/[A-Za-z0-9][A-Za-z0-9._:-]*)*")


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


def require_chat_model_id(value: str) -> str:
    """The OpenAI model id a chat API is called by: what a client types, so no spaces or oddities."""
    if not value:
        raise InvalidArgument("chat_model_id is required for a chat API")
    if len(value) > MAX_CHAT_MODEL_ID_LENGTH:
        raise InvalidArgument(f"chat_model_id is longer than {MAX_CHAT_MODEL_ID_LENGTH} characters")
    if not _CHAT_MODEL_ID.fullmatch(value):
        raise InvalidArgument(
            "chat_model_id takes letters, digits and . _ : - in parts separated by single slashes,"
            " each part starting with a letter or digit (e.g. acme/chat-small)"
        )
    return value
