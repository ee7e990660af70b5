"""Client channels with a deadline on every unary call and the request id in the metadata."""

from __future__ import annotations

import grpc

from services.runtime.grpc_server import MAX_MESSAGE_BYTES
from services.runtime.logging import REQUEST_ID_HEADER, request_id_var


def _with_request_id(details: grpc.aio.ClientCallDetails, timeout: float | None):
    metadata = list(details.metadata or ())
    request_id = request_id_var.get()
    if request_id and not any(key == REQUEST_ID_HEADER for key, _ in metadata):
        metadata.append((REQUEST_ID_HEADER, request_id))
    return grpc.aio.ClientCallDetails(
        method=details.method,
        timeout=timeout,
        metadata=grpc.aio.Metadata(*metadata),
        credentials=details.credentials,
        wait_for_ready=details.wait_for_ready,
    )


class _DeadlineInterceptor(grpc.aio.UnaryUnaryClientInterceptor):
    def __init__(self, default_timeout_s: float) -> None:
        self._default_timeout_s = default_timeout_s

    async def intercept_unary_unary(self, continuation, client_call_details, request):
        timeout = client_call_details.timeout
        details = _with_request_id(client_call_details, self._default_timeout_s if timeout is None else timeout)
        return await continuation(details, request)


class _StreamRequestIdInterceptor(grpc.aio.UnaryStreamClientInterceptor):
    """Watch streams live as long as their caller: they get the request id but no default deadline."""

    async def intercept_unary_stream(self, continuation, client_call_details, request):
        return await continuation(_with_request_id(client_call_details, client_call_details.timeout), request)


def open_channel(address: str, default_timeout_s: float) -> grpc.aio.Channel:
    return grpc.aio.insecure_channel(
        address,
        interceptors=[_DeadlineInterceptor(default_timeout_s), _StreamRequestIdInterceptor()],
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.keepalive_time_ms", 30_000),
        ],
    )
