"""The Prediction One contract's error answers: one table of failure → code, error, message.

Every failure answers `{"code": 4001000204, "error": "PREDA_EXTERNAL_BAD_REQUEST", "message":
"invalid_api_key."}` with the HTTP status read from the code's first three digits (the pattern
of every code the source lists). The source's messages are kept word for word; failures it does
not list use its management code with a message of our own that says what to fix.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import grpc
from aiohttp import web

from services.gateway.http_base.json_responses import json_response
from services.gateway.http_base.unreadable_requests import Unreadable
from services.gateway.rpc_details import user_message
from services.gateway.serving.refusals import Refusal
from services.runtime.status_codes import CLIENT_ACTIONABLE


@dataclass(frozen=True)
class Failure:
    code: int
    error: str
    message: str

    @property
    def status(self) -> int:
        return int(str(self.code)[:3])


BAD_REQUEST_CODE = 4001000204
BAD_REQUEST_ERROR = "PREDA_EXTERNAL_BAD_REQUEST"


def bad_request(message: str) -> Failure:
    """The management APIs' one client-error code, with the message that says what went wrong."""
    return Failure(BAD_REQUEST_CODE, BAD_REQUEST_ERROR, message)


# Management APIs (under /v1/external), the source's own messages.
INVALID_API_KEY = bad_request("invalid_api_key.")
INACTIVE_CREDENTIAL = bad_request("Inactive_credential.")
NOT_FOUND_CREDENTIAL = bad_request("Not_found_credential.")
USER_DELETED = bad_request("This user may be deleted.")
MODEL_DELETED = bad_request("This model may be deleted.")
MODEL_ID_REQUIRED = bad_request("Model id is required.")
JOB_DELETED = bad_request("This job may be deleted.")
RETRAIN_JOB_NOT_FOUND = bad_request("Not found retrain job.")
CLASSIFIER_NOT_FOUND = bad_request("Not found classifier.")
RETRAIN_NOT_FINISHED = bad_request("Retrain job is not finished.")
CONFIGURATION_MISSING = Failure(5001000201, "PREDA_EXTERNAL_INTERNAL_SERVER_ERROR", "Not found configuration_file.")
INTERNAL = Failure(5001000201, "PREDA_EXTERNAL_INTERNAL_SERVER_ERROR", "Internal server error.")
# A service the route needs (the registry, its database, the trainer) is away or did not answer in
# time: the internal error's pattern (status, then 1000201) with 503, for the caller to retry.
UNAVAILABLE = Failure(
    5031000201, "PREDA_EXTERNAL_SERVICE_UNAVAILABLE", "A service Torii depends on is unavailable; retry later."
)
NOT_ANSWERED_IN_TIME = Failure(
    5031000201, "PREDA_EXTERNAL_SERVICE_UNAVAILABLE", "A service Torii depends on did not answer in time; retry later."
)

# Refusals made before any handler runs (the method, or HTTP the gateway cannot read), with the
# management code's pattern: the HTTP status, then 1000204.
METHOD_NOT_ALLOWED = Failure(4051000204, "PREDA_EXTERNAL_METHOD_NOT_ALLOWED", "This method is not allowed on this URL.")
URL_TOO_LONG = Failure(4141000204, "PREDA_EXTERNAL_URI_TOO_LONG", "The URL is too long.")
HEADERS_TOO_LARGE = Failure(
    4311000204, "PREDA_EXTERNAL_REQUEST_HEADER_FIELDS_TOO_LARGE", "The request headers are too large or too many."
)
NOT_HTTP = bad_request("The request is not valid HTTP/1.1.")

# Inference (the classifier's URL).
NO_SUCH_CLASSIFIER = Failure(4001030101, "NOT_FOUND_CLASSIFIER", "Not found classifier in classifiers table")
INVALID_REQUEST = Failure(4001030104, "BAD_REQUEST", "Invalid request")
INVALID_KEY = Failure(4031030201, "ACCESS_DENIED", "Invalid API key")
INVALID_CLASSIFIER_ID = Failure(4031030201, "ACCESS_DENIED", "Invalid classifier id")
SOURCE_NOT_ALLOWED = Failure(4031030201, "ACCESS_DENIED", "Not allowed source ip")
NOT_RUNNING = Failure(5031030101, "SERVICE_UNAVAILABLE_ERROR", "status is not running")
QUOTA_USED_UP = Failure(4291030301, "TOO_MANY_REQUESTS", "The trial API has answered its 100 requests")
INFERENCE_FAILED = Failure(5001030401, "INTERNAL_SERVER_ERROR", "Inference failed")
SERVICE_UNAVAILABLE = Failure(5031030102, "SERVICE_UNAVAILABLE_ERROR", "Temporarily unavailable, retry later")
TIMED_OUT = Failure(5041030403, "GATEWAY_TIMEOUT", "Inference did not finish in time")

