"""Request id and error middlewares: every answer carries x-request-id, every failure the JSON error body."""

from __future__ import annotations

import asyncio
import re
import time
from http import HTTPStatus

import grpc
from aiohttp import web

from services.gateway.errors import (
    GENERIC_MESSAGE,
    INTERNAL_CODE,
    GatewayError,
    error_body,
    from_rpc_error,
)
from services.gateway.nnc.contract_errors import http_error as nnc_http_error
from services.gateway.path_contracts import Contract, contract_of
from services.gateway.prediction_one.contract_errors import http_error as prediction_one_http_error
from services.runtime.logging import REQUEST_ID_HEADER, get_logger, new_request_id, request_id_var

log = get_logger("gateway")

# A caller's id is echoed into logs and headers: keep it short and free of control characters.
_ACCEPTABLE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")

# aiohttp raises these itself (routing, its own size limits); they get the same JSON body.
_CODE_BY_HTTP_STATUS = {400: "INVALID_ARGUMENT", 404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED", 413: "PAYLOAD_TOO_LARGE"}


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


@web.middleware
async def error_middleware(request: web.Request, handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except GatewayError as error:
        log.info("request_failed", method=request.method, path=request.path, status=error.status, code=error.code)
        return json_error(error.status, error.code, error.message, error.headers)
    except grpc.aio.AioRpcError as error:
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
    except web.HTTPException as error:
        if error.status < 400:
            raise
        return _from_http_exception(request, error)
    except asyncio.CancelledError:
        raise
    except Exception:  # noqa: BLE001 - logged with its traceback, answered without it
        log.exception("request_crashed", method=request.method, path=request.path)
        return json_error(500, INTERNAL_CODE, GENERIC_MESSAGE)


def _from_http_exception(request: web.Request, error: web.HTTPException) -> web.Response:
    response = _in_contract_shape(request, error)
    if error.status == 405:
        # RFC 9110 §15.5.6: a 405 lists the methods the URL takes, in every contract.
        response.headers["Allow"] = ", ".join(_allowed_methods(error))
    return response


def _in_contract_shape(request: web.Request, error: web.HTTPException) -> web.Response:
    contract = contract_of(request.path)
    if contract is Contract.PREDICTION_ONE:
        return prediction_one_http_error(error)
    if contract is Contract.NNC:
        return nnc_http_error(request, error)
    code = _CODE_BY_HTTP_STATUS.get(error.status, HTTPStatus(error.status).name)
    if error.status == 404:
        message = f"no route for {request.method} {request.path}; GET /openapi.json lists the routes"
    elif error.status == 405:
        allowed = ", ".join(_allowed_methods(error))
        message = f"{request.method} is not allowed on {request.path}; allowed: {allowed}"
    else:
        message = error.text or HTTPStatus(error.status).phrase
    return json_error(error.status, code, message)


def _allowed_methods(error: web.HTTPException) -> list[str]:
    return sorted(method for method in getattr(error, "allowed_methods", ()) if method != "HEAD")


def json_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(error_body(code, message, request_id_var.get()), status=status, headers=headers)
