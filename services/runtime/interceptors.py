"""Server interceptor: the service token, request id, one log line per call, and domain errors → gRPC status."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import NoReturn, Protocol

import grpc

from services.runtime.errors import DomainError
from services.runtime.logging import REQUEST_ID_HEADER, get_logger, new_request_id, request_id_var
from services.runtime.service_auth import is_open_method, presents_token
from services.runtime.status_codes import CLIENT_ACTIONABLE

log = get_logger("grpc")

# Probes (the launcher polls health while services start) would drown the log at info level.
_QUIET_METHOD_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")

# context.abort() ends a call by raising AbortError; UsageError and InternalError are grpc's own
# word on a misused or broken call. All three are grpc's to handle, never errors to map.
_GRPC_CALL_ENDINGS = (grpc.aio.AbortError, grpc.aio.UsageError, grpc.aio.InternalError)

IsUnavailable = Callable[[BaseException], bool]
"""Which unexpected errors mean a dependency is down (UNAVAILABLE, retry later) rather than a bug."""


class CallContext(Protocol):
    """What the wrappers use of grpc.aio.ServicerContext, which grpc ships without type information."""

    async def abort(self, code: grpc.StatusCode, details: str = "") -> NoReturn:
        """Ends the call with this status by raising grpc.aio.AbortError."""


# Requests and responses are whatever messages a handler's (de)serializers make; the wrappers
# only pass them on. A stream_unary handler's "request" is its request iterator.
UnaryBehavior = Callable[[object, CallContext], Awaitable[object]]
StreamBehavior = Callable[[object, CallContext], AsyncIterator[object] | Awaitable[None]]


def _log_ok(method: str, started: float) -> None:
    write = log.debug if method.startswith(_QUIET_METHOD_PREFIXES) else log.info
    write("rpc", method=method, code="OK", ms=round((time.perf_counter() - started) * 1000, 2))


class ServerCallInterceptor(grpc.aio.ServerInterceptor):  # type: ignore[misc]  # grpc ships no type information
    """Refuses callers without the service token, and wraps every handler so that no stack trace
    and no unmapped error reaches the wire."""

    def __init__(self, service_token: str, is_unavailable: IsUnavailable = lambda _: False) -> None:
        """is_unavailable: the registry passes its database's; any other unexpected error is INTERNAL."""
        self._service_token = service_token
        self._is_unavailable = is_unavailable

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = await continuation(handler_call_details)
        if handler is None:
            return None
        method = handler_call_details.method
        metadata = dict(handler_call_details.invocation_metadata or ())
        request_id = metadata.get(REQUEST_ID_HEADER) or new_request_id()
        if not is_open_method(method) and not presents_token(metadata, self._service_token):
            log.warning(
                "rpc_unauthenticated", method=method, request_id=request_id, peer_metadata_keys=sorted(metadata)
            )
            return _refusing(handler)
        if handler.unary_unary:
            return grpc.unary_unary_rpc_method_handler(
                _wrap_unary(handler.unary_unary, method, request_id, self._is_unavailable),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.unary_stream:
            return grpc.unary_stream_rpc_method_handler(
                _wrap_stream(handler.unary_stream, method, request_id, self._is_unavailable),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        if handler.stream_unary:  # uploads: the wrapper takes the request iterator in place of a request
            return grpc.stream_unary_rpc_method_handler(
                _wrap_unary(handler.stream_unary, method, request_id, self._is_unavailable),
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )
        # Bidirectional-streaming calls are not used by Torii's services.
        return handler


async def _refuse(request: object, context: CallContext) -> NoReturn:
    await context.abort(
        grpc.StatusCode.UNAUTHENTICATED,
        "this call needs the deployment's service token in the x-torii-service-token header",
    )


def _refusing(handler: grpc.RpcMethodHandler) -> grpc.RpcMethodHandler:
    """A handler of the same streaming shape that answers UNAUTHENTICATED without running anything."""
    common = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.unary_unary:
        return grpc.unary_unary_rpc_method_handler(_refuse, **common)
    if handler.unary_stream:
        return grpc.unary_stream_rpc_method_handler(_refuse, **common)
    if handler.stream_unary:
        return grpc.stream_unary_rpc_method_handler(_refuse, **common)
    return grpc.stream_stream_rpc_method_handler(_refuse, **common)


async def _abort_for(
    context: CallContext, method: str, error: Exception, started: float, is_unavailable: IsUnavailable
) -> NoReturn:
    """Ends the call with the status the error deserves."""
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    if isinstance(error, DomainError):
        log.info("rpc", method=method, code=error.status.name, message=error.message, ms=elapsed_ms)
        await context.abort(error.status, error.message)
    # A refusal by a service this one called is the caller's business too: it goes through as it was.
    if isinstance(error, grpc.aio.AioRpcError) and error.code() in CLIENT_ACTIONABLE:
        log.info(
            "rpc", method=method, code=error.code().name, message=error.details(), ms=elapsed_ms, passed_through=True
        )
        await context.abort(error.code(), error.details() or "")
    if is_unavailable(error):
        log.warning("rpc", method=method, code="UNAVAILABLE", ms=elapsed_ms, dependency_error=repr(error))
        await context.abort(grpc.StatusCode.UNAVAILABLE, "a service Torii depends on is unavailable; retry later")
    log.error("rpc", method=method, code="INTERNAL", ms=elapsed_ms, exc_info=error)
    await context.abort(grpc.StatusCode.INTERNAL, f"internal error (request id {request_id_var.get()})")


def _wrap_unary(behavior: UnaryBehavior, method: str, request_id: str, is_unavailable: IsUnavailable) -> UnaryBehavior:
    async def wrapper(request: object, context: CallContext) -> object:
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = await behavior(request, context)
            _log_ok(method, started)
            return response
        except _GRPC_CALL_ENDINGS:
            raise
        except Exception as error:  # every other error is mapped to a status, never leaked
            await _abort_for(context, method, error, started, is_unavailable)
        finally:
            request_id_var.reset(token)

    return wrapper


def _wrap_stream(
    behavior: StreamBehavior, method: str, request_id: str, is_unavailable: IsUnavailable
) -> Callable[[object, CallContext], AsyncIterator[object]]:
    async def wrapper(request: object, context: CallContext) -> AsyncIterator[object]:
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            result = behavior(request, context)
            if isinstance(result, AsyncIterator):
                async for item in result:
                    yield item
            else:
                await result
            _log_ok(method, started)
        except _GRPC_CALL_ENDINGS:
            raise
        except Exception as error:  # every other error is mapped to a status, never leaked
            await _abort_for(context, method, error, started, is_unavailable)
        finally:
            request_id_var.reset(token)

    return wrapper
