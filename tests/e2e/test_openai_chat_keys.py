"""Chat keys end to end: virtual keys made through the management API that call several chat APIs
served by the real Triton, within limits the registry keeps exactly, also across two gateway
processes, with OpenAI's 429/402 answers and x-ratelimit-* headers, and usage per key and project.

One platform and two chat APIs for the module; each test makes keys of its own, so their limits
and usage do not mix. Generation is a token or a few.
"""

from __future__ import annotations

import asyncio
import uuid

import aiohttp
import openai
import pytest

from tests.e2e.chat_platform import HELLO, MODEL_ID, SCHEDULER, Chat, chat_platform
from tests.e2e.gateway_process import gateway_process
from tests.polling import eventually

SECOND_MODEL_ID = "acme/chat-two"
# Room in the queue for every request a test lets through at once.
ROOMY = {**SCHEDULER, "chat_max_queue": 16}
ASKED = {"model": MODEL_ID, "messages": HELLO, "max_tokens": 1, "temperature": 0}


@pytest.fixture(scope="module")
async def chat(postgres_dsn, shared_triton, tmp_path_factory):
    async with chat_platform(postgres_dsn, shared_triton, tmp_path_factory.mktemp("keys"), scheduler=ROOMY) as chat:
        second, _ = await chat.publish(SECOND_MODEL_ID)
        chat.platform.model_ids[SECOND_MODEL_ID] = second["api_id"]
        yield chat


async def _chat_key(chat: Chat, api_ids: list[str] | None = None, **fields) -> tuple[dict, str]:
    response = await chat.platform.client.post(
        "/manage/v1/chat-keys",
        json={"name": f"key-{uuid.uuid4().hex[:6]}", "api_ids": api_ids or [chat.api["api_id"]], **fields},
        headers=chat.platform.admin,
    )
    body = await response.json()
    assert response.status == 201, body
    key = body["api_key"]
    # The gateway hears of a new key through the registry's watch.
    await eventually(lambda: _models(chat, key), lambda answer: answer[0] == 200, what="the key to be known")
    return body["chat_key"], key


async def _models(chat: Chat, key: str) -> tuple[int, dict]:
    response = await chat.platform.client.get("/v1/models", headers={"Authorization": f"Bearer {key}"})
    return response.status, await response.json()


async def _post(chat: Chat, key: str, body: dict | None = None, project: str = "") -> aiohttp.ClientResponse:
    headers = {"Authorization": f"Bearer {key}"}
    if project:
        headers["OpenAI-Project"] = project
    response = await chat.platform.client.post("/v1/chat/completions", json=body or ASKED, headers=headers)
    await response.read()
    return response


async def _key_usage(chat: Chat, key_id: str) -> list[dict]:
    response = await chat.platform.client.get(f"/manage/v1/chat-keys/{key_id}/usage", headers=chat.platform.admin)
    body = await response.json()
    assert response.status == 200, body
    return body["usage"]


async def test_a_chat_key_lists_and_calls_exactly_the_models_it_is_given(chat):
    second_api = chat.platform.model_ids[SECOND_MODEL_ID]
    key_info, key = await _chat_key(chat)
    status, listed = await _models(chat, key)
    assert [model["id"] for model in listed["data"]] == [MODEL_ID]
    assert (await _post(chat, key, {**ASKED, "model": SECOND_MODEL_ID})).status == 404

    response = await chat.platform.client.patch(
        f"/manage/v1/chat-keys/{key_info['key_id']}",
        json={"api_ids": [chat.api["api_id"], second_api]},
        headers=chat.platform.admin,
    )
    assert response.status == 200, await response.json()
    await eventually(
        lambda: _models(chat, key),
        lambda answer: sorted(model["id"] for model in answer[1]["data"]) == sorted([MODEL_ID, SECOND_MODEL_ID]),
        what="both models listed",
    )
    for model in (MODEL_ID, SECOND_MODEL_ID):
        assert (await _post(chat, key, {**ASKED, "model": model})).status == 200
    # The API's own key still opens only its API.
    assert [model["id"] for model in (await _models(chat, chat.key))[1]["data"]] == [MODEL_ID]


async def test_requests_per_minute_are_exact_across_two_gateway_processes(chat, tmp_path):
    limit = 6
    _, key = await _chat_key(chat, limits={"requests_per_minute": limit})
    platform = chat.platform
    async with (
        gateway_process(
            platform.gateway.registry.address, platform.triton_address, tmp_path, chat_timeout_s="120"
        ) as other_gateway,
        aiohttp.ClientSession() as session,
    ):
        await eventually(
            lambda: _status_of_models(session, other_gateway, key), lambda status: status == 200, what="the key known"
        )

        async def post(base_url: str | None) -> tuple[int, dict[str, str]]:
            headers = {"Authorization": f"Bearer {key}"}
            if base_url is None:
                response = await platform.client.post("/v1/chat/completions", json=ASKED, headers=headers)
            else:
                response = await session.post(f"{base_url}/v1/chat/completions", json=ASKED, headers=headers)
            await response.read()
            return response.status, dict(response.headers)

        answers = await asyncio.gather(*(post(None if n % 2 else other_gateway) for n in range(50)))
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * limit + [429] * (50 - limit)
    for status, headers in answers:
        assert headers["x-ratelimit-limit-requests"] == str(limit)
        if status == 429:
            assert 1 <= int(headers["Retry-After"]) <= 60
            assert headers["x-ratelimit-remaining-requests"] == "0"
    remaining = sorted(int(headers["x-ratelimit-remaining-requests"]) for status, headers in answers if status == 200)
    assert remaining == list(range(limit))


