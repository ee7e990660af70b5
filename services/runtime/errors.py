"""Domain errors and the one table that maps them to gRPC status codes.

Domain code raises these; it knows nothing of gRPC or HTTP. The gRPC edge turns them into
statuses (interceptors.py) and each HTTP adapter turns statuses into its contract's error body.
"""

from __future__ import annotations

import grpc


class DomainError(Exception):
    """An error a caller can act on; its message is shown to people as it is."""

    status: grpc.StatusCode = grpc.StatusCode.UNKNOWN

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidArgument(DomainError):
    status = grpc.StatusCode.INVALID_ARGUMENT


class NotFound(DomainError):
    status = grpc.StatusCode.NOT_FOUND


class AlreadyExists(DomainError):
    status = grpc.StatusCode.ALREADY_EXISTS


class FailedPrecondition(DomainError):
    status = grpc.StatusCode.FAILED_PRECONDITION


class PermissionDenied(DomainError):
    status = grpc.StatusCode.PERMISSION_DENIED


class Unauthenticated(DomainError):
    status = grpc.StatusCode.UNAUTHENTICATED


class ResourceExhausted(DomainError):
    status = grpc.StatusCode.RESOURCE_EXHAUSTED


class Unavailable(DomainError):
    status = grpc.StatusCode.UNAVAILABLE
