"""Every Prediction One handler answers failures in the contract's shape: this wrapper maps them."""

from __future__ import annotations

import asyncio
import functools

import grpc
from aiohttp import web

from services.gateway.prediction_one import contract_errors as failures
from services.gateway.prediction_one.contract_errors import PredictionOneError, error_response
from services.gateway.routing import Call
from services.gateway.rpc_details import user_message
from services.runtime.logging import get_logger

log = get_logger("prediction_one")

# Refusals whose message the caller can act on; the registry's and trainer's words go through.
_CLIENT_CODES = {
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.FAILED_PRECONDITION,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.ALREADY_EXISTS,
    grpc.StatusCode.PERMISSION_DENIED,
    grpc.StatusCode.OUT_OF_RANGE,
    grpc.StatusCode.RESOURCE_EXHAUSTED,
}
# A service that is away (or whose database is) or too slow: the caller may retry, so not a 500.
# The answer is ours, not gRPC's text, which may locate the service.
_RETRY_LATER = {
    grpc.StatusCode.UNAVAILABLE: failures.UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED: failures.NOT_ANSWERED_IN_TIME,
}


def rpc_failure(error: grpc.aio.AioRpcError) -> failures.Failure | None:
    """The contract failure for a refused call, None for one that is our fault."""
    if error.code() == grpc.StatusCode.NOT_FOUND:
        return failures.bad_request(user_message(error, "The request names something that is no longer stored."))
    if error.code() in _CLIENT_CODES:
        return failures.bad_request(user_message(error, "Bad request."))
    if error.code() == grpc.StatusCode.UNAUTHENTICATED:
        return failures.NOT_FOUND_CREDENTIAL
    return _RETRY_LATER.get(error.code())


def contract_handler(handler):
    @functools.wraps(handler)
    async def answer(call: Call) -> web.StreamResponse:
        try:
            return await handler(call)
        except PredictionOneError as error:
            log.info("request_refused", path=call.request.path, code=error.failure.code, message=error.message)
            return error_response(error.failure, error.message)
        except grpc.aio.AioRpcError as error:
            failure = rpc_failure(error)
            if failure is None:
                log.error(
                    "backend_call_failed", path=call.request.path, code=error.code().name, details=error.details()
                )
                return error_response(failures.INTERNAL)
            # A service away is the platform's trouble, worth a warning; a refusal is the caller's.
            report = log.warning if failure.status >= 500 else log.info
            report(
                "request_refused",
                path=call.request.path,
                code=failure.code,
                message=failure.message,
                details=error.details(),
            )
            return error_response(failure)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - logged with its traceback, answered without it
            log.exception("request_crashed", path=call.request.path)
            return error_response(failures.INTERNAL)

    return answer
