"""Signing in (with the forced password change), out, and what the gateway refuses a page: a change
without the CSRF header, and any call without a session."""

from __future__ import annotations

from tests.console.conftest import FIRST_PASSWORD, SESSION, ConsolePage, unique


async def test_sign_in_change_the_set_password_and_sign_out(console: ConsolePage):
    gateway = console.gateway
    created = await gateway.client.post(
        "/manage/v1/users", json={"name": unique("ada"), "role": "member"}, headers=gateway.admin
    )
    user = (await created.json())["user"]
    response = await gateway.client.put(
        f"/manage/v1/users/{user['user_id']}/password", json={"new_password": FIRST_PASSWORD}, headers=gateway.admin
    )
    assert response.status == 204
    page = console.page
    await console.open()
    await page.get_by_label("User name").fill(user["name"])
    await page.get_by_label("Password").fill(FIRST_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()

    await page.get_by_role("heading", name="Change your password").wait_for()
    await page.get_by_label("Current password").fill(FIRST_PASSWORD)
    await page.get_by_label("New password", exact=True).fill("a-password-of-my-own")
    await page.get_by_label("New password, again").fill("a-password-of-my-own")
    await page.get_by_role("button", name="Change password").click()
    await page.get_by_role("heading", name="APIs").wait_for()
    assert await page.get_by_test_id("who").inner_text() == user["name"]

    await page.get_by_role("button", name="Sign out").click()
    await page.get_by_role("heading", name="Sign in").wait_for()
    after = await page.request.get(console.url(SESSION))
    assert after.status == 401
    assert not [cookie for cookie in await page.context.cookies() if cookie["name"] == "torii_session"]
    console.assert_no_errors()


async def test_a_wrong_password_shows_the_servers_refusal(console: ConsolePage):
    await console.open()
    page = console.page
    await page.get_by_label("User name").fill("nobody")
    await page.get_by_label("Password").fill("not-the-password")
    await page.get_by_role("button", name="Sign in").click()
    refusal = page.get_by_role("alert")
    await refusal.wait_for()
    assert "UNAUTHENTICATED" in await refusal.inner_text()
    await page.get_by_role("heading", name="Sign in").wait_for()


async def test_a_change_without_the_csrf_header_is_refused(console: ConsolePage):
    from tests.console.conftest import new_person

    admin = await new_person(console.gateway)
    await console.sign_in(admin)
    await console.open("#/apis")
    await console.page.get_by_role("heading", name="APIs").wait_for()
    status, code = await console.page.evaluate(
        """async () => {
            const response = await fetch("/manage/v1/users", {
                method: "POST", headers: {"Content-Type": "application/json"},
                body: JSON.stringify({name: "mallory", role: "admin"}),
            });
            const body = await response.json();
            return [response.status, body.error ? body.error.code : JSON.stringify(body)];
        }"""
    )
    assert (status, code) == (403, "CSRF_TOKEN_MISMATCH")
    with_token = await console.page.evaluate(
        """async (token) => (await fetch("/manage/v1/users", {
            method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": token},
            body: JSON.stringify({name: "trudy", role: "member"}),
        })).status""",
        await console.csrf_token(),
    )
    assert with_token == 201


async def test_without_a_session_the_management_api_refuses_the_page(console: ConsolePage):
    await console.open()
    await console.page.get_by_role("heading", name="Sign in").wait_for()
    status = await console.page.evaluate('async () => (await fetch("/manage/v1/apis")).status')
    assert status == 401
