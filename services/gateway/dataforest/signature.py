"""What a Data Forest request presents for its signature check: the three NCP headers and the request
targets its signature may have been made over (shared/contracts/dataforest.md §2, §8.9).

The gateway holds no secret keys; it only gathers this and the registry recomputes the HMAC
(services/policy/ncp_signature.py). The targets are taken from the request line as received:
re-encoding, sorting or decoding it here would accept signatures over requests that were not sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from aiohttp import web

TIMESTAMP_HEADER = "x-ncp-apigw-timestamp"
ACCESS_KEY_HEADER = "x-ncp-iam-access-key"
SIGNATURE_HEADER = "x-ncp-apigw-signature-v2"
# Older official SDK builds send the same value under this name (§2).
SIGNATURE_V1_HEADER = "x-ncp-apigw-signature-v1"


class Unsigned(Exception):
    """A request without one of the headers the signature needs; the gateway answers 401 / 200."""

    def __init__(self, header: str) -> None:
        super().__init__(f"missing header {header}")
        self.header = header


@dataclass(frozen=True)
class SignedRequest:
    access_key: str
    timestamp: str
    signature: str
    method: str
    # The exact target first; the SDK variants of §8.9 after it.
    targets: tuple[str, ...]


def signed_request(request: web.Request) -> SignedRequest:
    """The request's signature material; Unsigned when a header is missing or empty."""
    return SignedRequest(
        access_key=_header(request, ACCESS_KEY_HEADER),
        timestamp=_header(request, TIMESTAMP_HEADER),
        signature=_signature(request),
        method=request.method,
        targets=candidate_targets(request.raw_path),
    )


def candidate_targets(raw_target: str) -> tuple[str, ...]:
    """The targets of §8.9, and only those: the path plus `?query` when the query is not empty; with
    no query, also the path with a trailing `?` (the C# sample); with one, also the query
    percent-decoded (the Python SDK signs unencoded values) when that changes it."""
    path, _, query = _origin_form(raw_target).partition("?")
    if not query:
        return (path, f"{path}?")
    exact = f"{path}?{query}"
    decoded = f"{path}?{unquote(query)}"
    return (exact,) if decoded == exact else (exact, decoded)


def _origin_form(raw_target: str) -> str:
    # HTTP/1.1 servers must take absolute-form targets too (RFC 9112 §3.2.2), and aiohttp's raw_path
    # then holds the scheme and host. Clients sign the path only, so they are cut off, nothing else.
    if raw_target.startswith("/"):
        return raw_target
    scheme_end = raw_target.find("://")
    if scheme_end < 0:
        return raw_target
    rest = raw_target[scheme_end + 3 :]
    authority_end = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    origin = rest[authority_end:]
    # An absolute-form target with no path names "/" (RFC 9112 §3.2.2).
    return origin if origin.startswith("/") else f"/{origin}"


def _signature(request: web.Request) -> str:
    signature = request.headers.get(SIGNATURE_HEADER) or request.headers.get(SIGNATURE_V1_HEADER)
    if not signature:
        raise Unsigned(SIGNATURE_HEADER)
    return signature


def _header(request: web.Request, name: str) -> str:
    value = request.headers.get(name)
    if not value:
        raise Unsigned(name)
    return value
