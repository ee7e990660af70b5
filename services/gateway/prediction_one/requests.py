"""Reading a Prediction One request: query values and JSON bodies, refused in the contract's shape."""

from __future__ import annotations

import json

from aiohttp import web

from services.gateway.prediction_one.contract_errors import PredictionOneError, bad_request

DEFAULT_LIMIT = 30
MAX_LIMIT = 1000


def query_text(request: web.Request, name: str, *, required: bool = True) -> str:
    value = request.query.get(name, "").strip()
    if required and not value:
        raise PredictionOneError(bad_request(f"The query parameter {name} is required."))
    return value


def query_int(request: web.Request, name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
    text = request.query.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise PredictionOneError(bad_request(f"The query parameter {name} must be an integer.")) from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f"at least {minimum}"
        raise PredictionOneError(bad_request(f"The query parameter {name} must be {bound}."))
    return value


def path_int(request: web.Request, name: str, what: str) -> int:
    try:
        return int(request.match_info[name])
    except ValueError:
        raise PredictionOneError(bad_request(f"{what} must be an integer.")) from None


async def json_body(request: web.Request, max_bytes: int) -> dict:
    if request.content_length is not None and request.content_length > max_bytes:
        raise PredictionOneError(bad_request(f"The body is larger than the limit of {max_bytes} bytes."))
    raw = await request.content.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise PredictionOneError(bad_request(f"The body is larger than the limit of {max_bytes} bytes."))
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise PredictionOneError(bad_request("The body is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise PredictionOneError(bad_request("The body must be a JSON object."))
    return body
