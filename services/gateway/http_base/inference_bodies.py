"""An inference request's JSON body, read once for every contract; each words the refusal.

Small bodies (up to LARGE_BODY_BYTES) are read and parsed on the event loop, which takes well
under a millisecond. A larger one (or one of unknown length) first takes one of the gateway's
large-body slots (InferenceRuntime.large_bodies) and keeps it while it is read, parsed in a
thread, and used: parsed JSON numbers take several times the body's size, so the bound on slots
is the bound on that memory, and eight 32 MB bodies parsed on the loop one after another once
held every other request for seconds. A body that finds no free slot within the call's time
limit is refused as BACKEND_UNAVAILABLE, each contract's "retry later": waiting (rather than
refusing at once) is what a client sending one large request expects, within the time it
already allows the call.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import orjson
from aiohttp import web

from services.gateway.app_keys import RUNTIME
from services.gateway.serving.admission import SERVERLESS_TIMEOUT_S
from services.gateway.serving.off_loop import off_the_loop
from services.gateway.serving.refusals import Refusal, Refused

LARGE_BODY_BYTES = 64 * 1024

BUSY_BODIES = "the gateway is busy with other large requests"


class BodyRefused(Exception):
    def __init__(self, message: str, *, too_large: bool) -> None:
        super().__init__(message)
        self.message = message
        self.too_large = too_large


def is_large(request: web.Request) -> bool:
    """Whether the body takes a large-body slot: over LARGE_BODY_BYTES, or of unknown length."""
    return request.content_length is None or request.content_length > LARGE_BODY_BYTES


@contextlib.asynccontextmanager
async def json_body(request: web.Request, limit: int, *, wait_s: float = SERVERLESS_TIMEOUT_S) -> AsyncIterator[object]:
    """The parsed body, for the block, which a large body's slot outlasts: a caller that turns
    the body into something compact (tensors) does so inside the block, within the bound.

    BodyRefused when the body is larger than `limit` bytes or not JSON; Refused
    (BACKEND_UNAVAILABLE) when it is large and no slot frees within `wait_s` seconds.
    """
    async with raw_body(request, limit, wait_s=wait_s) as raw:
        yield (
            await off_the_loop(request.app[RUNTIME], wait_s, parse_json, raw) if is_large(request) else parse_json(raw)
        )


@contextlib.asynccontextmanager
async def raw_body(request: web.Request, limit: int, *, wait_s: float = SERVERLESS_TIMEOUT_S) -> AsyncIterator[bytes]:
    """The body's bytes, for a caller that parses them elsewhere (a worker process); a large
    body's slot lasts the block, as json_body's does. The same refusals as json_body."""
    if not is_large(request):
        yield await small_body(request, limit)
        return
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    slots = request.app[RUNTIME].large_bodies
    if not await slots.acquire(wait_s):
        raise Refused(Refusal.BACKEND_UNAVAILABLE, BUSY_BODIES)
    try:
        yield await _read(request, limit)
    finally:
        slots.release()


async def small_body(request: web.Request, limit: int) -> bytes:
    """The bytes of a body that is not large (is_large), read at once: no slot, no block to hold
    it, which costs every small inference less. BodyRefused when it is larger than `limit`."""
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    return await _read(request, limit)


async def read_json(request: web.Request, limit: int, *, wait_s: float = SERVERLESS_TIMEOUT_S) -> object:
    """The parsed body, for a caller whose use of it is cheap (a large body's slot ends here)."""
    async with json_body(request, limit, wait_s=wait_s) as body:
        return body


def _too_large(limit: int) -> BodyRefused:
    return BodyRefused(f"the body is larger than {limit} bytes", too_large=True)


READ_CHUNK_BYTES = 64 * 1024


async def _read(request: web.Request, limit: int) -> bytes:
    """The whole body, refused past `limit` as it arrives: a body of unknown length (chunked) is
    not buffered up to the application's larger client_max_size first."""
    if request.content_length is not None:
        try:
            return await request.read()
        except web.HTTPRequestEntityTooLarge:
            raise _too_large(limit) from None
    body = bytearray()
    async for chunk in request.content.iter_chunked(READ_CHUNK_BYTES):
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)


def parse_json(raw: bytes) -> object:
    """The JSON of a body; BodyRefused when it is not JSON."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BodyRefused("the body is not JSON", too_large=False) from None
