"""A GGUF chat model uploaded through the Models page's form: sent with format=gguf and no
signature, kept as a chat model version (a new model, then its next version); a file that is not
GGUF refused with the server's own words."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.console.conftest import ConsolePage, Person, bearer_of, new_person, unique
from tests.gateway.test_chat_models import FAKE_GGUF

if TYPE_CHECKING:
    # Only for types, as in conftest.py: without Playwright the browser tests skip.
    from playwright.async_api import FilePayload


def gguf_file(data: bytes) -> FilePayload:
    return {"name": "model.gguf", "mimeType": "application/octet-stream", "buffer": data}


async def _uploaded_gguf(console: ConsolePage) -> tuple[Person, str]:
    """A new admin, signed in, who uploaded FAKE_GGUF through the Models page as a new model; its name."""
    admin = await new_person(console.gateway)
    await console.sign_in(admin)
    page = console.page
    await console.open("#/models")
    name = unique("chat")
    form = page.get_by_test_id("upload-form")
    await form.get_by_label("Name").fill(name)
    await form.get_by_label("ONNX file").set_input_files(gguf_file(FAKE_GGUF))
    await form.get_by_role("button", name="Upload").click()
    await page.get_by_text(f"Uploaded {name}, version 1.").wait_for()
    return admin, name


async def test_a_gguf_upload_is_a_chat_model_without_a_signature(console: ConsolePage):
    admin, name = await _uploaded_gguf(console)
    page = console.page

    listed = await (await console.gateway.client.get("/manage/v1/models", headers=bearer_of(admin))).json()
    (model,) = listed["models"]
    await page.get_by_role("link", name=name, exact=True).click()
    version = page.get_by_test_id("model-version")
    await version.wait_for()
    assert "gguf" in await version.inner_text()
    assert await version.locator("table.tensors").count() == 0

    await page.get_by_test_id("upload-form").get_by_label("ONNX file").set_input_files(gguf_file(FAKE_GGUF))
    await page.get_by_test_id("upload-form").get_by_role("button", name="Upload").click()
    await page.get_by_text(f"Uploaded {name}, version 2.").wait_for()
    found = await (
        await console.gateway.client.get(f"/manage/v1/models/{model['model_id']}", headers=bearer_of(admin))
    ).json()
    assert [(v["version"], v["format"], v["signature"]) for v in found["versions"]] == [
        (1, "gguf", None),
        (2, "gguf", None),
    ]
    assert [v["size_bytes"] for v in found["versions"]] == [len(FAKE_GGUF)] * 2
    console.assert_no_errors()


async def test_a_gguf_file_that_is_not_gguf_is_refused_in_the_servers_words(console: ConsolePage):
    admin = await new_person(console.gateway)
    await console.sign_in(admin)
    page = console.page
    await console.open("#/models")
    form = page.get_by_test_id("upload-form")
    await form.get_by_label("Name").fill(unique("not-gguf"))
    await form.get_by_label("ONNX file").set_input_files(gguf_file(b"\x08\x07" + b"\0" * 40))
    await form.get_by_role("button", name="Upload").click()
    refusal = form.get_by_role("alert")
    await refusal.wait_for()
    text = await refusal.inner_text()
    assert "INVALID_ARGUMENT" in text
    assert "the file is not a GGUF model (it does not start with the GGUF header)" in text
    listed = await (await console.gateway.client.get("/manage/v1/models", headers=bearer_of(admin))).json()
    assert listed["models"] == []
    console.assert_no_errors("status of 400")


async def test_a_chat_model_is_published_from_the_dialog_under_its_model_id(console: ConsolePage):
    admin, name = await _uploaded_gguf(console)
    page = console.page

    await console.open("#/apis")
    await page.get_by_role("button", name="Create API").click()
    dialog = page.get_by_test_id("create-api")
    await dialog.get_by_label("Name").fill("chat")
    assert await dialog.get_by_label("Chat model id").count() == 0
    await dialog.locator("select[name=model]").select_option(label=name)
    await dialog.get_by_label("Chat model id").fill("acme/console-chat")
    await dialog.get_by_role("button", name="Create").click()
    await page.get_by_test_id("created-key").wait_for()

    listed = await (await console.gateway.client.get("/manage/v1/apis", headers=bearer_of(admin))).json()
    (api,) = listed["apis"]
    assert (api["contract"], api["chat_model_id"]) == ("openai_chat", "acme/console-chat")
    console.assert_no_errors()
