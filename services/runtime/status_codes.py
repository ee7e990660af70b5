"""The gRPC status codes of a refusal the caller can act on.

Such a refusal's message is written for the caller and goes through as it is: a service passes
on what a service it called refused, the gateway words it in the caller's contract. Any other
code is the platform's trouble, and its details stay in the logs.
"""

from __future__ import annotations

import grpc

CLIENT_ACTIONABLE: frozenset[grpc.StatusCode] = frozenset(
    {
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.ALREADY_EXISTS,
        grpc.StatusCode.FAILED_PRECONDITION,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.OUT_OF_RANGE,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
    }
)
