"""The console's files over HTTP: the page, its assets from the allow-list only, the security
headers on every answer (errors included), revalidation by ETag, and HTML error pages."""

from __future__ import annotations

import asyncio

import pytest

from services.gateway.console.assets import ASSETS
from services.gateway.console.security_headers import SECURITY_HEADERS

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def assert_secured(headers) -> None:
    assert headers["Content-Security-Policy"] == CSP
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


async def raw_get(gateway, target: str) -> tuple[int, str]:
    """GET with the request target sent exactly as written: no client normalises its dots."""
    url = gateway.client.make_url("/")
    reader, writer = await asyncio.open_connection(url.host, url.port)
    try:
        writer.write(f"GET {target} HTTP/1.1\r\nHost: {url.host}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        answer = (await asyncio.wait_for(reader.read(), timeout=10)).decode("utf-8", "replace")
    finally:
        writer.close()
    status_line, _, _ = answer.partition("\r\n")
    return int(status_line.split()[1]), answer


async def test_the_console_redirects_to_its_page(start_gateway):
    gateway = await start_gateway()
    response = await gateway.client.get("/console", allow_redirects=False)
    assert response.status == 308
    assert response.headers["Location"] == "/console/"
    assert_secured(response.headers)


async def test_the_page_loads_its_scripts_from_the_gateway_only(start_gateway):
    gateway = await start_gateway()
    response = await gateway.client.get("/console/")
    assert response.status == 200
    assert response.content_type == "text/html"
    assert_secured(response.headers)
    page = await response.text()
    assert 'src="assets/app.js"' in page and 'src="assets/vendor/chart.umd.min.js"' in page
    assert "http://" not in page and "https://" not in page and "<script>" not in page


async def test_assets_are_revalidated_by_their_etag(start_gateway):
    gateway = await start_gateway()
    first = await gateway.client.get("/console/assets/app.js")
    assert first.status == 200
    assert first.content_type == "text/javascript"
    assert first.headers["Cache-Control"] == "no-cache"
    assert_secured(first.headers)
    again = await gateway.client.get("/console/assets/app.js", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status == 304
    assert_secured(again.headers)
    other = await gateway.client.get("/console/assets/app.js", headers={"If-None-Match": '"something-else"'})
    assert other.status == 200


async def test_vendored_libraries_ship_with_their_licenses(start_gateway):
    gateway = await start_gateway()
    for name in ("vendor/htm-preact-standalone.module.js", "vendor/chart.umd.min.js", "vendor/LICENSE-preact.txt"):
        response = await gateway.client.get(f"/console/assets/{name}")
        assert response.status == 200, name
    assert {"vendor/LICENSE-htm.txt", "vendor/LICENSE-chart.js.md", "vendor/LICENSE-kurkle-color.txt"} <= set(ASSETS)


@pytest.mark.parametrize(
    "target",
    [
        "/console/assets/../contract.py",
        "/console/assets/%2e%2e/contract.py",
        "/console/assets/..%2fcontract.py",
        "/console/assets/vendor/../../assets.py",
        "/console/assets//etc/passwd",
        "/console/assets/%2Fetc%2Fpasswd",
        "/console/assets/missing.js",
    ],
)
async def test_only_the_shipped_files_are_served(start_gateway, target):
    gateway = await start_gateway()
    status, answer = await raw_get(gateway, target)
    assert status == 404, answer[:300]
    assert "import " not in answer and "root:" not in answer
    headers = answer.partition("\r\n\r\n")[0]
    for name, value in SECURITY_HEADERS.items():
        assert f"{name}: {value}" in headers


async def test_failures_are_html_pages_that_escape_what_the_request_named(start_gateway):
    gateway = await start_gateway()
    response = await gateway.client.get("/console/assets/<script>alert(1)</script>.js")
    assert response.status == 404
    assert response.content_type == "text/html"
    assert_secured(response.headers)
    page = await response.text()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.js" in page
    assert response.headers["X-Request-Id"] in page


async def test_a_wrong_method_is_refused_in_the_console_shape(start_gateway):
    gateway = await start_gateway()
    response = await gateway.client.post("/console/")
    assert response.status == 405
    assert response.headers["Allow"] == "GET"
    assert response.content_type == "text/html"
    assert_secured(response.headers)


async def test_the_openapi_document_lists_the_console(start_gateway):
    gateway = await start_gateway()
    document = await (await gateway.client.get("/openapi.json")).json()
    page = document["paths"]["/console/"]["get"]
    assert "text/html" in page["responses"]["200"]["content"]
    assert "security" not in page
    assets = document["paths"]["/console/assets/{name}"]["get"]
    (name,) = assets["parameters"]
    assert set(name["schema"]["enum"]) == set(ASSETS)
