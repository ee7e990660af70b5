"""The console on the whole platform: an API created through the dialog shows its badge go from
building to running without the page reloading, from the gateway's event stream; the API screen
follows real requests in its graph and its trial count."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

from tests.console.conftest import TIMEOUT_MS, ConsolePage, bearer_of, chromium, new_person, watch_errors  # noqa: F401 - a fixture
from tests.gateway.helpers import identity_model, upload_model

VECTOR = [{"name": "x", "type": "vector", "data": [1, 2, 3, 4]}]


@contextlib.asynccontextmanager
async def signed_in(platform, chromium, person) -> AsyncIterator[ConsolePage]:
    """A new browser context on the platform's console, signed in as `person`."""
    context = await chromium.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    try:
        gateway = platform.gateway
        console = ConsolePage(await context.new_page(), gateway, str(gateway.client.make_url("")).rstrip("/"))
        watch_errors(console.page, console.errors)
        await console.sign_in(person)
        yield console
    finally:
        await context.close()


async def test_a_new_apis_badge_goes_from_building_to_running_without_a_reload(platform, chromium):
    gateway = platform.gateway
    admin = await new_person(gateway)
    uploaded = await upload_model(gateway, name=f"model-{uuid.uuid4().hex[:8]}", headers=bearer_of(admin))
    async with signed_in(platform, chromium, admin) as console:
        await console.open("#/apis")
        page = console.page
        await page.get_by_text("No APIs yet.").wait_for()
        # Survives only as long as the document does: a reload would drop it. The observer records
        # every status a badge shows, however briefly.
        await page.evaluate(
            """() => {
                window.consoleTestMarker = "same document";
                window.badgesSeen = [];
                const record = () => {
                    for (const badge of document.querySelectorAll("table[data-testid=apis] [data-status]")) {
                        const status = badge.dataset.status;
                        if (window.badgesSeen.at(-1) !== status) window.badgesSeen.push(status);
                    }
                };
                new MutationObserver(record).observe(document.body, {subtree: true, childList: true, attributes: true});
            }"""
        )

        await page.get_by_role("button", name="Create API").click()
        dialog = page.get_by_test_id("create-api")
        await dialog.get_by_label("Name").fill("live")
        await dialog.locator("select[name=model]").select_option(uploaded["model"]["model_id"])
        await dialog.locator("select[name=version] option").first.wait_for(state="attached")
        await dialog.get_by_role("button", name="Create").click()
        await page.get_by_test_id("created-key").wait_for()
        await page.get_by_role("button", name="Close").click()

        await page.locator("table[data-testid=apis] [data-status=running]").wait_for(timeout=60_000)
        assert await page.evaluate("window.badgesSeen") == ["building", "running"]
        assert await page.evaluate("window.consoleTestMarker") == "same document"
        console.assert_no_errors()


async def test_the_api_screen_follows_real_requests_in_its_graph_and_trial_count(platform, chromium):
    gateway = platform.gateway
    api = await platform.publish(identity_model(), api_type="trial")
    limit = api["trial"]["limit"]
    person = await new_person(gateway)
    async with signed_in(platform, chromium, person) as console:
        await console.open(f"#/apis/{api['api_id']}")
        page = console.page
        await page.get_by_test_id("usage-chart").wait_for()
        await page.evaluate('() => { window.consoleTestMarker = "same document"; }')

        for _ in range(3):
            status, body = await platform.infer(api, VECTOR)
            assert status == 200, body
        status, _ = await platform.infer(api, VECTOR, key="wrong")
        assert status == 403

        # Today's bars and the remaining count catch up without a reload (the gateway sends its
        # counters to the registry every usage_flush_interval_s; the page reads them again).
        await page.wait_for_function(
            """([ok, failed]) => {
                const chart = window.Chart.getChart(document.querySelector("[data-testid=usage-chart]"));
                if (!chart) return false;
                const today = chart.data.labels.length - 1;
                return chart.data.datasets[0].data[today] === ok && chart.data.datasets[1].data[today] === failed;
            }""",
            arg=[3, 1],
            timeout=30_000,
        )
        remaining = page.locator("[data-field=trial_remaining]")
        await page.wait_for_function(
            "(expected) => document.querySelector('[data-field=trial_remaining]').textContent.startsWith(expected)",
            arg=f"{limit - 3} ",
            timeout=30_000,
        )
        assert f"{limit}" in await remaining.inner_text()
        assert await page.evaluate("window.consoleTestMarker") == "same document"
        console.assert_no_errors()