async def _status_of_models(session: aiohttp.ClientSession, base_url: str, key: str) -> int:
    async with session.get(f"{base_url}/v1/models", headers={"Authorization": f"Bearer {key}"}) as response:
        return response.status


async def test_the_sixth_request_of_a_key_with_rpm_5_gets_429_and_retry_after(chat):
    _, key = await _chat_key(chat, limits={"requests_per_minute": 5})
    client = chat.client(key)
    for _ in range(5):
        answered = await asyncio.to_thread(client.chat.completions.with_raw_response.create, **ASKED)
        assert answered.headers["x-ratelimit-limit-requests"] == "5"
    with pytest.raises(openai.RateLimitError) as refused:
        await asyncio.to_thread(client.chat.completions.create, **ASKED)
    assert 1 <= int(refused.value.response.headers["Retry-After"]) <= 60
    assert refused.value.body["code"] == "rate_limit_exceeded"


async def test_a_daily_token_budget_runs_out_mid_day_and_is_never_exceeded(chat):
    budget = 600
    key_info, key = await _chat_key(chat, limits={"tokens_per_day": budget, "tokens_per_minute": 100_000})
    client = chat.client(key)
    used = 0
    answers = 0
    refusal: openai.APIStatusError | None = None
    while refusal is None:
        assert answers < 100, "the budget never ran out"
        try:
            answered = await asyncio.to_thread(
                client.chat.completions.with_raw_response.create, **{**ASKED, "max_tokens": 4}
            )
        except openai.APIStatusError as refused:
            refusal = refused
            continue
        completion = answered.parse()
        used += completion.usage.total_tokens
        answers += 1
        assert answered.headers["x-ratelimit-limit-tokens"] == "100000"
    assert refusal.status_code == 402
    assert isinstance(refusal.body, dict) and refusal.body["code"] == "insufficient_quota"
    assert answers >= 2
    assert used <= budget
    # What is left of the day is too little for such a request, through any gateway, all day.
    assert (await _post(chat, key, {**ASKED, "max_tokens": 4})).status == 402
    counted = await eventually(
        lambda: _key_usage(chat, key_info["key_id"]),
        lambda days: sum(day["requests"] for day in days) == answers,
        what="the key's usage",
    )
    assert sum(day["prompt_tokens"] + day["completion_tokens"] for day in counted) == used


async def test_projects_are_buckets_of_their_own_and_usage_shows_each(chat):
    key_info, key = await _chat_key(chat, limits={"requests_per_minute": 2}, projects=["team/a", "team/b"])
    assert [(await _post(chat, key, project="team/a")).status for _ in range(3)] == [200, 200, 429]
    assert (await _post(chat, key, project="team/b")).status == 200
    assert (await _post(chat, key)).status == 200
    refused = await _post(chat, key, project="team/c")
    assert refused.status == 401
    assert (await refused.json())["error"]["code"] == "invalid_api_key"

    expected = {"team/a": 2, "team/b": 1, "": 1}
    counted = await eventually(
        lambda: _key_usage(chat, key_info["key_id"]),
        lambda days: {day["project"]: day["requests"] for day in days} == expected,
        what="requests per project",
    )
    assert all(day["api_id"] == chat.api["api_id"] and day["prompt_tokens"] > 0 for day in counted)
    response = await chat.platform.client.get(
        f"/manage/v1/apis/{chat.api['api_id']}/usage", headers=chat.platform.admin
    )
    by_api = (await response.json())["chat_tokens"]
    assert {row["project"]: row["requests"] for row in by_api if row["key_id"] == key_info["key_id"]} == expected


async def test_a_stream_left_midway_gives_its_place_in_flight_back(chat):
    _, key = await _chat_key(chat, limits={"max_in_flight": 1})
    headers = {"Authorization": f"Bearer {key}"}
    response = await chat.platform.client.post(
        "/v1/chat/completions", json={**ASKED, "max_tokens": 200, "stream": True}, headers=headers
    )
    assert response.status == 200
    await response.content.readline()
    assert (await _post(chat, key)).status == 429
    response.close()
    await eventually(lambda: _post(chat, key), lambda answer: answer.status == 200, what="the place given back")


async def test_a_rotated_or_revoked_key_is_refused(chat):
    key_info, key = await _chat_key(chat)
    response = await chat.platform.client.post(
        f"/manage/v1/chat-keys/{key_info['key_id']}/rotate", headers=chat.platform.admin
    )
    new_key = (await response.json())["api_key"]
    await eventually(lambda: _post(chat, key), lambda answer: answer.status == 401, what="the old secret refused")
    assert (await _post(chat, new_key)).status == 200
    response = await chat.platform.client.delete(
        f"/manage/v1/chat-keys/{key_info['key_id']}", headers=chat.platform.admin
    )
    assert response.status == 204
    await eventually(lambda: _post(chat, new_key), lambda answer: answer.status == 401, what="the key refused")
