"""structlog JSON logs carrying the current request id."""

from __future__ import annotations

import contextvars
import logging
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import BinaryIO

import orjson
import structlog
from structlog.typing import EventDict, FilteringBoundLogger, WrappedLogger

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")

REQUEST_ID_HEADER = "x-request-id"


def new_request_id() -> str:
    """128 random bits in a UUID's layout, at a third of uuid4's cost (one is made per request)."""
    digits = os.urandom(16).hex()
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


_LEVEL_OF_METHOD = {"warn": "warning", "exception": "error"}


def _stamp(service: str) -> Callable[[WrappedLogger, str, EventDict], EventDict]:
    """What every line carries, in one processor (each processor is a call, and the gateway writes
    a line per request): the service's name, the current request's id, the level as structlog's
    add_log_level names it, and the time, which the renderer writes as ISO 8601 in UTC. The
    request id is read directly: structlog's merge_contextvars copies the whole context."""

    def stamp(_logger: WrappedLogger, method: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        request_id = request_id_var.get()
        if request_id:
            event_dict.setdefault("request_id", request_id)
        event_dict["level"] = _LEVEL_OF_METHOD.get(method, method)
        event_dict["timestamp"] = datetime.now(UTC)
        return event_dict

    return stamp


# orjson writes datetimes itself (UTC as "Z"), and the newline, without another copy of the line.
_JSON_LINE = orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE | orjson.OPT_UTC_Z


def _json_line(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> bytes:
    return orjson.dumps(event_dict, option=_JSON_LINE)


class _LineWriter:
    """Writes each rendered line to a binary stream at once. structlog's BytesLogger also takes a
    lock and copies the line to add its newline; one write of a whole line needs neither."""

    def __init__(self, stream: BinaryIO) -> None:
        self._write = stream.write
        self._flush = stream.flush

    def msg(self, line: bytes) -> None:
        self._write(line)
        self._flush()

    log = debug = info = warn = warning = msg
    fatal = failure = err = error = critical = exception = msg


class _RequestLines:
    """The line the gateway writes for every request, through the processors configure_logging
    sets but without structlog's general call path, which cost twice the line itself."""

    def __init__(self, service: str, writer: _LineWriter, enabled: bool) -> None:
        self._stamp = _stamp(service)
        self._writer = writer
        self._enabled = enabled

    def info(self, event: str, fields: EventDict) -> None:
        if self._enabled:
            fields["event"] = event
            self._writer.msg(_json_line(None, "info", self._stamp(None, "info", fields)))


_request_lines: _RequestLines | None = None


def request_line(event: str, fields: EventDict) -> None:
    """An info line of `fields` (kept, in order) and `event`, as get_logger().info writes it. The
    same call through structlog where configure_logging was not called (tests)."""
    if _request_lines is None:
        get_logger().info(event, **fields)
    else:
        _request_lines.info(event, fields)


def configure_logging(service: str, level: str = "info") -> None:
    """Send JSON lines to stderr, each with the service name, level, time and request id."""
    global _request_lines
    numeric_level = logging.getLevelNamesMapping().get(level.upper(), logging.INFO)
    writer = _LineWriter(sys.stderr.buffer)
    structlog.configure(
        processors=[_stamp(service), structlog.processors.format_exc_info, _json_line],
        wrapper_class=structlog.make_filtering_bound_logger(numeric_level),
        logger_factory=lambda *_: writer,
        cache_logger_on_first_use=True,
    )
    _request_lines = _RequestLines(service, writer, enabled=numeric_level <= logging.INFO)


def get_logger(name: str | None = None) -> FilteringBoundLogger:
    # configure_logging's wrapper_class is a filtering bound logger; structlog types get_logger as Any.
    logger: FilteringBoundLogger = structlog.get_logger(name) if name else structlog.get_logger()
    return logger
