"""Users in the console (admins): the list, a new user with a role and its token shown once, and a
password set for them, which they must change at their first sign-in."""

from __future__ import annotations

from tests.console.conftest import SESSION, ConsolePage, new_person, unique


async def test_create_a_user_and_set_their_password(console: ConsolePage):
    admin = await new_person(console.gateway)
    await console.sign_in(admin)
    page = console.page
    await console.open("#/users")
    name = unique("grace")
    form = page.get_by_test_id("create-user")
    await form.get_by_label("Name").fill(name)
    await form.locator("select[name=role]").select_option("member")
    await form.get_by_role("button", name="Create").click()
    assert "." in await page.get_by_test_id("user-token").inner_text()
    row = page.locator(f"tr[data-user='{name}']")
    await row.wait_for()
    assert "Member" in await row.inner_text()
    await row.locator("input[name=new_password]").fill("a-first-password-for-grace")
    await row.get_by_role("button", name="Set password").click()
    await row.get_by_text("Password set").wait_for()

    signed_in = await console.gateway.client.post(
        SESSION, json={"user_name": name, "password": "a-first-password-for-grace"}
    )
    assert signed_in.status == 200
    assert (await signed_in.json())["must_change_password"] is True
    console.assert_no_errors()
