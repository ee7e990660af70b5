"""The API screen of the seeds: created through the dialog with its key shown once, the allowlist,
stop/start/delete and lock/unlock with the server's refusals shown, the per-day graph's numbers,
and the ready-to-paste examples."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from tests.console.conftest import ConsolePage, Person, bearer_of, new_person, unique
from tests.gateway.helpers import create_api, upload_model
from torii.v1 import apis_pb2
from torii.v1 import registry_service_pb2 as rs


async def published(console: ConsolePage, admin: Person, **fields) -> tuple[dict, dict]:
    uploaded = await upload_model(console.gateway, name=unique("model"), headers=bearer_of(admin))
    created = await create_api(
        console.gateway, uploaded["version"]["model_version_id"], headers=bearer_of(admin), **fields
    )
    return uploaded, created["api"]


async def test_create_an_api_through_the_dialog(console: ConsolePage):
    admin = await new_person(console.gateway)
    uploaded = await upload_model(console.gateway, name=unique("model"), headers=bearer_of(admin))
    await console.sign_in(admin)
    page = console.page
    await console.open("#/apis")
    await page.get_by_role("button", name="Create API").click()
    dialog = page.get_by_test_id("create-api")
    await dialog.get_by_label("Name").fill("churn")
    await dialog.locator("select[name=model]").select_option(uploaded["model"]["model_id"])
    await dialog.locator("select[name=version] option").first.wait_for(state="attached")
    await dialog.get_by_label("Trial").check()
    await dialog.get_by_label("Dedicated instance").check()
    await dialog.get_by_label("Daily window").check()
    await dialog.get_by_label("Start (UTC)").fill("08:30")
    await dialog.get_by_label("End (UTC)").fill("18:00")
    await dialog.get_by_label("Sat").check()
    await dialog.get_by_role("button", name="Create").click()

    key = await page.get_by_test_id("created-key").inner_text()
    (api,) = (await (await console.gateway.client.get("/manage/v1/apis", headers=bearer_of(admin))).json())["apis"]
    assert api["api_type"] == "trial" and api["execution_type"] == "dedicated"
    assert api["schedule"] == {
        "always": False,
        "start_time": "08:30",
        "end_time": "18:00",
        "weekdays": ["mon", "tue", "wed", "thu", "fri", "sat"],
    }
    await page.get_by_role("link", name="Open the API").click()
    info = page.get_by_test_id("api-info")
    await info.wait_for()
    assert await page.get_by_test_id("api-key").inner_text() == key
    assert await info.locator("[data-field=api_id]").inner_text() == api["api_id"]
    assert await info.locator("[data-field=url]").inner_text() == api["url"]
    assert "08:30–18:00 UTC" in await info.locator("[data-field=schedule]").inner_text()
    model_id = info.locator("[data-field=model_id] code")
    await page.wait_for_function(
        "id => document.querySelector('[data-field=model_id] code').textContent === id",
        arg=uploaded["model"]["model_id"],
    )
    assert await model_id.inner_text() == uploaded["model"]["model_id"]
    assert re.search(r"\d+ of \d+", await info.locator("[data-field=trial_remaining]").inner_text())
    curl = await page.get_by_test_id("curl-example").inner_text()
    assert api["url"] in curl and f"x-api-key: {key}" in curl and '"inputs":[{"name":' in curl
    python = await page.get_by_test_id("python-example").inner_text()
    assert "requests.post(" in python and key in python
    console.assert_no_errors()


async def test_allowlist_add_a_bad_cidr_then_a_good_one_and_remove_it(console: ConsolePage):
    admin = await new_person(console.gateway)
    _, api = await published(console, admin, rules=[])
    await console.sign_in(admin)
    page = console.page
    await console.open(f"#/apis/{api['api_id']}")
    allowlist = page.get_by_test_id("allowlist")
    await allowlist.get_by_text("No rules").wait_for()
    await allowlist.get_by_label("CIDR").fill("300.1.2.3/8")
    await allowlist.get_by_role("button", name="Add").click()
    refusal = allowlist.get_by_role("alert")
    await refusal.wait_for()
    assert "is not a valid IPv4 or IPv6 CIDR" in await refusal.inner_text()
    await allowlist.get_by_label("CIDR").fill("203.0.113.0/24")
    await allowlist.get_by_role("button", name="Add").click()
    row = allowlist.locator("tr[data-cidr='203.0.113.0/24']")
    await row.wait_for()
    await row.get_by_role("button", name="Remove").click()
    await row.wait_for(state="detached")
    after = await (
        await console.gateway.client.get(f"/manage/v1/apis/{api['api_id']}", headers=bearer_of(admin))
    ).json()
    assert after["api"]["rules"] == []
    console.assert_no_errors("status of 400")


async def test_delete_is_refused_until_stopped_and_unlock_only_for_admins(console: ConsolePage, chromium):
    admin = await new_person(console.gateway)
    member = await new_person(console.gateway, role="member")
    _, api = await published(console, admin)
    await console.sign_in(admin)
    page = console.page
    await console.open(f"#/apis/{api['api_id']}")
    actions = page.get_by_test_id("api-actions")
    await actions.get_by_role("button", name="Delete").click()
    refusal = actions.get_by_role("alert")
    await refusal.wait_for()
    assert "FAILED_PRECONDITION" in await refusal.inner_text()

    await actions.get_by_role("button", name="Lock").click()
    await page.locator("[data-field=locked]", has_text="Locked").wait_for()
    await actions.get_by_role("button", name="Stop").click()
    await refusal.wait_for()
    assert "locked" in (await refusal.inner_text()).lower()

    members_view = await chromium.new_context()
    try:
        other = ConsolePage(await members_view.new_page(), console.gateway, console.base_url)
        await other.sign_in(member)
        await other.open(f"#/apis/{api['api_id']}")
        await other.page.get_by_test_id("api-actions").get_by_role("button", name="Unlock").click()
        members_refusal = other.page.get_by_test_id("api-actions").get_by_role("alert")
        await members_refusal.wait_for()
        assert "PERMISSION_DENIED" in await members_refusal.inner_text()
    finally:
        await members_view.close()

    await actions.get_by_role("button", name="Unlock").click()
    await page.locator("[data-field=locked]", has_text="Not locked").wait_for()
    await actions.get_by_role("button", name="Stop").click()
    await page.locator("[data-field=status] [data-status=stopped]").wait_for()
    await actions.get_by_role("button", name="Delete").click()
    await page.get_by_test_id("api-deleted").wait_for()
    gone = await console.gateway.client.get(f"/manage/v1/apis/{api['api_id']}", headers=bearer_of(admin))
    assert gone.status == 404
    console.assert_no_errors("status of 409")


async def test_the_graph_shows_the_usage_counters(console: ConsolePage):
    admin = await new_person(console.gateway)
    _, api = await published(console, admin)
    today = datetime.now(UTC).date()
    counted = {
        today.isoformat(): (7, 2, 1),
        (today - timedelta(days=3)).isoformat(): (4, 0, 5),
        (today - timedelta(days=40)).isoformat(): (99, 99, 99),  # outside the graph's 30 days
    }
    await console.gateway.registry.stub.RecordUsage(
        rs.RecordUsageRequest(
            increments=[
                apis_pb2.DailyUsage(api_id=api["api_id"], day=day, count_2xx=ok, count_4xx=client, count_5xx=server)
                for day, (ok, client, server) in counted.items()
            ]
        )
    )
    await console.sign_in(admin)
    page = console.page
    await console.open(f"#/apis/{api['api_id']}")
    await page.get_by_test_id("usage-chart").wait_for()
    shown = await page.evaluate(
        """() => {
            const chart = window.Chart.getChart(document.querySelector("[data-testid=usage-chart]"));
            return {labels: chart.data.labels, ok: chart.data.datasets[0].data, failed: chart.data.datasets[1].data};
        }"""
    )
    first = (today - timedelta(days=29)).isoformat()
    usage = await console.gateway.client.get(
        f"/manage/v1/apis/{api['api_id']}/usage?from={first}&to={today.isoformat()}", headers=bearer_of(admin)
    )
    by_day = {day["day"]: day for day in (await usage.json())["days"]}
    assert len(shown["labels"]) == 30 and shown["labels"][-1] == today.isoformat() and shown["labels"][0] == first
    assert shown["ok"] == [by_day[day]["count_2xx"] if day in by_day else 0 for day in shown["labels"]]
    assert shown["failed"] == [
        by_day[day]["count_4xx"] + by_day[day]["count_5xx"] if day in by_day else 0 for day in shown["labels"]
    ]
    assert shown["ok"][-1] == 7 and shown["failed"][-1] == 3 and shown["failed"][-4] == 5
    assert sum(shown["ok"]) == 11
    console.assert_no_errors()
