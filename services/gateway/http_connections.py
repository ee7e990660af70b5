"""aiohttp's connection handler with one change: a request its parser refuses is answered in the
JSON error shape of the contract its path belongs to (Contract.unreadable).

aiohttp answers these requests itself, before any middleware runs, and offers no hook for it
(aio-libs/aiohttp#3287): the hook here is RequestHandler.handle_error, installed through the
application's server factory, so every runner of the app (main's AppRunner, the tests'
TestServer) gets it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError, LineTooLong

from services.gateway.http_base.contract import Contracts
from services.gateway.http_base.unreadable_requests import Unreadable
from services.runtime.logging import REQUEST_ID_HEADER, get_logger, new_request_id

log = get_logger("gateway")

# Enough of a connection's first bytes to hold the method and the start of the path.
_OPENING_BYTES = 512
_REQUEST_LINE_START = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+ +([^ \r\n]+)")


class _ContractErrorsConnection(web.RequestHandler):
    __slots__ = ("_opening", "_contracts")

    def __init__(
        self, contracts: Contracts, manager: web.Server, *, loop: asyncio.AbstractEventLoop, **settings: Any
    ) -> None:
        super().__init__(manager, loop=loop, **settings)
        self._contracts = contracts
        # When the parser refuses a request, aiohttp has already dropped its path: the path of
        # the connection's first request is read again from these bytes.
        self._opening = b""

    def data_received(self, data: bytes) -> None:
        if len(self._opening) < _OPENING_BYTES:
            self._opening += data[: _OPENING_BYTES - len(self._opening)]
        super().data_received(data)

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if request.writer.output_size > 0:
            # Part of an answer is out: aiohttp's own handling drops the connection.
            return super().handle_error(request, status, exc, message)
        request_id = new_request_id()
        if isinstance(exc, HttpProcessingError):
            what = self._unreadable(exc)
            # Only the connection's first request is known to start at its first bytes
            # (_request_count: aiohttp's count of requests on this connection, as its own
            # handle_error reads it).
            path = _path_of(self._opening) if self._request_count == 1 else None
            contract = self._contracts.default if path is None else self._contracts.of_path(path)
            # The exception's text quotes the client's bytes (perhaps a credential): not logged.
            log.info("http_request_unreadable", status=what.value, cause=type(exc).__name__, request_id=request_id)
        else:
            what, contract = Unreadable.INTERNAL, self._contracts.of_path(request.path)
            log.error("request_crashed_outside_middlewares", status=status, request_id=request_id, exc_info=exc)
        response = contract.unreadable(what, request_id)
        response.headers[REQUEST_ID_HEADER] = request_id
        response.force_close()
        return response

    def _unreadable(self, exc: HttpProcessingError) -> Unreadable:
        if isinstance(exc, LineTooLong):
            limit = exc.args[1]
            return Unreadable.URL_TOO_LONG if limit == self.max_line_size else Unreadable.HEADERS_TOO_LARGE
        if exc.message == "Too many headers received":  # both of aiohttp's parsers word it so
            return Unreadable.HEADERS_TOO_LARGE
        return Unreadable.NOT_HTTP


def _path_of(opening: bytes) -> str | None:
    """The decoded path of the request line these bytes start with, None when they do not."""
    match = _REQUEST_LINE_START.match(opening.lstrip(b"\r\n"))
    if match is None:
        return None
    try:
        path = urlsplit(match.group(1).decode("latin-1")).path
    except ValueError:
        return None
    return unquote(path) if path.startswith("/") else None


class _ContractErrorsServer(web.Server):
    def __init__(
        self,
        contracts: Contracts,
        handler: Callable[[web.BaseRequest], Awaitable[web.StreamResponse]],
        **settings: Any,
    ) -> None:
        super().__init__(handler, **settings)
        self._contracts = contracts

    def __call__(self) -> web.RequestHandler:
        return _ContractErrorsConnection(self._contracts, self, loop=self._loop, **self._kwargs)  # noqa: SLF001 - see answer_unreadable_requests_as_json


def answer_unreadable_requests_as_json(app: web.Application, contracts: Contracts) -> None:
    """Make every server the app's runners create use the connection handler above."""
    # aiohttp has no hook for the connection handler (see above): its private factory is the seam.
    make_server = app._make_handler  # noqa: SLF001

    def make_handler(**kwargs: Any) -> web.Server:
        server = make_server(**kwargs)
        return _ContractErrorsServer(
            contracts,
            server.request_handler,
            request_factory=server.request_factory,
            handler_cancellation=server.handler_cancellation,
            **server._kwargs,  # noqa: SLF001
        )

    # Replacing the method is the hook: aiohttp has none for the connection handler (see above).
    app._make_handler = make_handler  # type: ignore[method-assign]  # noqa: SLF001
