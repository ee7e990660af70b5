"""The console's failures as a small HTML page: its status, a sentence and the request id, escaped."""

from __future__ import annotations

from html import escape
from http import HTTPStatus

from aiohttp import web

from services.gateway.console.security_headers import secured

_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{status} {phrase}: Torii console</title>
<link rel="icon" href="data:,"></head>
<body>
<h1>{status} {phrase}</h1>
<p>{message}</p>
<p>Request id: <code>{request_id}</code></p>
<p><a href="/console/">Open the console</a></p>
</body>
</html>
"""


def error_page(status: int, message: str, request_id: str, headers: dict[str, str] | None = None) -> web.Response:
    html = _PAGE.format(
        status=status,
        phrase=escape(HTTPStatus(status).phrase),
        message=escape(message),
        request_id=escape(request_id),
    )
    return secured(web.Response(status=status, text=html, content_type="text/html", headers=headers))
