"""The gateway's one middleware: every request gets an id (echoed as x-request-id and carried
by each of its log lines), a log line of its own, and every failure of a route answered in that
route's contract.

One middleware rather than two: each of aiohttp's middleware layers costs every request a
coroutine and a wrapper, and inference runs through this on every call.
"""

from __future__ import annotations

import re
import time

from aiohttp import web

from services.gateway.http_base.contract import Contracts
from services.runtime.logging import REQUEST_ID_HEADER, new_request_id, request_id_var, request_line

# A caller's id is echoed into logs and headers: keep it short and free of control characters.
_ACCEPTABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


def gateway_middleware(contracts: Contracts):
    @web.middleware
    async def identified_and_answered(request: web.Request, handler) -> web.StreamResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _ACCEPTABLE_REQUEST_ID.fullmatch(given) else new_request_id()
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            try:
                response = await handler(request)
            except web.HTTPException as error:
                if error.status < 400:
                    raise
                response = contracts.of_request(request).http_error(request, error)
                if error.status == 405:
                    # RFC 9110 §15.5.6: a 405 lists the methods the URL takes, in every contract.
                    response.headers["Allow"] = ", ".join(allowed_methods(error))
            except Exception as error:  # noqa: BLE001 - each contract logs it and answers in its shape
                response = contracts.of_request(request).failure(request, error)
            response.headers[REQUEST_ID_HEADER] = request_id
            request_line(
                "http",
                {
                    "method": request.method,
                    "path": request.path,
                    "status": response.status,
                    "ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            return response
        finally:
            request_id_var.reset(token)

    return identified_and_answered


def allowed_methods(error: web.HTTPException) -> list[str]:
    return sorted(method for method in getattr(error, "allowed_methods", ()) if method != "HEAD")
