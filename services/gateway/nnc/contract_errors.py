"""The NNC contract's error answers: one table of what failed → HTTP status, code, error, message.

Every failure on an inference route answers

    {"code": "4031020301", "error": "ACCESS_DENIED", "message": "Invalid API key",
     "data": {"request_id": "<id>"}}

The source fixes only that first row and three messages ("Invalid API key", "Invalid request",
"Can not publish api"). The other codes follow its pattern: the HTTP status, "1020", then a
number of our own per cause. Messages that add detail keep the source's words first, so a client
that matches on them still does.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from services.gateway.http_base.json_responses import json_response
from services.gateway.http_base.unreadable_requests import Unreadable
from services.gateway.serving.refusals import Refusal
from services.runtime.logging import request_id_var


@dataclass(frozen=True)
class Failure:
    status: int
    code: str
    error: str
    message: str


class NncError(Exception):
    def __init__(self, failure: Failure, detail: str = "") -> None:
        super().__init__(failure.message)
        self.failure = failure
        self.message = f"{failure.message}: {detail}" if detail else failure.message


INVALID_API_KEY = Failure(403, "4031020301", "ACCESS_DENIED", "Invalid API key")
ADDRESS_REFUSED = Failure(403, "4031020302", "ACCESS_DENIED", "Access from this address is not allowed")
INVALID_REQUEST = Failure(400, "4001020101", "INVALID_REQUEST", "Invalid request")
REQUEST_TOO_LARGE = Failure(413, "4131020102", "INVALID_REQUEST", "Invalid request")
NO_SUCH_API = Failure(404, "4041020001", "NOT_FOUND", "No API is published at this URL")
QUOTA_USED_UP = Failure(429, "4291020401", "QUOTA_EXCEEDED", "Can not publish api")
NOT_ENABLED = Failure(503, "5031020501", "API_NOT_ENABLED", "API is not enabled")
OUTSIDE_SCHEDULE = Failure(503, "5031020502", "API_NOT_ENABLED", "API is outside its schedule")
NOT_READY = Failure(503, "5031020503", "API_NOT_READY", "API is temporarily unavailable, retry later")
DEPLOY_FAILED = Failure(503, "5031020504", "API_NOT_READY", "API could not be deployed")
BACKEND_UNAVAILABLE = Failure(503, "5031020601", "TEMPORARILY_UNAVAILABLE", "Temporarily unavailable, retry later")
MODEL_FAILURE = Failure(500, "5001020602", "INFERENCE_FAILED", "Inference failed")
TIMED_OUT = Failure(504, "5041020603", "INFERENCE_TIMEOUT", "Inference did not finish in time")
WRONG_METHOD = Failure(405, "4051020002", "METHOD_NOT_ALLOWED", "Inference takes POST")
INTERNAL = Failure(500, "5001020999", "INTERNAL_ERROR", "Internal error, retry later")


def error_response(failure: Failure, message: str, request_id: str) -> web.Response:
    body = {"code": failure.code, "error": failure.error, "message": message, "data": {"request_id": request_id}}
    return json_response(body, failure.status)


# The one table from a core refusal to this contract's answer.
FAILURE_BY_REFUSAL = {
    Refusal.ADDRESS_REFUSED: ADDRESS_REFUSED,
    Refusal.INVALID_KEY: INVALID_API_KEY,
    Refusal.KEY_OF_ANOTHER_API: INVALID_API_KEY,
    Refusal.NOT_PUBLIC: NOT_ENABLED,
    Refusal.STOPPED: NOT_ENABLED,
    Refusal.OUTSIDE_SCHEDULE: OUTSIDE_SCHEDULE,
    Refusal.DEPLOY_FAILED: DEPLOY_FAILED,
    Refusal.NOT_READY: NOT_READY,
    Refusal.QUOTA_USED_UP: QUOTA_USED_UP,
    Refusal.BACKEND_UNAVAILABLE: BACKEND_UNAVAILABLE,
    Refusal.TIMED_OUT: TIMED_OUT,
    Refusal.MODEL_FAILURE: MODEL_FAILURE,
}

# Requests the HTTP parser refuses; the codes follow the table's pattern (HTTP status, 1020, a
# cause number of our own).
FAILURE_BY_UNREADABLE = {
    Unreadable.URL_TOO_LONG: Failure(414, "4141020003", "INVALID_REQUEST", "Invalid request: the URL is too long"),
    Unreadable.HEADERS_TOO_LARGE: Failure(
        431, "4311020004", "INVALID_REQUEST", "Invalid request: the headers are too large or too many"
    ),
    Unreadable.NOT_HTTP: Failure(400, "4001020005", "INVALID_REQUEST", "Invalid request: not valid HTTP/1.1"),
    Unreadable.INTERNAL: INTERNAL,
}


def http_error(request: web.Request, error: web.HTTPException) -> web.Response:
    """aiohttp's own refusals (no such route, wrong method) on a contract path, in its shape."""
    failure = WRONG_METHOD if error.status == 405 else NO_SUCH_API
    return error_response(failure, failure.message, request_id_var.get())
