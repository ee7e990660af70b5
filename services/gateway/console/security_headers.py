"""The headers every console answer carries, its error pages included.

The policy allows scripts, styles and connections from the gateway itself only: no inline script
or style, no eval, no frames around the console. Charts and Preact write styles through the CSSOM,
which style-src does not govern; data: images are the favicon and nothing else.
"""

from __future__ import annotations

from aiohttp import web

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    )
)

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def secured(response: web.Response) -> web.Response:
    """The response with the console's security headers set (replacing any of the same name)."""
    response.headers.update(SECURITY_HEADERS)
    return response
