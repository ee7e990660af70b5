"""The bytes the gateway writes for a completion: §4's answer and §5's stream, byte for byte."""

from __future__ import annotations

import re

import orjson
import pytest

from services.gateway.openai_chat import errors
from services.gateway.openai_chat.chunks import (
    DONE,
    Completion,
    completion_body,
    content_event,
    error_event,
    finish_event,
    role_event,
    usage_event,
)

CHUNK_KEYS = ["id", "object", "created", "model", "choices"]
CHOICE_KEYS = ["index", "delta", "logprobs", "finish_reason"]
TEXTS = ["Hi", "", " ", 'say "no"', "line\nbreak\n\n", "data: [DONE]\n\n", "héllo 世界 🎉", "\\", "</script>", "\u2028"]


def example_completion() -> Completion:
    return Completion(id="chatcmpl-1", created=1700000000, model="m")


def decoded(event: bytes) -> dict:
    """The JSON of one SSE event, after checking its framing: one `data: ` line and a blank line."""
    assert event.startswith(b"data: ")
    assert event.endswith(b"\n\n")
    payload = event[len(b"data: ") : -2]
    assert b"\n" not in payload and b"\r" not in payload
    return orjson.loads(payload)


def test_the_stream_matches_the_contracts_example_byte_for_byte():
    # §5, with include_usage; "<same 4 keys>" written out.
    completion = example_completion()
    same = b'"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m"'
    assert role_event(completion, True) == (
        b'data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1700000000,"model":"m","choices":'
        b'[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],'
        b'"usage":null}\n\n'
    )
    assert content_event(completion, "Hi", True) == (
        b"data: {" + same + b',"choices":[{"index":0,"delta":{"content":"Hi"},"logprobs":null,"finish_reason":null}],'
        b'"usage":null}\n\n'
    )
    assert finish_event(completion, "stop", True) == (
        b"data: {" + same + b',"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],'
        b'"usage":null}\n\n'
    )
    assert usage_event(completion, 9, 1) == (
        b"data: {" + same + b',"choices":[],"usage":{"prompt_tokens":9,"completion_tokens":1,"total_tokens":10}}\n\n'
    )
    assert DONE == b"data: [DONE]\n\n"


@pytest.mark.parametrize("include_usage", [True, False])
def test_choice_chunks_have_exactly_the_examples_keys(include_usage):
    completion = Completion.new("acme/chat-small")
    events = [
        role_event(completion, include_usage),
        content_event(completion, "Hi", include_usage),
        finish_event(completion, "length", include_usage),
    ]
    for event in events:
        chunk = decoded(event)
        assert list(chunk) == CHUNK_KEYS + (["usage"] if include_usage else [])
        assert chunk["id"] == completion.id
        assert chunk["object"] == "chat.completion.chunk"
        assert chunk["created"] == completion.created
        assert chunk["model"] == "acme/chat-small"
        if include_usage:
            assert chunk["usage"] is None
        [choice] = chunk["choices"]
        assert list(choice) == CHOICE_KEYS
        assert choice["index"] == 0 and choice["logprobs"] is None
    role, content, finish = (decoded(event)["choices"][0] for event in events)
    assert (role["delta"], role["finish_reason"]) == ({"role": "assistant", "content": ""}, None)
    assert (content["delta"], content["finish_reason"]) == ({"content": "Hi"}, None)
    assert (finish["delta"], finish["finish_reason"]) == ({}, "length")


def test_without_include_usage_no_event_mentions_usage():
    completion = example_completion()
    for event in (
        role_event(completion, False),
        content_event(completion, "usage", False),
        finish_event(completion, "stop", False),
    ):
        assert b'"usage":' not in event


def test_the_usage_chunk_has_no_choices_and_the_totals():
    chunk = decoded(usage_event(example_completion(), 25, 50))
    assert list(chunk) == [*CHUNK_KEYS, "usage"]
    assert chunk["choices"] == []
    assert chunk["usage"] == {"prompt_tokens": 25, "completion_tokens": 50, "total_tokens": 75}
    assert list(chunk["usage"]) == ["prompt_tokens", "completion_tokens", "total_tokens"]


@pytest.mark.parametrize("text", TEXTS)
def test_any_text_survives_as_one_event(text):
    assert decoded(content_event(example_completion(), text, False))["choices"][0]["delta"] == {"content": text}


@pytest.mark.parametrize("model", ["acme/chat-small", 'we"ird\nmodel', "モデル"])
def test_the_model_is_echoed_exactly(model):
    completion = Completion.new(model)
    assert decoded(content_event(completion, "x", True))["model"] == model
    assert orjson.loads(completion_body(completion, "x", "stop", 1, 1))["model"] == model


def test_a_new_completion_has_an_openai_style_id_and_a_fixed_created():
    completion = Completion.new("m", clock=lambda: 1700000000.9)
    assert completion.created == 1700000000
    assert completion.model == "m"
    assert re.fullmatch(r"chatcmpl-[A-Za-z0-9_-]{24,}", completion.id)
    assert Completion.new("m").id != completion.id


def test_every_chunk_of_a_completion_shares_its_identity():
    completion = Completion.new("m")
    chunks = [
        decoded(role_event(completion, True)),
        *(decoded(content_event(completion, text, True)) for text in TEXTS),
        decoded(finish_event(completion, "stop", True)),
        decoded(usage_event(completion, 3, 4)),
    ]
    assert {(chunk["id"], chunk["created"], chunk["model"]) for chunk in chunks} == {
        (completion.id, completion.created, "m")
    }


def test_the_completion_body_has_the_contracts_shape():
    completion = example_completion()
    body = orjson.loads(completion_body(completion, "Hello there", "stop", 25, 50))
    assert body == {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1700000000,
        "model": "m",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hello there", "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 25, "completion_tokens": 50, "total_tokens": 75},
    }
    assert list(body) == ["id", "object", "created", "model", "choices", "usage"]
    assert list(body["choices"][0]) == ["index", "message", "logprobs", "finish_reason"]


def test_a_completion_cut_by_its_budget_says_length():
    body = orjson.loads(completion_body(example_completion(), "Hel", "length", 5, 3))
    assert body["choices"][0]["finish_reason"] == "length"
    assert body["usage"]["total_tokens"] == 8


def test_an_error_after_the_stream_began_is_one_event_with_the_four_keys():
    event = error_event(errors.server_error())
    assert decoded(event) == {
        "error": {
            "message": "The server had an error while processing your request",
            "type": "server_error",
            "param": None,
            "code": None,
        }
    }
    overloaded = decoded(error_event(errors.overloaded(5)))["error"]
    assert (overloaded["type"], overloaded["code"]) == ("service_unavailable_error", "server_is_overloaded")
