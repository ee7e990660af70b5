"""Reading a Prediction One request: query values and JSON bodies, refused in the contract's shape."""

from __future__ import annotations

import json

from aiohttp import web

from services.gateway.http_base.validation import json_float
from services.gateway.prediction_one.contract_errors import PredictionOneError, bad_request

DEFAULT_LIMIT = 30
MAX_LIMIT = 1000
_CHUNK_BYTES = 64 * 1024


def query_text(request: web.Request, name: str, *, required: bool = True) -> str:
    value = request.query.get(name, "").strip()
    if required and not value:
        raise PredictionOneError(bad_request(f"The query parameter {name} is required."))
    return value


# Ids and counts travel as protobuf int64: a larger number must be refused here, not crash there.
INT64_MAX = 2**63 - 1


def query_int(request: web.Request, name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    text = request.query.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise PredictionOneError(bad_request(f"The query parameter {name} must be an integer.")) from None
    maximum = INT64_MAX if maximum is None else maximum
    if not minimum <= value <= maximum:
        raise PredictionOneError(bad_request(f"The query parameter {name} must be between {minimum} and {maximum}."))
    return value


def path_int(request: web.Request, name: str, what: str) -> int:
    try:
        value = int(request.match_info[name])
    except ValueError:
        raise PredictionOneError(bad_request(f"{what} must be an integer.")) from None
    if not 0 <= value <= INT64_MAX:
        raise PredictionOneError(bad_request(f"{what} must be between 0 and {INT64_MAX}."))
    return value


def whole_number(value: object) -> int | None:
    """A JSON number or a string of ASCII digits as an int, else None (true/false are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        return None
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() else None


async def json_body(request: web.Request, max_bytes: int) -> dict:
    too_large = PredictionOneError(bad_request(f"The body is larger than the limit of {max_bytes} bytes."))
    if request.content_length is not None and request.content_length > max_bytes:
        raise too_large
    # One read returns only what has arrived so far: keep reading to the end of the body.
    raw = bytearray()
    async for chunk in request.content.iter_chunked(_CHUNK_BYTES):
        raw += chunk
        if len(raw) > max_bytes:
            raise too_large
    try:
        body = json.loads(raw or b"{}", parse_float=json_float)
    except (ValueError, UnicodeDecodeError):
        raise PredictionOneError(bad_request("The body is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise PredictionOneError(bad_request("The body must be a JSON object."))
    return body
