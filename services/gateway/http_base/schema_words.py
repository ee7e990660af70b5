"""The words JSON Schemas are written in, shared by every contract's schemas: the router
validates bodies against them (http_base.validation) and the OpenAPI document publishes them."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

INT32_MAX = 2**31 - 1


def obj(properties: dict[str, Schema], required: tuple[str, ...] = (), **extra: Any) -> Schema:
    schema: Schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    return {**schema, **extra}


def string(**extra: Any) -> Schema:
    return {"type": "string", **extra}


# Python's \s (what str.strip removes) and the C0 controls and DEL that the registry refuses in names.
_NAME_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"


def nonempty(description: str) -> Schema:
    return {"type": "string", "minLength": 1, "maxLength": 200, "description": description}


def name(description: str) -> Schema:
    """A name as the registry takes it: not blank, at most 200 characters, no control characters."""
    return {
        **nonempty(f"{description}: 1 to 200 characters, not only spaces, without control characters"),
        "pattern": _NAME_PATTERN,
    }


def uuid(description: str | None = None) -> Schema:
    """An id: the registry refuses any other text with 400 and an unknown one with 404."""
    return string(format="uuid", **({"description": description} if description else {}))


def uuids(*names: str) -> dict[str, Schema]:
    """Path parameters that are ids."""
    return {key: uuid() for key in names}


def int32(minimum: int = -(2**31), description: str | None = None) -> Schema:
    schema: Schema = {"type": "integer", "minimum": minimum, "maximum": INT32_MAX}
    return {**schema, "description": description} if description else schema


def words(codec, description: str | None = None) -> Schema:
    schema: Schema = {"type": "string", "enum": list(codec.words)}
    return {**schema, "description": description} if description else schema


PRIORITY: Schema = {"type": "integer", "minimum": -1_000_000, "maximum": 1_000_000}
"""An allowlist rule's priority, as the registry bounds it in every contract that sets one."""
