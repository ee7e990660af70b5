"""What a person may read of a failed gRPC call: the reason a service gave, never where it runs.

A service's refusals carry a message written for people (services.runtime.errors). A call that
failed in transport carries gRPC's own text instead: peer addresses (ipv4:127.0.0.1:50051),
resolver errors, debug strings. So do messages that name a stored file by its file:// URI. Those
are replaced by a plain reason; callers log the original with the request id.
"""

from __future__ import annotations

import re

import grpc

# Text that locates a service or a file, or is gRPC's transport diagnostics.
_INTERNAL_TEXT = re.compile(
    r"file://|\b(?:ipv4|ipv6|unix|unix-abstract|vsock|dns):|\b\d{1,3}(?:\.\d{1,3}){3}:\d+|\[[0-9A-Fa-f:.]+\]:\d+"
    r"|failed to connect|DNS resolution|debug_error_string|grpc_status|created_time",
    re.IGNORECASE,
)

UNAVAILABLE_MESSAGE = "a Torii service is unavailable; retry shortly"
TIMED_OUT_MESSAGE = "a Torii service did not answer in time; retry shortly"
_TRANSPORT_FALLBACKS = {
    grpc.StatusCode.UNAVAILABLE: UNAVAILABLE_MESSAGE,
    grpc.StatusCode.DEADLINE_EXCEEDED: TIMED_OUT_MESSAGE,
}


def shows_internals(text: str) -> bool:
    return _INTERNAL_TEXT.search(text) is not None


def user_message(error: grpc.aio.AioRpcError, fallback: str) -> str:
    """The call's details when they are a plain reason, else a plain reason for its code (or fallback)."""
    details = (error.details() or "").strip()
    if details and not shows_internals(details):
        return details
    return _TRANSPORT_FALLBACKS.get(error.code(), fallback)
