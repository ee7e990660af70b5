"""The Prediction One contract: its management APIs under /v1/external and inference under
/v1/groups, every failure answered in its shape (contract_errors)."""

from __future__ import annotations

import grpc
from aiohttp import web

from services.gateway.http_base.contract import Contract
from services.gateway.http_base.unreadable_requests import Unreadable
from services.gateway.prediction_one import contract_errors as failures
from services.gateway.prediction_one.routes import ROUTES
from services.runtime.logging import get_logger

log = get_logger("prediction_one")


def failure(request: web.Request, error: Exception) -> web.Response:
    if isinstance(error, failures.PredictionOneError):
        log.info("request_refused", path=request.path, code=error.failure.code, message=error.message)
        return failures.error_response(error.failure, error.message)
    if isinstance(error, grpc.aio.AioRpcError):
        return _rpc_failure(request, error)
    log.exception("request_crashed", path=request.path)
    return failures.error_response(failures.INTERNAL)


def _rpc_failure(request: web.Request, error: grpc.aio.AioRpcError) -> web.Response:
    found = failures.failure_of_rpc(error)
    if found is None:
        log.error("backend_call_failed", path=request.path, code=error.code().name, details=error.details())
        return failures.error_response(failures.INTERNAL)
    # A service away is the platform's trouble, worth a warning; a refusal is the caller's.
    report = log.warning if found.status >= 500 else log.info
    report("request_refused", path=request.path, code=found.code, message=found.message, details=error.details())
    return failures.error_response(found)


def http_error(request: web.Request, error: web.HTTPException) -> web.Response:
    return failures.http_error(error)


def unreadable(what: Unreadable, request_id: str) -> web.Response:
    return failures.error_response(failures.FAILURE_BY_UNREADABLE[what])


CONTRACT = Contract(
    name="prediction_one",
    prefixes=("/v1/external/", "/v1/groups/"),
    routes=tuple(ROUTES),
    failure=failure,
    http_error=http_error,
    unreadable=unreadable,
    refusals=failures.FAILURE_BY_REFUSAL,
    rpc_failures=failures.FAILURE_BY_RPC_STATUS,
)
