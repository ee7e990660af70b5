"""The gateway's own contract: the management API (/manage/v1), the probes, and every path no
other contract claims. Its error body and status table are services.gateway.errors'."""

from __future__ import annotations

from http import HTTPStatus

import grpc
from aiohttp import web

from services.gateway.errors import (
    GENERIC_MESSAGE,
    HTTP_STATUS_BY_GRPC_CODE,
    INTERNAL_CODE,
    GatewayError,
    error_body,
    from_rpc_error,
)
from services.gateway.http_base.contract import Contract
from services.gateway.http_base.middleware import allowed_methods
from services.gateway.http_base.unreadable_requests import MAX_HEADER_BYTES, MAX_HEADERS, MAX_URL_BYTES, Unreadable
from services.gateway.management import (
    api_events,
    apis,
    chat_keys,
    credentials,
    hugging_face_models,
    models,
    ncp_keys,
    sessions,
    training,
    training_actions,
    training_jobs,
    users,
    workspaces,
)
from services.runtime.logging import get_logger, request_id_var

log = get_logger("gateway")

# aiohttp raises these itself (routing, its own size limits); they get the same JSON body.
_CODE_BY_HTTP_STATUS = {400: "INVALID_ARGUMENT", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}

_UNREADABLE = {
    Unreadable.URL_TOO_LONG: (
        "REQUEST_URI_TOO_LONG",
        f"the request line is longer than {MAX_URL_BYTES} bytes; shorten the URL",
    ),
    Unreadable.HEADERS_TOO_LARGE: (
        "REQUEST_HEADER_FIELDS_TOO_LARGE",
        f"a request takes at most {MAX_HEADERS} headers of at most {MAX_HEADER_BYTES} bytes each",
    ),
    Unreadable.NOT_HTTP: (
        "INVALID_ARGUMENT",
        "the request is not valid HTTP/1.1 (a malformed request line, or a header with a forbidden character)",
    ),
    Unreadable.INTERNAL: (INTERNAL_CODE, GENERIC_MESSAGE),
}


def json_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(error_body(code, message, request_id_var.get()), status=status, headers=headers)


def failure(request: web.Request, error: Exception) -> web.Response:
    if isinstance(error, GatewayError):
        log.info("request_failed", method=request.method, path=request.path, status=error.status, code=error.code)
        return json_error(error.status, error.code, error.message, error.headers)
    if isinstance(error, grpc.aio.AioRpcError):
        return _rpc_failure(request, error)
    log.exception("request_crashed", method=request.method, path=request.path)
    return json_error(500, INTERNAL_CODE, GENERIC_MESSAGE)


def _rpc_failure(request: web.Request, error: grpc.aio.AioRpcError) -> web.Response:
    mapped = from_rpc_error(error)
    if mapped is None:
        log.error(
            "registry_call_failed",
            method=request.method,
            path=request.path,
            code=error.code().name,
            details=error.details(),
        )
        return json_error(500, INTERNAL_CODE, GENERIC_MESSAGE)
    log.info(
        "request_failed",
        method=request.method,
        path=request.path,
        status=mapped.status,
        code=mapped.code,
        details=error.details(),
    )
    return json_error(mapped.status, mapped.code, mapped.message)


def http_error(request: web.Request, error: web.HTTPException) -> web.Response:
    code = _CODE_BY_HTTP_STATUS.get(error.status, HTTPStatus(error.status).name)
    if error.status == 404:
        message = f"no route for {request.method} {request.path}; GET /openapi.json lists the routes"
    elif error.status == 405:
        allowed = ", ".join(allowed_methods(error))
        message = f"{request.method} is not allowed on {request.path}; allowed: {allowed}"
    else:
        message = error.text or HTTPStatus(error.status).phrase
    return json_error(error.status, code, message)


def unreadable(what: Unreadable, request_id: str) -> web.Response:
    code, message = _UNREADABLE[what]
    return web.json_response(error_body(code, message, request_id), status=what.value)


CONTRACT = Contract(
    name="management",
    prefixes=(),
    routes=(
        *models.ROUTES,
        *hugging_face_models.ROUTES,
        *api_events.ROUTES,
        *apis.ROUTES,
        *users.ROUTES,
        *sessions.ROUTES,
        *credentials.ROUTES,
        *chat_keys.ROUTES,
        *ncp_keys.ROUTES,
        *workspaces.ROUTES,
        *training_jobs.ROUTES,
        *training_actions.ROUTES,
        *training.ROUTES,
    ),
    failure=failure,
    http_error=http_error,
    unreadable=unreadable,
    rpc_failures=HTTP_STATUS_BY_GRPC_CODE,
)
