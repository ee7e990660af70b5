"""An inference request's JSON body, read once for every contract; each words the refusal."""

from __future__ import annotations

import orjson
from aiohttp import web


class BodyRefused(Exception):
    def __init__(self, message: str, *, too_large: bool) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large


async def read_json(request: web.Request, limit: int) -> object:
    """The parsed body; BodyRefused when it is larger than `limit` bytes or not JSON."""
    too_large = BodyRefused(f"the body is larger than {limit} bytes", too_large=True)
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise too_large from None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BodyRefused("the body is not JSON", too_large=False) from None
