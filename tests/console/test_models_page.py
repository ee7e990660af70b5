"""Models in the console: an ONNX upload with its progress bar, the list, and a model's versions
with the signature read from the graph."""

from __future__ import annotations

from tests.console.conftest import ConsolePage, bearer_of, new_person, unique
from tests.gateway.helpers import identity_model


async def test_upload_a_model_with_progress_and_see_its_signature(console: ConsolePage):
    admin = await new_person(console.gateway)
    await console.sign_in(admin)
    page = console.page
    await console.open("#/models")
    await page.get_by_text("No models yet.").wait_for()
    name = unique("identity")
    form = page.get_by_test_id("upload-form")
    await form.get_by_label("Name").fill(name)
    # Padding after the graph would be refused as a model; a larger identity graph uploads in parts.
    model = identity_model(width=4)
    await form.get_by_label("ONNX file").set_input_files(
        {"name": "model.onnx", "mimeType": "application/octet-stream", "buffer": model}
    )
    await form.get_by_role("button", name="Upload").click()
    await page.get_by_text(f"Uploaded {name}, version 1.").wait_for()
    progress = page.get_by_test_id("upload-progress")
    assert await progress.get_attribute("value") == await progress.get_attribute("max")
    assert int(await progress.get_attribute("max") or 0) >= len(model)

    link = page.get_by_role("link", name=name, exact=True)
    await link.wait_for()
    listed = await console.gateway.client.get("/manage/v1/models", headers=bearer_of(admin))
    (model_json,) = (await listed.json())["models"]
    assert model_json["name"] == name
    await link.click()
    version = page.get_by_test_id("model-version")
    await version.wait_for()
    found = await (
        await console.gateway.client.get(f"/manage/v1/models/{model_json['model_id']}", headers=bearer_of(admin))
    ).json()
    signature = found["versions"][0]["signature"]
    inputs = version.locator("table.tensors").first
    for tensor in signature["inputs"]:
        row = inputs.locator("tr", has_text=tensor["name"])
        assert tensor["data_type"] in await row.inner_text()
        assert f"[{', '.join(map(str, tensor['shape']))}]" in await row.inner_text()
    console.assert_no_errors()
