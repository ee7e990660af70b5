"""Client channels: a deadline on every unary call, and the request id and the deployment's
service token in the metadata of every call."""

from __future__ import annotations

from collections.abc import AsyncIterable, Awaitable, Callable

import grpc

from services.runtime.grpc_server import MAX_MESSAGE_BYTES
from services.runtime.logging import REQUEST_ID_HEADER, request_id_var
from services.runtime.service_auth import SERVICE_TOKEN_HEADER
from services.runtime.settings import CommonSettings


class _CallMetadata:
    """Adds the service token and the current request id to a call's details."""

    def __init__(self, service_token: str) -> None:
        self._service_token = service_token

    def details(self, details: grpc.aio.ClientCallDetails, timeout: float | None) -> grpc.aio.ClientCallDetails:
        metadata = [(key, value) for key, value in (details.metadata or ()) if key != SERVICE_TOKEN_HEADER]
        metadata.append((SERVICE_TOKEN_HEADER, self._service_token))
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


class _UnaryInterceptor(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]  # grpc ships no type information
    def __init__(self, call_metadata: _CallMetadata, default_timeout_s: float) -> None:
        self._call_metadata = call_metadata
        self._default_timeout_s = default_timeout_s

    async def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, object], Awaitable[grpc.aio.Call]],
        client_call_details: grpc.aio.ClientCallDetails,
        request: object,
    ) -> grpc.aio.Call:
        timeout = client_call_details.timeout
        timeout = self._default_timeout_s if timeout is None else timeout
        return await continuation(self._call_metadata.details(client_call_details, timeout), request)


class _ServerStreamInterceptor(grpc.aio.UnaryStreamClientInterceptor):  # type: ignore[misc]  # grpc ships no type information
    """Watch streams live as long as their caller: no default deadline."""

    def __init__(self, call_metadata: _CallMetadata) -> None:
        self._call_metadata = call_metadata

    async def intercept_unary_stream(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, object], Awaitable[grpc.aio.Call]],
        client_call_details: grpc.aio.ClientCallDetails,
        request: object,
    ) -> grpc.aio.Call:
        return await continuation(
            self._call_metadata.details(client_call_details, client_call_details.timeout), request
        )


class _ClientStreamInterceptor(grpc.aio.StreamUnaryClientInterceptor):  # type: ignore[misc]  # grpc ships no type information
    """Uploads last as long as their data takes: the caller sets their deadline."""

    def __init__(self, call_metadata: _CallMetadata) -> None:
        self._call_metadata = call_metadata

    async def intercept_stream_unary(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, AsyncIterable[object]], Awaitable[grpc.aio.Call]],
        client_call_details: grpc.aio.ClientCallDetails,
        request_iterator: AsyncIterable[object],
    ) -> grpc.aio.Call:
        details = self._call_metadata.details(client_call_details, client_call_details.timeout)
        return await continuation(details, request_iterator)


def open_channel(address: str, default_timeout_s: float, service_token: str) -> grpc.aio.Channel:
    """A channel to another Torii service; service_token is the deployment's (service_auth)."""
    call_metadata = _CallMetadata(service_token)
    return grpc.aio.insecure_channel(
        address,
        interceptors=[
            _UnaryInterceptor(call_metadata, default_timeout_s),
            _ServerStreamInterceptor(call_metadata),
            _ClientStreamInterceptor(call_metadata),
        ],
        options=[
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.keepalive_time_ms", 30_000),
        ],
    )


def open_service_channel(settings: CommonSettings, address: str) -> grpc.aio.Channel:
    """A channel from one service to another, with the deadline and token its settings give."""
    return open_channel(address, settings.rpc_timeout_s, settings.service_token.get_secret_value())
