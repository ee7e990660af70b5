"""Training from the console, for real: a CSV uploaded with its progress bar, the target chosen from
the detected columns, the job followed until the trainer has finished it, and its model published as
a trial classifier whose key is shown once; then retrained and the API moved to the new version.
A real registry, trainer and gateway; Chromium drives it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.console.conftest import ConsolePage, bearer_of, console_page, new_person
from tests.prediction_one.conftest import start_trainer

SMALL_DATA = b"x,y\n" + b"".join(f"{i % 13},{(i % 13) * 2 + (i % 3)}\n".encode() for i in range(60))
# The trainer's budget in tests is 5 s (tests/prediction_one/conftest.py); the rest is its start and export.
TRAINING_TIMEOUT_MS = 60_000


@pytest.fixture
async def training_console(chromium, registry, start_gateway, tmp_path) -> AsyncIterator[ConsolePage]:
    """The console of a gateway that has a trainer behind it."""
    trainer, settings = await start_trainer(registry, tmp_path)
    try:
        gateway = await start_gateway(trainer_address=f"127.0.0.1:{settings.trainer_port}")
        async with console_page(chromium, gateway) as watched:
            yield watched
    finally:
        await trainer.stop()


async def test_train_from_the_console_and_publish_a_trial_classifier(training_console: ConsolePage):
    console = training_console
    admin = await new_person(console.gateway)
    await console.sign_in(admin)
    page = console.page
    await console.open("#/training")
    await page.get_by_test_id("new-training").click()

    card = page.get_by_test_id("new-training-card")
    await card.locator("input[name=file]").set_input_files(
        {"name": "small.csv", "mimeType": "text/csv", "buffer": SMALL_DATA}
    )
    await card.get_by_role("button", name="Upload").click()
    settings = page.get_by_test_id("training-settings-form")
    await settings.wait_for()
    assert "60 rows, 2 columns" in await settings.locator(".notice").inner_text()
    progress = page.get_by_test_id("training-upload-progress")
    assert await progress.get_attribute("value") == await progress.get_attribute("max")
    assert int(await progress.get_attribute("max") or 0) >= len(SMALL_DATA)
    # The target is chosen among the columns the trainer detected, with their types.
    options = await settings.locator("select[name=target] option").all_inner_texts()
    assert [option.strip() for option in options] == ["x (integer)", "y (integer)"]
    await settings.locator("select[name=target]").select_option("y")
    await settings.locator("input[name=model_name]").fill("console <b>small</b>")
    await settings.get_by_role("button", name="Start training").click()

    await page.wait_for_url("**/console/#/training/*")
    job_id = page.url.rsplit("/", 1)[1]
    info = page.get_by_test_id("training-job-info")
    await info.locator("[data-field=status] [data-status=finished]").wait_for(timeout=TRAINING_TIMEOUT_MS)
    assert await info.locator("[data-field=percent]").inner_text() == "100%"
    # A name is shown as text, never as markup.
    await page.get_by_role("heading", name="console <b>small</b>", exact=True).wait_for()

    job = await (
        await console.gateway.client.get(f"/manage/v1/training-jobs/{job_id}", headers=bearer_of(admin))
    ).json()
    number = job["job"]["model_number"]
    actions = page.locator(f"[data-testid=model-actions][data-model-number='{number}']")
    publish = actions.get_by_test_id("publish-classifier")
    await publish.get_by_label("Trial").check()
    await publish.get_by_role("button", name="Publish").click()
    key = await actions.get_by_test_id("published-key").inner_text()

    listed = await (await console.gateway.client.get("/manage/v1/apis", headers=bearer_of(admin))).json()
    (api,) = listed["apis"]
    assert (api["api_type"], api["contract"], api["model_version_id"]) == (
        "trial",
        "prediction_one",
        job["job"]["model_version_id"],
    )
    assert key and key not in str(listed)  # shown once: only its hash is kept
    assert await actions.get_by_role("link", name="Open the API").get_attribute("href") == f"#/apis/{api['api_id']}"

    # Retrain with new data, then move the API to the retrained version.
    retrain = actions.get_by_test_id("retrain-form")
    await retrain.locator("input[name=file]").set_input_files(
        {"name": "more.csv", "mimeType": "text/csv", "buffer": SMALL_DATA}
    )
    await retrain.get_by_role("button", name="Upload and retrain").click()
    await page.wait_for_url(lambda url: not url.endswith(job_id))
    retrain_id = page.url.rsplit("/", 1)[1]
    await info.locator("[data-field=kind]").get_by_text("Retraining").wait_for()
    await info.locator("[data-field=status] [data-status=finished]").wait_for(timeout=TRAINING_TIMEOUT_MS)
    await page.get_by_test_id("apply-button").click()
    assert await page.get_by_test_id("applied").inner_text() == "1 API(s) moved to the new version."
    retrained = await (
        await console.gateway.client.get(f"/manage/v1/training-jobs/{retrain_id}", headers=bearer_of(admin))
    ).json()
    moved = await (
        await console.gateway.client.get(f"/manage/v1/apis/{api['api_id']}", headers=bearer_of(admin))
    ).json()
    assert moved["api"]["model_version_id"] == retrained["job"]["model_version_id"] != api["model_version_id"]
    console.assert_no_errors()
