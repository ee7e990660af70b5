"""NAVER Cloud's API signature (v2, and v1 as its alias): HMAC-SHA256 over the method, the request
target, the timestamp and the access key (shared/contracts/dataforest.md §2).

The registry holds the secret keys, so it is the registry that recomputes and compares; the gateway
only hands it the headers and the candidate targets (§8.9). Both import this module, which is why it
lives in the shared policy package rather than in either service.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence

# §2: a request 5 minutes or more away from the gateway's clock, either way, is invalid.
WINDOW_MS = 300_000


def string_to_sign(method: str, target: str, timestamp: str, access_key: str) -> str:
    """`{METHOD} {target}\\n{timestamp}\\n{accessKey}`, with no trailing newline."""
    return f"{method} {target}\n{timestamp}\n{access_key}"


def sign(secret: bytes, method: str, target: str, timestamp: str, access_key: str) -> str:
    """The padded standard Base64 of HMAC-SHA256(secret, string-to-sign): 44 characters."""
    message = _wire_bytes(string_to_sign(method, target, timestamp, access_key))
    return base64.b64encode(hmac.new(secret, message, hashlib.sha256).digest()).decode("ascii")


def matches(
    secret: bytes, signature: str, method: str, targets: Sequence[str], timestamp: str, access_key: str
) -> bool:
    """Whether `signature` signs any one of `targets`.

    Every candidate is computed and compared, whatever the earlier ones gave, so that the time taken
    tells nothing about which form (if any) the caller signed."""
    presented = _wire_bytes(signature)
    found = False
    for target in targets:
        expected = sign(secret, method, target, timestamp, access_key).encode("ascii")
        # `|` rather than `or`: `or` would skip the comparison once one candidate has matched.
        found = hmac.compare_digest(expected, presented) | found
    return found


def within_window(timestamp_text: str, now_ms: int) -> bool:
    """Whether the timestamp header is epoch milliseconds less than WINDOW_MS from `now_ms`.

    Only ASCII decimal digits count as a number: int() would also take signs, spaces, underscores
    and non-ASCII digits, none of which a client's clock writes."""
    if not (timestamp_text.isascii() and timestamp_text.isdigit()):
        return False
    try:
        timestamp_ms = int(timestamp_text)
    except ValueError:
        # Over the 4300 digits int() converts: no clock writes a time that long.
        return False
    return abs(now_ms - timestamp_ms) < WINDOW_MS


def _wire_bytes(text: str) -> bytes:
    # aiohttp decodes header bytes that are not UTF-8 into lone surrogates (surrogateescape);
    # encoding them back the same way signs the bytes the client sent, not a lossy copy of them.
    return text.encode("utf-8", "surrogateescape")
