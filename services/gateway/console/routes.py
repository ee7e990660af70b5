"""The console's routes: the page, a redirect to it, and its static files from the allow-list."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from services.gateway.console.assets import ASSETS, PAGE, Asset
from services.gateway.console.security_headers import secured
from services.gateway.http_base.routing import Call, Handler, Response, Route

CONSOLE_PATH = "/console/"
_TAG = "console"


class AssetNotFound(Exception):
    """A request named a file the console does not ship."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the console has no file named {name!r}")


def _answer(request: web.Request, asset: Asset) -> web.Response:
    """The asset, or 304 when the browser's copy is current (RFC 9110 §13.1.2)."""
    headers = {"ETag": asset.etag, "Cache-Control": "no-cache"}
    if asset.etag in (tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")):
        return secured(web.Response(status=304, headers=headers))
    return secured(
        web.Response(body=asset.body, content_type=asset.content_type, charset=asset.charset, headers=headers)
    )


async def console_page(call: Call) -> web.Response:
    return _answer(call.request, PAGE)


async def console_redirect(call: Call) -> web.Response:
    # Relative asset URLs in the page resolve against /console/, never against /.
    return secured(web.Response(status=308, headers={"Location": CONSOLE_PATH}))


async def console_asset(call: Call) -> web.Response:
    name = call.path("name")
    asset = ASSETS.get(name)
    if asset is None:
        raise AssetNotFound(name)
    return _answer(call.request, asset)


_HTML = Response("the console's single page", {"type": "string"}, media_type="text/html")


def _route(
    method: str, path: str, handler: Handler, summary: str, responses: dict[int, Response], **extra: Any
) -> Route:
    """A console route: open to all (the page signs in through the management API), and its
    failures are small HTML pages (console.error_page), not the management API's JSON."""
    return Route(
        method,
        path,
        handler,
        summary,
        _TAG,
        responses,
        authenticated=False,
        error_schema={"type": "string"},
        error_media_type="text/html",
        **extra,
    )


ROUTES: tuple[Route, ...] = (
    _route(
        "GET", "/console", console_redirect, "The web console: redirects to /console/", {308: Response("to /console/")}
    ),
    _route("GET", CONSOLE_PATH, console_page, "The web console", {200: _HTML}),
    _route(
        "GET",
        "/console/assets/{name:.+}",
        console_asset,
        "One of the console's static files (scripts, styles, vendored libraries and their licenses)",
        {200: Response("the file", {"type": "string"}, media_type="application/octet-stream")},
        errors=(404,),
        path_parameters={"name": {"type": "string", "enum": sorted(ASSETS)}},
    ),
)
