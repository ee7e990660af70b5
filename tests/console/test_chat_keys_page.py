"""Chat keys in the console: one created with its APIs, limits and projects (the secret shown once
and accepted by the chat contract), changed, refused with the server's words, deleted; its usage
per day and project equal to the usage route's; the page in Japanese."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from tests.console.conftest import ConsolePage, Person, bearer_of, new_person, unique
from tests.gateway.helpers import create_api, upload_form
from tests.gateway.test_chat_models import FAKE_GGUF
from tests.polling import eventually
from torii.v1 import apis_pb2
from torii.v1 import registry_service_pb2 as rs

KEYS = "/manage/v1/chat-keys"


async def chat_api(console: ConsolePage, admin: Person) -> dict:
    """A chat API of the admin's account, published from a fake GGUF (no Triton serves it here)."""
    form = upload_form({"name": unique("chat"), "format": "gguf"}, FAKE_GGUF, "model.gguf")
    uploaded = await console.gateway.client.post("/manage/v1/models", data=form, headers=bearer_of(admin))
    body = await uploaded.json()
    assert uploaded.status == 201, body
    created = await create_api(
        console.gateway,
        body["version"]["model_version_id"],
        headers=bearer_of(admin),
        name=unique("chat-api"),
        execution_type="dedicated",
        chat_model_id=f"acme/chat-{uuid.uuid4().hex[:8]}",
    )
    return created["api"]


async def key_of(console: ConsolePage, admin: Person, key_id: str) -> tuple[int, dict]:
    response = await console.gateway.client.get(f"{KEYS}/{key_id}", headers=bearer_of(admin))
    return response.status, await response.json()


async def test_create_change_refuse_and_delete_a_chat_key(console: ConsolePage):
    admin = await new_person(console.gateway)
    first, second = await chat_api(console, admin), await chat_api(console, admin)
    await console.sign_in(admin)
    page = console.page
    await console.open("#/chat-keys")
    await page.get_by_text("No chat keys yet.").wait_for()
    form = page.get_by_test_id("create-chat-key")
    await form.get_by_label("Name").fill("team key")
    await form.get_by_label(first["name"]).check()
    await form.get_by_label("Requests per minute").fill("60")
    await form.get_by_label("Tokens per day (UTC)").fill("100000")
    await form.locator("textarea[name=projects]").fill("acme/search\nacme/chat")
    await form.get_by_label("Default project").fill("acme/chat")
    await form.get_by_role("button", name="Create").click()

    secret = await page.get_by_test_id("chat-key-secret").inner_text()
    row = page.locator("tr[data-name='team key']")
    await row.wait_for()
    listed = await (await console.gateway.client.get(KEYS, headers=bearer_of(admin))).json()
    (key,) = listed["chat_keys"]
    assert key["api_ids"] == [first["api_id"]]
    assert key["limits"]["requests_per_minute"] == 60 and key["limits"]["tokens_per_day"] == 100_000
    assert key["limits"]["max_in_flight"] is None
    assert key["projects"] == ["acme/search", "acme/chat"] and key["default_project"] == "acme/chat"
    assert first["name"] in await row.locator("[data-field=apis]").inner_text()
    assert "Requests per minute: 60" in await row.locator("[data-field=limits]").inner_text()
    assert await row.locator("[data-field=expires_at]").inner_text() == "Never"

    # The secret shown is the key: the chat contract lists exactly its one model for it.
    async def models_of_the_key() -> tuple[int, dict]:
        response = await console.gateway.client.get("/v1/models", headers={"Authorization": f"Bearer {secret}"})
        return response.status, await response.json()

    answer: tuple[int, dict] = await eventually(
        models_of_the_key, lambda answer: answer[0] == 200, what="the new chat key to be known to the gateway"
    )
    assert [model["id"] for model in answer[1]["data"]] == [first["chat_model_id"]]

    await row.get_by_role("link", name="team key").click()
    edit = page.get_by_test_id("edit-chat-key")
    await edit.wait_for()
    await edit.get_by_label("Name").fill("renamed key")
    await edit.get_by_label(second["name"]).check()
    await edit.get_by_label("Requests per minute").fill("")
    await edit.get_by_label("Requests at once").fill("2")
    await edit.get_by_role("button", name="Save").click()
    await page.get_by_role("heading", name="renamed key", exact=True).wait_for()
    await page.get_by_test_id("edit-chat-key").get_by_text("Saved.").wait_for()
    _, changed = await key_of(console, admin, key["key_id"])
    assert changed["chat_key"]["name"] == "renamed key"
    assert sorted(changed["chat_key"]["api_ids"]) == sorted([first["api_id"], second["api_id"]])
    assert changed["chat_key"]["limits"]["requests_per_minute"] is None
    assert changed["chat_key"]["limits"]["max_in_flight"] == 2
    assert changed["chat_key"]["limits"]["tokens_per_day"] == 100_000
    assert "Requests at once: 2" in await page.locator("[data-testid=chat-key-info] [data-field=limits]").inner_text()

    edit = page.get_by_test_id("edit-chat-key")
    await edit.get_by_label("Default project").fill("elsewhere")
    await edit.get_by_role("button", name="Save").click()
    refusal = edit.get_by_role("alert")
    await refusal.wait_for()
    server_says = await console.gateway.client.patch(
        f"{KEYS}/{key['key_id']}",
        json={"projects": ["acme/search", "acme/chat"], "default_project": "elsewhere"},
        headers=bearer_of(admin),
    )
    assert server_says.status == 400
    assert (await server_says.json())["error"]["message"] in await refusal.inner_text()

    await page.get_by_test_id("chat-key-actions").get_by_role("button", name="Delete").click()
    await page.get_by_test_id("chat-key-deleted").wait_for()
    status, _ = await key_of(console, admin, key["key_id"])
    assert status == 404
    console.assert_no_errors("status of 400")


