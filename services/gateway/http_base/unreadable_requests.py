"""Answers to requests that aiohttp's HTTP parser refuses before any route or middleware runs (a
URL or header over its limit, too many headers, a control byte, bytes that are not HTTP), each
contract answers in its own error shape (Contract.unreadable).

aiohttp's own answer is a plain-text 400 that quotes the offending bytes back; these say which
limit was passed and quote nothing the client sent.
"""

from __future__ import annotations

import enum

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
