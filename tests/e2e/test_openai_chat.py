"""OpenAI chat end to end: a GGUF uploaded and published through the management API, served by
llama.cpp inside the real Triton, called with the official `openai` client (sync and async,
streamed and not) and with raw HTTP, as the contract (shared/contracts/openai-chat.md) says.

One platform and one chat API for the module (a model load costs seconds); tests that change an
API's state publish one of their own from the same model version. Generation is greedy
(temperature 0) where texts are compared, and short (a few tokens) everywhere.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import openai
import pytest

from services.gateway.app_keys import RUNTIME
from services.policy.triton_names import triton_model_name
from services.runtime.service_auth import triton_headers
from services.scheduler.triton.control import TritonControl
from tests.e2e.chat_platform import HELLO, MODEL_ID, SCHEDULER, Chat, chat_platform
from tests.polling import eventually
from tests.service_token import SERVICE_TOKEN


@pytest.fixture(scope="module")
async def chat(postgres_dsn, shared_triton, tmp_path_factory):
    async with chat_platform(postgres_dsn, shared_triton, tmp_path_factory.mktemp("chat")) as chat:
        yield chat


def _ask(client: openai.OpenAI, **fields):
    return client.chat.completions.create(**{"model": MODEL_ID, "messages": HELLO, "temperature": 0, **fields})


# --- answers ----------------------------------------------------------------------------------


async def test_a_completion_in_openai_s_shape(chat):
    response = await asyncio.to_thread(_ask, chat.client(), max_tokens=8)
    assert response.object == "chat.completion"
    assert response.model == MODEL_ID
    assert response.id.startswith("chatcmpl-")
    (choice,) = response.choices
    assert choice.message.role == "assistant"
    assert choice.message.content
    assert choice.finish_reason in ("stop", "length")
    usage = response.usage
    assert usage.prompt_tokens > 5 and 1 <= usage.completion_tokens <= 8
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


async def test_a_stream_says_what_the_whole_answer_says(chat):
    whole = await asyncio.to_thread(_ask, chat.client(), max_tokens=12)

    def streamed():
        return list(_ask(chat.client(), max_tokens=12, stream=True, stream_options={"include_usage": True}))

    chunks = await asyncio.to_thread(streamed)
    assert {chunk.id for chunk in chunks} == {chunks[0].id}
    assert {chunk.created for chunk in chunks} == {chunks[0].created}
    assert all(chunk.model == MODEL_ID and chunk.object == "chat.completion.chunk" for chunk in chunks)
    assert chunks[0].choices[0].delta.role == "assistant"
    *choice_chunks, usage_chunk = chunks
    text = "".join(chunk.choices[0].delta.content or "" for chunk in choice_chunks)
    assert text == whole.choices[0].message.content
    assert choice_chunks[-1].choices[0].finish_reason == whole.choices[0].finish_reason
    assert usage_chunk.choices == []
    assert usage_chunk.usage.prompt_tokens == whole.usage.prompt_tokens
    assert usage_chunk.usage.completion_tokens == whole.usage.completion_tokens


async def test_the_async_client_streams_token_by_token(chat):
    client = chat.async_client()
    stream = await client.chat.completions.create(
        model=MODEL_ID, messages=HELLO, temperature=0, max_tokens=6, stream=True
    )
    contents = [chunk.choices[0].delta.content async for chunk in stream if chunk.choices[0].delta.content]
    await client.close()
    assert len(contents) >= 2  # one event per token, not one at the end


async def test_max_tokens_ends_with_length(chat):
    response = await asyncio.to_thread(
        _ask, chat.client(), max_completion_tokens=3, messages=[{"role": "user", "content": "Count to fifty."}]
    )
    assert response.choices[0].finish_reason == "length"
    assert response.usage.completion_tokens == 3


async def test_a_stop_sequence_ends_the_text_and_is_left_out(chat):
    free = await asyncio.to_thread(_ask, chat.client(), max_tokens=16)
    text = free.choices[0].message.content
    words = text.split()
    assert len(words) >= 3, text
    stop = " " + words[2]
    stopped = await asyncio.to_thread(_ask, chat.client(), max_tokens=16, stop=[stop])
    assert stopped.choices[0].finish_reason == "stop"
    assert stopped.choices[0].message.content == text[: text.index(stop)]


# --- models -----------------------------------------------------------------------------------


async def test_models_lists_what_the_key_may_call(chat):
    models = await asyncio.to_thread(lambda: chat.client().models.list())
    assert [model.id for model in models.data] == [MODEL_ID]
    assert models.data[0].object == "model" and models.data[0].created > 0


async def test_a_model_is_found_by_its_id_raw_or_escaped(chat):
    found = await asyncio.to_thread(lambda: chat.client().models.retrieve(MODEL_ID))
    assert found.id == MODEL_ID
    headers = {"Authorization": f"Bearer {chat.key}"}
    for path in ("/v1/models/acme/chat-small", "/v1/models/acme%2Fchat-small"):
        response = await chat.platform.client.get(path, headers=headers)
        assert response.status == 200, path
        assert (await response.json())["id"] == MODEL_ID
    response = await chat.platform.client.get("/v1/models/acme/other", headers=headers)
    assert response.status == 404
    assert (await response.json())["error"]["code"] == "model_not_found"


# --- errors -----------------------------------------------------------------------------------


async def test_a_wrong_or_missing_key_is_401(chat):
    with pytest.raises(openai.AuthenticationError) as raised:
        await asyncio.to_thread(_ask, chat.client(key=f"{uuid.uuid4()}.{'0' * 64}"), max_tokens=2)
    assert raised.value.code == "invalid_api_key"
    response = await chat.platform.client.get("/v1/models")
    assert response.status == 401
    assert set((await response.json())["error"]) == {"message", "type", "param", "code"}


async def test_an_unknown_model_is_404(chat):
    with pytest.raises(openai.NotFoundError) as raised:
        await asyncio.to_thread(_ask, chat.client(), model="acme/nothing", max_tokens=2)
    assert raised.value.code == "model_not_found"
    assert "acme/nothing" in raised.value.message


@pytest.mark.parametrize(
    ("fields", "param", "code"),
    [
        ({"n": 2}, "n", "unsupported_value"),
        ({"temperature": 3}, "temperature", "decimal_above_max_value"),
        ({"max_tokens": 0}, "max_tokens", "integer_below_min_value"),
        ({"logprobs": True}, "logprobs", "unsupported_parameter"),
        ({"stop": ["a", "b", "c", "d", "e"]}, "stop", "array_above_max_length"),
    ],
)
async def test_a_field_the_engine_cannot_serve_is_400(chat, fields, param, code):
    with pytest.raises(openai.BadRequestError) as raised:
        await asyncio.to_thread(_ask, chat.client(), **fields)
    assert raised.value.param == param
    assert raised.value.code == code


async def test_malformed_json_is_400_with_torii_s_own_words(chat):
    response = await chat.platform.client.post(
        "/v1/chat/completions",
        data=b'{"model": "acme/chat-small", "messages": [',
        headers={"Authorization": f"Bearer {chat.key}", "Content-Type": "application/json"},
    )
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["code"] is None and error["param"] is None
    assert "line" not in error["message"]  # no parser text


async def test_a_prompt_past_the_context_is_400_context_length_exceeded(chat):
    long = [{"role": "user", "content": "word " * 2000}]
    with pytest.raises(openai.BadRequestError) as raised:
        await asyncio.to_thread(_ask, chat.client(), messages=long, max_tokens=4)
    assert raised.value.code == "context_length_exceeded"
    assert raised.value.param == "messages"


async def test_refusals_of_the_api_s_own_state(chat):
    api, key = await chat.publish(f"acme/state-{uuid.uuid4().hex[:6]}")
    admin, client = chat.platform.admin, chat.platform.client
    api_path = f"/manage/v1/apis/{api['api_id']}"

    def ask(**fields):
        return _ask(chat.client(key=key), model=api["chat_model_id"], max_tokens=2, **fields)

    assert (await asyncio.to_thread(ask)).choices[0].message.content is not None

    deny = {"cidr": "127.0.0.0/8", "action": "deny", "priority": -1}  # before the allow-all rule
    response = await client.post(f"{api_path}/rules", json=deny, headers=admin)
    assert response.status == 201, await response.text()
    await _until_the_catalog_has(chat, api["api_id"], lambda endpoint: len(endpoint.rules) == 2)
    with pytest.raises(openai.AuthenticationError) as raised:
        await asyncio.to_thread(ask)
    assert raised.value.code == "ip_not_authorized"
    response = await client.delete(f"{api_path}/rules", params={"cidr": "127.0.0.0/8"}, headers=admin)
    assert response.status == 200, await response.text()

    assert (await client.post(f"{api_path}/lock", headers=admin)).status == 200
    await _until_the_catalog_has(chat, api["api_id"], lambda endpoint: endpoint.api.locked)
    with pytest.raises(openai.PermissionDeniedError):
        await asyncio.to_thread(ask)
    assert (await client.post(f"{api_path}/unlock", headers=admin)).status == 200
    await _until_the_catalog_has(chat, api["api_id"], lambda endpoint: not endpoint.api.locked)

    assert (await client.post(f"{api_path}/stop", headers=admin)).status == 200
    await chat.platform.wait_for_status(api["api_id"], "stopped")
    with pytest.raises(openai.PermissionDeniedError):
        await asyncio.to_thread(ask)
    # Its answered streams are over: Triton lets the model go (a stream cancelled after its last
    # answer once kept it loaded for good).
    control = TritonControl(chat.platform.triton_address, triton_headers(SERVICE_TOKEN))
    name = triton_model_name(api["api_id"], api["model_version_id"])
    try:
        await eventually(
            lambda: control.is_model_ready(name), lambda ready: not ready, timeout_s=20, what="the model unloaded"
        )
    finally:
        await control.close()


async def _until_the_catalog_has(chat: Chat, api_id: str, accept) -> None:
    catalog = chat.platform.client.app[RUNTIME].catalog
    await eventually(
        lambda: catalog.get(api_id),
        lambda endpoint: endpoint is not None and accept(endpoint),
        what="the gateway's catalog to follow the change",
    )


async def test_a_trial_chat_api_answers_exactly_its_quota_then_402(chat):
    api, key = await chat.publish(f"acme/trial-{uuid.uuid4().hex[:6]}", api_type="trial")
    headers = {"Authorization": f"Bearer {key}"}
    body = {"model": api["chat_model_id"], "messages": HELLO, "max_tokens": 1, "temperature": 0}
    statuses: list[int] = []

    async def caller() -> None:
        # Until the quota says no; a 503 (every slot and queue place taken) is given back and retried.
        while True:
            response = await chat.platform.client.post("/v1/chat/completions", json=body, headers=headers)
            await response.read()
            statuses.append(response.status)
            if response.status == 402:
                return

    callers = SCHEDULER["chat_slots"] + SCHEDULER["chat_max_queue"] + 2
    await asyncio.gather(*(caller() for _ in range(callers)))
    assert statuses.count(200) == api["trial"]["limit"]
    assert set(statuses) <= {200, 402, 503}


# --- streams that end early ----------------------------------------------------------------------


async def test_a_client_that_leaves_mid_stream_frees_its_slot(chat):
    body = {
        "model": MODEL_ID,
        "messages": [{"role": "user", "content": "Write a very long story about a dragon."}],
        "max_tokens": 450,  # about the slot's whole context: seconds of work each
        "stream": True,
    }
    headers = {"Authorization": f"Bearer {chat.key}"}
    # Every slot and queue place: each stream is left after its first event.
    for _ in range(SCHEDULER["chat_slots"] + SCHEDULER["chat_max_queue"]):
        response = await chat.platform.client.post("/v1/chat/completions", json=body, headers=headers)
        assert response.status == 200
        assert (await response.content.readline()).startswith(b"data: ")
        response.close()

    def ask():
        try:
            return _ask(chat.client(), max_tokens=2)
        except openai.InternalServerError:  # 503 while the cancellations reach the engine
            return None

    # Had the left streams gone on generating, every place would stay taken (503) for many seconds.
    answer = await eventually(lambda: asyncio.to_thread(ask), timeout_s=8, what="a free slot")
    assert answer.choices[0].message.content is not None


async def test_raw_sse_bytes_keep_to_the_contract(chat):
    body = {"model": MODEL_ID, "messages": HELLO, "max_tokens": 4, "temperature": 0, "stream": True}
    response = await chat.platform.client.post(
        "/v1/chat/completions", json=body, headers={"Authorization": f"Bearer {chat.key}"}
    )
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    assert response.headers["Cache-Control"] == "no-cache"
    raw = (await response.read()).decode()
    events = raw.split("\n\n")
    assert events[-1] == "" and events[-2] == "data: [DONE]"
    decoded = [json.loads(event.removeprefix("data: ")) for event in events[:-2]]
    assert all(event.startswith("data: ") for event in events[:-1])
    assert all("usage" not in chunk for chunk in decoded)
    assert decoded[0]["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert decoded[-1]["choices"][0]["delta"] == {} and decoded[-1]["choices"][0]["finish_reason"]


async def test_every_chat_request_is_counted_for_its_api_and_its_tokens_for_its_key(chat):
    api, key = await chat.publish(f"acme/counted-{uuid.uuid4().hex[:6]}")
    model = api["chat_model_id"]
    headers = {"Authorization": f"Bearer {key}"}
    client = chat.platform.client

    async def post(body: dict, *, leave_early: bool = False) -> tuple[int, bytes]:
        response = await client.post("/v1/chat/completions", json=body, headers=headers)
        if leave_early:
            line = await response.content.readline()
            response.close()
            return response.status, line
        return response.status, await response.read()

    asked = {"model": model, "messages": HELLO, "max_tokens": 3, "temperature": 0}
    status, whole = await post(asked)
    assert status == 200
    status, streamed = await post({**asked, "stream": True, "stream_options": {"include_usage": True}})
    assert status == 200
    final_usage = json.loads(streamed.decode().split("\n\n")[-3].removeprefix("data: "))["usage"]
    assert (await post({**asked, "max_tokens": 200, "stream": True}, leave_early=True))[0] == 200
    assert (await post({**asked, "model": "acme/elsewhere"}))[0] == 404
    assert (await post({**asked, "n": 3}))[0] == 400

    async def usage() -> dict:
        response = await client.get(f"/manage/v1/apis/{api['api_id']}/usage", headers=chat.platform.admin)
        return await response.json()

    counted = await eventually(
        usage,
        lambda body: (
            [(d["count_2xx"], d["count_4xx"], d["count_5xx"]) for d in body["days"]] == [(3, 2, 0)]
            and body["chat_tokens"]
            and body["chat_tokens"][0]["requests"] == 3
        ),
        timeout_s=10,
        what="the counts (3, 2, 0) and 3 requests' tokens",
    )
    (tokens,) = counted["chat_tokens"]
    assert tokens["key_id"] == key.partition(".")[0] and tokens["project"] == ""
    answered = json.loads(whole)["usage"]
    # The same prompt three times; the stream left after its first event still generated a token or more.
    assert tokens["prompt_tokens"] == 3 * answered["prompt_tokens"] == 3 * final_usage["prompt_tokens"]
    left_early = tokens["completion_tokens"] - answered["completion_tokens"] - final_usage["completion_tokens"]
    assert 1 <= left_early <= 200