async def test_usage_per_day_and_project_equals_the_usage_route(console: ConsolePage):
    admin = await new_person(console.gateway)
    api = await chat_api(console, admin)
    created = await console.gateway.client.post(
        KEYS,
        json={"name": "metered", "api_ids": [api["api_id"]], "projects": ["team/a", "team/b"]},
        headers=bearer_of(admin),
    )
    key = (await created.json())["chat_key"]
    today = datetime.now(UTC).date()
    counted = [
        (today, "team/a", 3, 100, 50),
        (today, "team/b", 1, 7, 3),
        (today - timedelta(days=2), "team/a", 2, 40, 20),
        (today - timedelta(days=5), "", 1, 5, 5),
        (today - timedelta(days=45), "team/a", 9, 999, 999),  # outside the 30 days shown
    ]
    await console.gateway.registry.stub.RecordUsage(
        rs.RecordUsageRequest(
            chat_tokens=[
                apis_pb2.ChatTokenUsage(
                    api_id=api["api_id"],
                    key_id=key["key_id"],
                    project=project,
                    day=day.isoformat(),
                    requests=requests,
                    prompt_tokens=prompt,
                    completion_tokens=completion,
                )
                for day, project, requests, prompt, completion in counted
            ]
        )
    )
    await console.sign_in(admin)
    page = console.page
    await console.open(f"#/chat-keys/{key['key_id']}")
    await page.get_by_test_id("token-chart").wait_for()
    await page.get_by_test_id("usage-by-project").wait_for()
    shown = await page.evaluate(
        """() => {
            const chart = window.Chart.getChart(document.querySelector("[data-testid=token-chart]"));
            return {labels: chart.data.labels, sets: chart.data.datasets.map((set) => [set.label, set.data])};
        }"""
    )
    first = (today - timedelta(days=29)).isoformat()
    usage = await console.gateway.client.get(
        f"{KEYS}/{key['key_id']}/usage?from_day={first}&to_day={today.isoformat()}", headers=bearer_of(admin)
    )
    rows = (await usage.json())["usage"]
    assert len(shown["labels"]) == 30 and shown["labels"][0] == first and shown["labels"][-1] == today.isoformat()
    expected = {
        project or "(no project)": [
            sum(r["prompt_tokens"] + r["completion_tokens"] for r in rows if r["project"] == project and r["day"] == d)
            for d in shown["labels"]
        ]
        for project in {r["project"] for r in rows}
    }
    assert dict(shown["sets"]) == expected
    assert expected["team/a"][-1] == 150 and expected["team/a"][-3] == 60 and expected["(no project)"][-6] == 10

    team_a = page.locator("tr[data-project='team/a']")
    assert await team_a.locator("[data-field=requests]").inner_text() == "5"
    assert await team_a.locator("[data-field=prompt_tokens]").inner_text() == "140"
    assert await team_a.locator("[data-field=completion_tokens]").inner_text() == "70"
    assert api["name"] in await team_a.inner_text()
    assert await page.locator("tr[data-project='team/b'] [data-field=requests]").inner_text() == "1"
    console.assert_no_errors()


async def test_the_chat_keys_page_in_japanese(console: ConsolePage):
    admin = await new_person(console.gateway)
    await console.sign_in(admin)
    page = console.page
    await console.open("#/chat-keys")
    await page.get_by_role("heading", name="Chat keys", exact=True).wait_for()
    await page.get_by_test_id("no-chat-apis").wait_for()
    await page.get_by_test_id("language").select_option("ja")
    await page.get_by_role("heading", name="チャットキー", exact=True).wait_for()
    await page.get_by_role("heading", name="チャットキーを作成").wait_for()
    assert await page.locator("nav a[data-nav=workspaces]").inner_text() == "ワークスペース"
    # Every string the console shows has its Japanese, and no Japanese string is left over.
    keys = await page.evaluate(
        "async () => { const i18n = await import('./assets/i18n.js'); return [i18n.KEYS_EN, i18n.KEYS_JA]; }"
    )
    assert sorted(keys[0]) == sorted(keys[1])
    console.assert_no_errors()
