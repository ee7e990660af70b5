"""The OpenAI chat contract (as W&B Inference offers it): /v1/chat/ and /v1/models, every failure
answered as OpenAI's {"error": {message, type, param, code}}."""

from __future__ import annotations

from aiohttp import web

from services.gateway.http_base.contract import Contract
from services.gateway.http_base.unreadable_requests import Unreadable
from services.gateway.openai_chat import errors
from services.gateway.openai_chat.access import ERROR_BY_REFUSAL
from services.gateway.openai_chat.routes import ROUTES
from services.runtime.logging import get_logger

log = get_logger("openai_chat")


def failure(request: web.Request, error: Exception) -> web.Response:
    if isinstance(error, errors.OpenAIError):
        log.info("chat_refused", path=request.path, status=error.status, code=error.code, message=error.message)
        return errors.error_response(error)
    # Engine and registry messages never reach the client (§7): logged with the traceback only.
    log.exception("chat_crashed", path=request.path)
    return errors.error_response(errors.server_error())


def http_error(request: web.Request, error: web.HTTPException) -> web.Response:
    if error.status == 405:
        return errors.error_response(errors.method_not_allowed(request.method, request.path))
    if error.status == 413:
        return errors.error_response(errors.request_too_large(request.client_max_size))
    return errors.error_response(errors.not_found(request.path, request.method))


def unreadable(what: Unreadable, request_id: str) -> web.Response:
    if what is Unreadable.INTERNAL:
        return errors.error_response(errors.server_error())
    return errors.error_response(
        errors.OpenAIError(what.value, "The request could not be read.", errors.INVALID_REQUEST_ERROR)
    )


CONTRACT = Contract(
    name="openai_chat",
    prefixes=("/v1/chat/", "/v1/models"),
    routes=tuple(ROUTES),
    failure=failure,
    http_error=http_error,
    unreadable=unreadable,
    refusals=ERROR_BY_REFUSAL,
)
