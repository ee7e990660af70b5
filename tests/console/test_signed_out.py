"""A signed-out browser gets the sign-in form without asking the gateway for a session it cannot hold
(no torii_csrf cookie, so no session cookie either), and so without the 401 Chromium would log as an
error; a browser still holding the cookies of a session the gateway ended asks, and is signed out."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.async_api import Page, Request

from tests.console.conftest import SESSION, ConsolePage, new_person

# The one error a session ended on the server may log: Chromium's line for the 401 of GET /session.
ENDED_SESSION_PROBE = "status of 401"


def session_requests(page: Page) -> list[str]:
    """Every request the page makes for the session route from now on, as "METHOD path"."""
    seen: list[str] = []

    def on_request(request: Request) -> None:
        path = urlsplit(request.url).path
        if path == SESSION:
            seen.append(f"{request.method} {path}")

    page.on("request", on_request)
    return seen


async def test_a_signed_out_load_asks_for_no_session_and_logs_no_error(console: ConsolePage):
    page = console.page
    asked = session_requests(page)
    await console.open()
    await page.get_by_role("heading", name="Sign in").wait_for()
    # Whatever the page was going to request has been requested once the network is quiet.
    await page.wait_for_load_state("networkidle")
    await page.get_by_test_id("language").select_option("ja")
    await page.reload()
    await page.get_by_role("heading", name="サインイン").wait_for()
    await page.wait_for_load_state("networkidle")
    assert asked == []
    console.assert_no_errors()


async def test_after_signing_out_a_reload_asks_for_no_session(console: ConsolePage):
    admin = await new_person(console.gateway)
    await console.sign_in(admin)
    page = console.page
    asked = session_requests(page)
    await console.open("#/apis")
    await page.get_by_role("heading", name="APIs").wait_for()
    assert asked == [f"GET {SESSION}"]
    await page.get_by_role("button", name="Sign out").click()
    await page.get_by_role("heading", name="Sign in").wait_for()
    assert asked == [f"GET {SESSION}", f"DELETE {SESSION}"]
    await page.reload()
    await page.get_by_role("heading", name="Sign in").wait_for()
    await page.wait_for_load_state("networkidle")
    assert asked == [f"GET {SESSION}", f"DELETE {SESSION}"]
    console.assert_no_errors()


async def test_cookies_of_a_session_the_gateway_ended_lead_to_the_sign_in_form(console: ConsolePage):
    admin = await new_person(console.gateway)
    await console.sign_in(admin)
    context = console.page.context
    stale = await context.cookies()
    assert {cookie["name"] for cookie in stale} >= {"torii_session", "torii_csrf"}
    ended = await console.page.request.delete(
        console.url(SESSION), headers={"X-CSRF-Token": await console.csrf_token()}
    )
    assert ended.status == 204, await ended.text()
    # The browser kept its copies (another tab's, say): the page cannot tell the session ended without asking.
    await context.add_cookies(stale)  # type: ignore[arg-type]  # the cookies read back are the ones to set
    page = console.page
    asked = session_requests(page)
    await console.open("#/apis")
    await page.get_by_role("heading", name="Sign in").wait_for()
    assert asked == [f"GET {SESSION}"]
    assert await page.get_by_role("heading", name="APIs").count() == 0
    console.assert_no_errors(ENDED_SESSION_PROBE)
