"""Answers to requests that aiohttp's HTTP parser refuses before any route or middleware runs (a
URL or header over its limit, too many headers, a control byte, bytes that are not HTTP), in the
error shape of the contract the request's path belongs to.

aiohttp's own answer is a plain-text 400 that quotes the offending bytes back; these say which
limit was passed and quote nothing the client sent.
"""

from __future__ import annotations

import enum

from aiohttp import web

from services.gateway.errors import GENERIC_MESSAGE, INTERNAL_CODE, error_body
from services.gateway.nnc import contract_errors as nnc
from services.gateway.path_contracts import Contract
from services.gateway.prediction_one import contract_errors as prediction_one

MAX_URL_BYTES = 16 * 1024
"""Longest request line (method, URL, version) the parser takes."""
MAX_HEADER_BYTES = 8 * 1024
"""Longest header (name and value) the parser takes."""
MAX_HEADERS = 128
"""Most headers one request may carry."""

# aiohttp reports both an over-long request line and an over-long header as LineTooLong, naming
# only the limit that was passed: different limits tell them apart (414 or 431).
assert MAX_URL_BYTES != MAX_HEADER_BYTES

PARSER_LIMITS = {"max_line_size": MAX_URL_BYTES, "max_field_size": MAX_HEADER_BYTES, "max_headers": MAX_HEADERS}
"""aiohttp's handler_args that set the limits above."""


class Unreadable(enum.Enum):
    URL_TOO_LONG = 414
    HEADERS_TOO_LARGE = 431
    NOT_HTTP = 400
    INTERNAL = 500
    """A failure outside every middleware (none is known): answered like any other crash."""


_MANAGEMENT_MESSAGES = {
    Unreadable.URL_TOO_LONG: (
        "REQUEST_URI_TOO_LONG",
        f"the request line is longer than {MAX_URL_BYTES} bytes; shorten the URL",
    ),
    Unreadable.HEADERS_TOO_LARGE: (
        "REQUEST_HEADER_FIELDS_TOO_LARGE",
        f"a request takes at most {MAX_HEADERS} headers of at most {MAX_HEADER_BYTES} bytes each",
    ),
    Unreadable.NOT_HTTP: (
        "INVALID_ARGUMENT",
        "the request is not valid HTTP/1.1 (a malformed request line, or a header with a forbidden character)",
    ),
    Unreadable.INTERNAL: (INTERNAL_CODE, GENERIC_MESSAGE),
}

# The NNC codes follow its table's pattern (HTTP status, 1020, a cause number of our own).
_NNC_FAILURES = {
    Unreadable.URL_TOO_LONG: nnc.Failure(414, "4141020003", "INVALID_REQUEST", "Invalid request: the URL is too long"),
    Unreadable.HEADERS_TOO_LARGE: nnc.Failure(
        431, "4311020004", "INVALID_REQUEST", "Invalid request: the headers are too large or too many"
    ),
    Unreadable.NOT_HTTP: nnc.Failure(400, "4001020005", "INVALID_REQUEST", "Invalid request: not valid HTTP/1.1"),
    Unreadable.INTERNAL: nnc.INTERNAL,
}

_PREDICTION_ONE_FAILURES = {
    Unreadable.URL_TOO_LONG: prediction_one.URL_TOO_LONG,
    Unreadable.HEADERS_TOO_LARGE: prediction_one.HEADERS_TOO_LARGE,
    Unreadable.NOT_HTTP: prediction_one.NOT_HTTP,
    Unreadable.INTERNAL: prediction_one.INTERNAL,
}


def unreadable_answer(what: Unreadable, contract: Contract, request_id: str) -> web.Response:
    if contract is Contract.PREDICTION_ONE:
        return prediction_one.error_response(_PREDICTION_ONE_FAILURES[what])
    if contract is Contract.NNC:
        failure = _NNC_FAILURES[what]
        return nnc.error_response(failure, failure.message, request_id)
    code, message = _MANAGEMENT_MESSAGES[what]
    return web.json_response(error_body(code, message, request_id), status=what.value)
