"""The console in a real browser: Debian's Chromium driven by Playwright, against a real gateway
and registry. One browser runs for the session; each test gets its own context (cookies, storage).

Tests that need a browser skip, saying why, where /usr/bin/chromium or Playwright is missing.
"""

from __future__ import annotations

import contextlib
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.gateway.conftest import RunningGateway, start_gateway  # noqa: F401 - a fixture used here

if TYPE_CHECKING:
    # Only for types: without Playwright installed the browser tests skip rather than fail to import.
    from playwright.async_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")
# Long enough for a loaded CI machine, short enough that a broken page fails fast.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
async def chromium() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip(f"no Chromium at {CHROMIUM}: install Debian's chromium package to run the console's browser tests")
    async_api = pytest.importorskip("playwright.async_api", reason="Playwright is not installed (pip install .[dev])")
    async with async_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium")), args=["--no-sandbox"]
        )
        try:
            yield browser
        finally:
            await browser.close()


SESSION = "/manage/v1/session"
# The registry takes 10 to 256 characters.
FIRST_PASSWORD = "first-password-set-by-an-admin"


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    password: str
    token: str
    """The user's bearer token, for the test's own calls."""


@dataclass
class ConsolePage:
    """A browser tab on the console, with every console error and uncaught exception it saw."""

    page: Page
    gateway: RunningGateway
    base_url: str
    errors: list[str] = field(default_factory=list)

    def url(self, path: str = "/console/") -> str:
        return self.base_url + path

    async def open(self, hash_route: str = "") -> None:
        await self.page.goto(self.url("/console/" + hash_route))

    def assert_no_errors(self, *expected: str) -> None:
        """No console error or uncaught exception, besides refusals the test provoked on purpose
        (each named by a piece of its text, e.g. "status of 409")."""
        unexpected = [error for error in self.errors if not any(part in error for part in expected)]
        assert not unexpected, f"the page logged errors: {unexpected}"

    async def sign_in(self, user: Person) -> None:
        """Signs the browser in as user: the session and CSRF cookies land in this tab's context."""
        response = await self.page.request.post(
            self.url(SESSION), data={"user_name": user.name, "password": user.password}
        )
        assert response.status == 200, await response.text()

    async def csrf_token(self) -> str:
        cookies = await self.page.context.cookies()
        return next(cookie["value"] for cookie in cookies if cookie["name"] == "torii_csrf")


def watch_errors(page, errors: list[str]) -> None:
    def on_console(message) -> None:
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))


@contextlib.asynccontextmanager
async def console_page(chromium, gateway) -> AsyncIterator[ConsolePage]:
    """A browser tab on `gateway`'s console (English, Tokyo time), its errors watched."""
    context = await chromium.new_context(locale="en-US", timezone_id="Asia/Tokyo")
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    watched = ConsolePage(page, gateway, str(gateway.client.make_url("")).rstrip("/"))
    watch_errors(page, watched.errors)
    try:
        yield watched
    finally:
        await context.close()


@pytest.fixture
async def console(chromium, start_gateway) -> AsyncIterator[ConsolePage]:
    async with console_page(chromium, await start_gateway()) as watched:
        yield watched


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


async def new_person(gateway: RunningGateway, role: str = "admin", name: str | None = None) -> Person:
    """A user whose console password an admin set and who changed it already (so no forced change)."""
    client = gateway.client
    created = await client.post(
        "/manage/v1/users", json={"name": name or unique(role), "role": role}, headers=gateway.admin
    )
    body = await created.json()
    assert created.status == 201, body
    user = body["user"]
    set_password = await client.put(
        f"/manage/v1/users/{user['user_id']}/password", json={"new_password": FIRST_PASSWORD}, headers=gateway.admin
    )
    assert set_password.status == 204, await set_password.text()
    password = f"own-password-{uuid.uuid4().hex[:12]}"
    signed_in = await client.post(SESSION, json={"user_name": user["name"], "password": FIRST_PASSWORD})
    assert signed_in.status == 200, await signed_in.text()
    changed = await client.put(
        "/manage/v1/password",
        json={"current_password": FIRST_PASSWORD, "new_password": password},
        headers={"X-CSRF-Token": signed_in.cookies["torii_csrf"].value},
    )
    assert changed.status == 204, await changed.text()
    client.session.cookie_jar.clear()
    return Person(user["user_id"], user["name"], password, body["token"])


def bearer_of(person: Person) -> dict[str, str]:
    return {"Authorization": f"Bearer {person.token}"}