# The one table from a core refusal to this contract's answer. NOT_RUNNING's message names the
# API's status (prediction_one.inference), the others answer in the source's words only.
FAILURE_BY_REFUSAL = {
    Refusal.ADDRESS_REFUSED: SOURCE_NOT_ALLOWED,
    Refusal.INVALID_KEY: INVALID_KEY,
    Refusal.KEY_OF_ANOTHER_API: INVALID_CLASSIFIER_ID,
    Refusal.NOT_PUBLIC: NOT_RUNNING,
    Refusal.STOPPED: NOT_RUNNING,
    Refusal.OUTSIDE_SCHEDULE: NOT_RUNNING,
    Refusal.DEPLOY_FAILED: NOT_RUNNING,
    Refusal.NOT_READY: NOT_RUNNING,
    Refusal.QUOTA_USED_UP: QUOTA_USED_UP,
    Refusal.BACKEND_UNAVAILABLE: SERVICE_UNAVAILABLE,
    Refusal.TIMED_OUT: TIMED_OUT,
    Refusal.MODEL_FAILURE: INFERENCE_FAILED,
}

FAILURE_BY_UNREADABLE = {
    Unreadable.URL_TOO_LONG: URL_TOO_LONG,
    Unreadable.HEADERS_TOO_LARGE: HEADERS_TOO_LARGE,
    Unreadable.NOT_HTTP: NOT_HTTP,
    Unreadable.INTERNAL: INTERNAL,
}


@dataclass(frozen=True)
class Relayed:
    """A refusal the caller can act on: the service's own words go through as a bad request
    (services.gateway.rpc_details decides whether they are plain), else `fallback`."""

    fallback: str


# A refused gRPC call's status → this contract's failure; a status missing is our fault (500).
FAILURE_BY_RPC_STATUS: dict[grpc.StatusCode, Failure | Relayed] = {
    grpc.StatusCode.UNAUTHENTICATED: NOT_FOUND_CREDENTIAL,
    grpc.StatusCode.NOT_FOUND: Relayed("The request names something that is no longer stored."),
    **{
        code: Relayed("Bad request.")
        for code in CLIENT_ACTIONABLE - {grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.NOT_FOUND}
    },
    # A service that is away (or whose database is) or too slow: the caller may retry, so not a
    # 500. The answer is ours, not gRPC's text, which may locate the service.
    grpc.StatusCode.UNAVAILABLE: UNAVAILABLE,
    grpc.StatusCode.DEADLINE_EXCEEDED: NOT_ANSWERED_IN_TIME,
}


def failure_of_rpc(error: grpc.aio.AioRpcError) -> Failure | None:
    """The contract failure for a refused call, None for one that is our fault."""
    found = FAILURE_BY_RPC_STATUS.get(error.code())
    if isinstance(found, Relayed):
        return bad_request(user_message(error, found.fallback))
    return found


@contextlib.contextmanager
def rpc_overrides(table: Mapping[grpc.StatusCode, Failure]) -> Iterator[None]:
    """A call whose refusals a route words in its own way (`table`, status → failure); any other
    status goes on to FAILURE_BY_RPC_STATUS, through the contract's error middleware."""
    try:
        yield
    except grpc.aio.AioRpcError as error:
        found = table.get(error.code())
        if found is None:
            raise
        raise PredictionOneError(found) from None


class PredictionOneError(Exception):
    def __init__(self, failure: Failure, message: str | None = None) -> None:
        super().__init__(message or failure.message)
        self.failure = failure
        self.message = message or failure.message


def error_body(failure: Failure, message: str | None = None) -> dict:
    return {"code": failure.code, "error": failure.error, "message": message or failure.message}


def error_response(failure: Failure, message: str | None = None) -> web.Response:
    return json_response(error_body(failure, message), failure.status)


def http_error(error: web.HTTPException) -> web.Response:
    """aiohttp's own refusals (no such route, wrong method, body too large) in the contract's shape."""
    if error.status == 413:
        return error_response(bad_request("The body is too large."))
    if error.status == 405:
        return error_response(METHOD_NOT_ALLOWED)
    return error_response(bad_request("No such API: check the URL."))
