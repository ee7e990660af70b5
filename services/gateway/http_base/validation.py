"""Request validation against the same JSON Schemas the OpenAPI document publishes.

Only the subset of JSON Schema the gateway's schemas use is understood: type (a name or a list),
properties, required, additionalProperties: false, items, enum, pattern, minimum, maximum,
minLength, maxLength, minItems, maxItems and uniqueItems. Every problem found is reported in one
message so that a person can fix a request in one go. The rest (format, anyOf, const,
minProperties) describes what the handler or the registry checks next, in a message of its own.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from aiohttp import web

from services.gateway.errors import invalid_argument, payload_too_large
from services.gateway.http_base.schema_words import Schema

_TYPE_NAMES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def json_type(value: Any) -> str:
    """The JSON type of a parsed value, as JSON Schema names it."""
    # bool before int: in Python True is an int, in JSON it is not.
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _type_matches(actual: str, expected: str) -> bool:
    return actual == expected or (expected == "number" and actual == "integer")


def _join(where: str, key: str) -> str:
    return key if not where else f"{where}.{key}"


def problems(value: Any, schema: Schema, where: str = "", root: str = "the request body") -> list[str]:
    """Every way value breaks schema, each naming the field at fault (root names the whole value)."""
    label = f'"{where}"' if where else root
    expected = schema.get("type")
    if expected is not None:
        allowed = [expected] if isinstance(expected, str) else list(expected)
        actual = json_type(value)
        if not any(_type_matches(actual, t) for t in allowed):
            wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in allowed)
            return [f"{label} must be {wanted}, not {_TYPE_NAMES.get(actual, actual)}"]
    found: list[str] = []
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{label} must be one of {', '.join(map(str, schema['enum']))}; got {json.dumps(value)}")
    if isinstance(value, str):
        found += _string_problems(value, schema, label)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            found.append(f"{label} must be at least {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            found.append(f"{label} must be at most {schema['maximum']}")
    if isinstance(value, list):
        found += _array_problems(value, schema, where, label)
    if isinstance(value, dict):
        found += _object_problems(value, schema, where, label)
    return found


def _string_problems(value: str, schema: Schema, label: str) -> list[str]:
    found = []
    if len(value) < schema.get("minLength", 0):
        minimum = schema["minLength"]
        found.append(
            f"{label} must not be empty" if minimum == 1 else f"{label} must have at least {minimum} characters"
        )
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        found.append(f"{label} must have at most {schema['maxLength']} characters")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        hint = schema.get("description", f"match {schema['pattern']}")
        found.append(f"{label} is {json.dumps(value)}; it must be {hint}")
    return found


def _array_problems(value: list, schema: Schema, where: str, label: str) -> list[str]:
    found = []
    if len(value) < schema.get("minItems", 0):
        found.append(f"{label} must have at least {schema['minItems']} item(s)")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        found.append(f"{label} must have at most {schema['maxItems']} items")
    if schema.get("uniqueItems") and len({json.dumps(v, sort_keys=True) for v in value}) != len(value):
        found.append(f"{label} must not repeat an item")
    if "items" in schema:
        for index, item in enumerate(value):
            found += problems(item, schema["items"], f"{where}[{index}]")
    return found


def _object_problems(value: dict, schema: Schema, where: str, label: str) -> list[str]:
    found = []
    properties: dict[str, Schema] = schema.get("properties", {})
    if schema.get("additionalProperties") is False:
        unknown = [key for key in value if key not in properties]
        if unknown:
            found.append(
                f"unknown field(s) in {label}: {', '.join(map(json.dumps, unknown))}; "
                f"known fields: {', '.join(properties) or 'none'}"
            )
    missing = [key for key in schema.get("required", ()) if key not in value]
    if missing:
        found.append(f"{label} is missing required field(s): {', '.join(missing)}")
    for key, item in value.items():
        if key in properties:
            found += problems(item, properties[key], _join(where, key))
    return found


def check(value: Any, schema: Schema, where: str = "", root: str = "the request body") -> Any:
    """value, or a 400 listing every problem."""
    found = problems(value, schema, where, root)
    if found:
        raise invalid_argument("; ".join(found))
    return value


def parse_json_text(text: str | bytes, where: str) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse_constant, parse_float=json_float)
    except UnicodeDecodeError:
        raise invalid_argument(f"{where} is not UTF-8 text") from None
    except ValueError as error:
        raise invalid_argument(f"{where} is not valid JSON: {error}") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def json_float(text: str) -> int | float:
    """A JSON number with a fraction or exponent. One whose value is whole is the integer it
    equals, as JSON Schema reads it (2.0 is an integer), so it meets an integer field's checks and
    bounds rather than being refused for its spelling; one too large for a float is refused."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text[:40]} is larger than a JSON number may be here")
    return int(value) if value.is_integer() else value


async def read_json_body(request: web.Request, schema: Schema, max_bytes: int) -> dict:
    """The request's JSON object body, read up to max_bytes and checked against schema."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise payload_too_large(max_bytes, "the request body")
    raw = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        raw += chunk
        if len(raw) > max_bytes:
            raise payload_too_large(max_bytes, "the request body")
    if not raw.strip():
        raise invalid_argument("the request body is empty; send a JSON object")
    return check(parse_json_text(bytes(raw), "the request body"), schema)


def read_query(request: web.Request, schema: Schema) -> dict[str, str]:
    """The query string as a dict of strings, checked against an object schema of string fields."""
    keys = list(request.query.keys())
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise invalid_argument(f"query parameter(s) given more than once: {', '.join(repeated)}")
    return check(dict(request.query), schema, root="the query string")
