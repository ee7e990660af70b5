"""The web console's contract: its routes under /console, every failure answered as an HTML page."""

from __future__ import annotations

from http import HTTPStatus

from aiohttp import web

from services.gateway.console.error_page import error_page
from services.gateway.console.routes import ROUTES, AssetNotFound
from services.gateway.errors import GENERIC_MESSAGE
from services.gateway.http_base.contract import Contract
from services.gateway.http_base.unreadable_requests import Unreadable
from services.runtime.logging import get_logger, request_id_var

log = get_logger("console")

_UNREADABLE = {
    Unreadable.URL_TOO_LONG: "The address is too long.",
    Unreadable.HEADERS_TOO_LARGE: "The request's headers are too large.",
    Unreadable.NOT_HTTP: "The request is not valid HTTP/1.1.",
    Unreadable.INTERNAL: GENERIC_MESSAGE,
}


def failure(request: web.Request, error: Exception) -> web.Response:
    if isinstance(error, AssetNotFound):
        log.info("console_asset_not_found", path=request.path)
        return error_page(404, str(error), request_id_var.get())
    log.exception("console_crashed", method=request.method, path=request.path)
    return error_page(500, GENERIC_MESSAGE, request_id_var.get())


def http_error(request: web.Request, error: web.HTTPException) -> web.Response:
    if error.status == 404:
        message = f"There is no page at {request.path}."
    elif error.status == 405:
        message = f"{request.method} is not allowed here."
    else:
        message = error.text or HTTPStatus(error.status).phrase
    return error_page(error.status, message, request_id_var.get())


def unreadable(what: Unreadable, request_id: str) -> web.Response:
    return error_page(what.value, _UNREADABLE[what], request_id)


CONTRACT = Contract(
    name="console",
    prefixes=("/console",),
    routes=ROUTES,
    failure=failure,
    http_error=http_error,
    unreadable=unreadable,
)
