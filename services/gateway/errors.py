"""The management API's errors: one table from gRPC status to HTTP status, and the JSON body.

Every failure of the management API (and of /readyz) answers with the HTTP status from the
table below and this body:

    {"error": {"code": "INVALID_ARGUMENT", "message": "<text a person understands>", "request_id": "<id>"}}

`code` is the gRPC status name for errors the registry reports, or one of the gateway's own
codes for failures that never reach the registry (NOT_FOUND and METHOD_NOT_ALLOWED for routes,
PAYLOAD_TOO_LARGE for oversize bodies). Unknown failures answer 500 INTERNAL with a generic
message; their details go to the log only. So do a gRPC failure's details that show internal
addresses or file paths (services.gateway.rpc_details).
"""

from __future__ import annotations

from http import HTTPStatus

import grpc

from services.gateway.rpc_details import user_message
from services.runtime.status_codes import CLIENT_ACTIONABLE

# The one place where a gRPC status becomes an HTTP status. Anything missing is a 500.
_CLIENT_STATUS: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
}
HTTP_STATUS_BY_GRPC_CODE: dict[grpc.StatusCode, int] = {
    **{code: _CLIENT_STATUS[code] for code in CLIENT_ACTIONABLE},
    # A service away or too slow: the caller may retry.
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}

INTERNAL_CODE = "INTERNAL"
GENERIC_MESSAGE = "internal error; the gateway's log has the details under this request id"


class GatewayError(Exception):
    """A failure the gateway answers itself, with the HTTP status and code it should carry."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def invalid_argument(message: str) -> GatewayError:
    return GatewayError(400, grpc.StatusCode.INVALID_ARGUMENT.name, message)


def unauthenticated(message: str) -> GatewayError:
    # RFC 6750: a 401 names the scheme the client should use.
    return GatewayError(401, grpc.StatusCode.UNAUTHENTICATED.name, message, {"WWW-Authenticate": "Bearer"})


def payload_too_large(limit_bytes: int, what: str) -> GatewayError:
    return GatewayError(413, "PAYLOAD_TOO_LARGE", f"{what} is larger than the limit of {limit_bytes} bytes")


def unavailable(message: str) -> GatewayError:
    return GatewayError(503, grpc.StatusCode.UNAVAILABLE.name, message)


def from_rpc_error(error: grpc.aio.AioRpcError) -> GatewayError | None:
    """The registry's error in HTTP terms, or None when its code is not one a caller can act on."""
    status = HTTP_STATUS_BY_GRPC_CODE.get(error.code())
    if status is None:
        return None
    return GatewayError(status, error.code().name, user_message(error, HTTPStatus(status).phrase))


def error_body(code: str, message: str, request_id: str) -> dict:
    return {"error": {"code": code, "message": message, "request_id": request_id}}
