"""Every page of the console opens with no console error and under the security headers, in English
and Japanese, and shows data (a model's name holding a script) as text."""

from __future__ import annotations

from multidict import CIMultiDict

from tests.console.conftest import ConsolePage, bearer_of, new_person, unique
from tests.console.test_serving import assert_secured
from tests.gateway.helpers import create_api, upload_model


async def test_the_sign_in_page_opens_under_the_security_headers(console: ConsolePage):
    response = await console.page.goto(console.url())
    assert response is not None
    assert_secured(CIMultiDict(await response.all_headers()))
    await console.page.get_by_role("heading", name="Sign in").wait_for()
    console.assert_no_errors()


async def test_every_page_opens_without_a_console_error(console: ConsolePage):
    admin = await new_person(console.gateway)
    uploaded = await upload_model(console.gateway, name=unique("model"), headers=bearer_of(admin))
    api = (await create_api(console.gateway, uploaded["version"]["model_version_id"], headers=bearer_of(admin)))["api"]
    await console.sign_in(admin)
    page = console.page
    for route, heading in [
        ("#/apis", "APIs"),
        ("#/models", "Models"),
        (f"#/models/{uploaded['model']['model_id']}", uploaded["model"]["name"]),
        (f"#/apis/{api['api_id']}", api["name"]),
        ("#/users", "Users"),
        ("#/chat-keys", "Chat keys"),
        ("#/workspaces", "Workspaces"),
        ("#/training", "Training"),
        ("#/data-sets", "Data sets"),
        ("#/password", "Change your password"),
    ]:
        await console.open(route)
        await page.get_by_role("heading", name=heading, exact=True).wait_for()
        await page.wait_for_load_state("networkidle")
    await console.open(f"#/apis/{api['api_id']}")
    await page.get_by_test_id("usage-chart").wait_for()
    console.assert_no_errors()


async def test_a_model_name_holding_a_script_is_shown_as_text(console: ConsolePage):
    admin = await new_person(console.gateway)
    name = "<script>alert(1)</script>"
    uploaded = await upload_model(console.gateway, name=name, headers=bearer_of(admin))
    dialogs: list[str] = []
    console.page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    await console.sign_in(admin)
    await console.open("#/models")
    link = console.page.get_by_role("link", name=name, exact=True)
    await link.wait_for()
    assert await link.inner_text() == name
    await link.click()
    await console.page.get_by_role("heading", name=name, exact=True).wait_for()
    assert await console.page.locator("#app script").count() == 0
    assert dialogs == []
    assert uploaded["model"]["name"] == name
    console.assert_no_errors()


async def test_the_language_switch_is_remembered(console: ConsolePage):
    await console.open()
    page = console.page
    await page.get_by_role("heading", name="Sign in").wait_for()
    await page.get_by_test_id("language").select_option("ja")
    await page.get_by_role("heading", name="サインイン").wait_for()
    assert await page.evaluate("document.documentElement.lang") == "ja"
    await page.reload()
    await page.get_by_role("heading", name="サインイン").wait_for()
    console.assert_no_errors()
