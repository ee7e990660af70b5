"""The request-id middleware: every answer carries x-request-id, and every log line of a request its id."""

from __future__ import annotations

import re
import time

from aiohttp import web

from services.runtime.logging import REQUEST_ID_HEADER, get_logger, new_request_id, request_id_var

log = get_logger("gateway")

# A caller's id is echoed into logs and headers: keep it short and free of control characters.
_ACCEPTABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


@web.middleware
async def request_id_middleware(request: web.Request, handler) -> web.StreamResponse:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    request_id = given if _ACCEPTABLE_REQUEST_ID.fullmatch(given) else new_request_id()
    token = request_id_var.set(request_id)
    started = time.perf_counter()
    try:
        response = await handler(request)
        response.headers[REQUEST_ID_HEADER] = request_id
        log.info(
            "http",
            method=request.method,
            path=request.path,
            status=response.status,
            ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return response
    finally:
        request_id_var.reset(token)
