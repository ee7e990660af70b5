"""The Neural Network Console contract: inference under /v1/, answered in its error shape."""

from __future__ import annotations

from aiohttp import web

from services.gateway.http_base.contract import Contract
from services.gateway.http_base.unreadable_requests import Unreadable
from services.gateway.nnc import contract_errors as failures
from services.gateway.nnc.routes import ROUTES
from services.runtime.logging import get_logger, request_id_var

log = get_logger("nnc")


def failure(request: web.Request, error: Exception) -> web.Response:
    if isinstance(error, failures.NncError):
        log.info("inference_refused", path=request.path, code=error.failure.code, message=error.message)
        return failures.error_response(error.failure, error.message, request_id_var.get())
    log.exception("inference_crashed", path=request.path)
    return failures.error_response(failures.INTERNAL, failures.INTERNAL.message, request_id_var.get())


def unreadable(what: Unreadable, request_id: str) -> web.Response:
    found = failures.FAILURE_BY_UNREADABLE[what]
    return failures.error_response(found, found.message, request_id)


CONTRACT = Contract(
    name="nnc",
    # Every path under it answers in this contract's error shape, unknown ones included.
    prefixes=("/v1/",),
    routes=tuple(ROUTES),
    failure=failure,
    http_error=failures.http_error,
    unreadable=unreadable,
    refusals=failures.FAILURE_BY_REFUSAL,
)
