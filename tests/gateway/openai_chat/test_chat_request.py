"""A chat completions body checked against the contract (§3, §10): each rule refuses what breaks it,
with OpenAI's param and code, and accepts what keeps it; the engine gets only its own keys."""

from __future__ import annotations

import dataclasses

import orjson
import pytest

from services.gateway.openai_chat.chat_request import (
    MAX_MESSAGES,
    MAX_MODEL_CHARS,
    MAX_TEXT_BYTES,
    ChatRequest,
    parse_chat_request,
)
from services.gateway.openai_chat.errors import OpenAIError, error_body

CAP = 256
HELLO = [{"role": "user", "content": "Hello"}]
ABSENT = object()


def body_with(**fields: object) -> dict[str, object]:
    """A valid body changed by `fields`; ABSENT removes a key."""
    body: dict[str, object] = {"model": "acme/chat-small", "messages": HELLO}
    body.update(fields)
    return {key: value for key, value in body.items() if value is not ABSENT}


def parse(**fields: object) -> ChatRequest:
    return parse_chat_request(body_with(**fields), max_completion_cap=CAP)


def refusal(body: object) -> OpenAIError:
    with pytest.raises(OpenAIError) as caught:
        parse_chat_request(body, max_completion_cap=CAP)
    assert caught.value.status == 400
    assert caught.value.type == "invalid_request_error"
    return caught.value


def refused(**fields: object) -> tuple[str | None, str | None]:
    """(param, code) of the refusal of a valid body changed by `fields`."""
    error = refusal(body_with(**fields))
    return error.param, error.code


def user(content: object) -> list[dict[str, object]]:
    return [{"role": "user", "content": content}]


# The body and its required fields


@pytest.mark.parametrize("body", [[], "text", None, 3, True])
def test_the_body_must_be_an_object(body):
    error = refusal(body)
    assert (error.param, error.code) == (None, "invalid_type")


def test_a_minimal_body_gets_the_defaults():
    request = parse()
    assert request == ChatRequest(
        model="acme/chat-small",
        messages=(("user", "Hello"),),
        max_tokens=None,
        temperature=1.0,
        top_p=1.0,
        stop=(),
        seed=None,
        presence_penalty=0.0,
        frequency_penalty=0.0,
        stream=False,
        include_usage=False,
    )


@pytest.mark.parametrize("model", [ABSENT, None, ""])
def test_a_missing_model_is_refused_with_a_null_code(model):
    error = refusal(body_with(model=model))
    assert (error.param, error.code, error.message) == ("model", None, "Missing required parameter: 'model'.")


def test_the_model_must_be_a_string_of_bounded_length():
    assert refused(model=5) == ("model", "invalid_type")
    assert refused(model="m" * (MAX_MODEL_CHARS + 1)) == ("model", "string_above_max_length")
    assert parse(model="m" * MAX_MODEL_CHARS).model == "m" * MAX_MODEL_CHARS


def test_the_model_is_kept_exactly_as_sent():
    assert parse(model="Meta-Llama/Llama-3.1-8B-Instruct").model == "Meta-Llama/Llama-3.1-8B-Instruct"


# messages


@pytest.mark.parametrize("messages", [ABSENT, None])
def test_missing_messages_are_refused_with_a_null_code(messages):
    error = refusal(body_with(messages=messages))
    assert (error.param, error.code, error.message) == ("messages", None, "Missing required parameter: 'messages'.")


def test_messages_must_be_a_non_empty_array_of_objects():
    assert refused(messages="Hello") == ("messages", "invalid_type")
    assert refused(messages={"role": "user"}) == ("messages", "invalid_type")
    assert refused(messages=[]) == ("messages", "empty_array")
    assert refused(messages=[*HELLO, "Hello"]) == ("messages[1]", "invalid_type")


def test_at_most_a_thousand_messages():
    assert len(parse(messages=HELLO * MAX_MESSAGES).messages) == MAX_MESSAGES
    assert refused(messages=HELLO * (MAX_MESSAGES + 1)) == ("messages", "array_above_max_length")


def test_the_text_of_all_messages_is_bounded_in_utf8_bytes():
    half = MAX_TEXT_BYTES // 2
    assert parse(messages=user("a" * half) + user("b" * half)).messages[1] == ("user", "b" * half)
    assert refused(messages=user("a" * half) + user("b" * (half + 1))) == ("messages", "string_above_max_length")
    # Two bytes a character: fewer characters than the bound, more bytes.
    assert refused(messages=user("é" * (half + 1))) == ("messages", "string_above_max_length")
    # Text from parts counts too.
    parts = [{"type": "text", "text": "a" * half}, {"type": "text", "text": "b" * (half + 1)}]
    assert refused(messages=user(parts)) == ("messages", "string_above_max_length")


def test_text_that_is_not_unicode_is_refused():
    # orjson's parser never yields a lone surrogate; a body from elsewhere could, and the engine's
    # JSON could not carry it.
    assert refused(messages=[*HELLO, {"role": "user", "content": "\ud800"}]) == ("messages[1].content", "invalid_value")


def test_roles_map_to_the_engines_and_keep_their_order():
    messages = [
        {"role": "developer", "content": "Be brief."},
        {"role": "system", "content": "Answer in English."},
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello!"},
        {"role": "user", "content": "Bye"},
    ]
    assert parse(messages=messages).messages == (
        ("system", "Be brief."),
        ("system", "Answer in English."),
        ("user", "Hi"),
        ("assistant", "Hello!"),
        ("user", "Bye"),
    )


def test_a_role_is_required_and_must_be_known():
    assert refused(messages=[{"content": "Hi"}]) == ("messages[0].role", None)
    assert refused(messages=[{"role": 1, "content": "Hi"}]) == ("messages[0].role", "invalid_type")
    error = refusal(body_with(messages=[*HELLO, {"role": "robot", "content": "Hi"}]))
    assert (error.param, error.code) == ("messages[1].role", "invalid_value")
    assert "'robot'" in error.message


@pytest.mark.parametrize("role", ["tool", "function"])
def test_tool_messages_are_unsupported_as_torii_runs_no_tools(role):
    error = refusal(body_with(messages=[*HELLO, {"role": role, "content": "42", "tool_call_id": "call_1"}]))
    assert (error.param, error.code) == ("messages[1].role", "unsupported_value")
    assert "no tools" in error.message


def test_content_parts_of_text_are_joined():
    parts = [{"type": "text", "text": "Hel"}, {"type": "text", "text": "lo"}]
    assert parse(messages=user(parts)).messages == (("user", "Hello"),)


def test_an_empty_string_is_content():
    assert parse(messages=user("")).messages == (("user", ""),)


@pytest.mark.parametrize("part_type", ["image_url", "input_audio", "file"])
def test_non_text_parts_are_unsupported_and_named(part_type):
    parts = [{"type": "text", "text": "What is this?"}, {"type": part_type, part_type: {"data": "…"}}]
    error = refusal(body_with(messages=user(parts)))
    assert (error.param, error.code) == (f"messages[0].content[1].{part_type}", "unsupported_parameter")
    assert error.message == (
        f"Unsupported parameter: 'messages[0].content[1].{part_type}' is not supported with this model."
    )


def test_content_must_be_a_string_or_parts_of_a_known_shape():
    assert refused(messages=user(5)) == ("messages[0].content", "invalid_type")
    assert refused(messages=user({"type": "text", "text": "Hi"})) == ("messages[0].content", "invalid_type")
    assert refused(messages=user([])) == ("messages[0].content", "empty_array")
    assert refused(messages=user(["Hi"])) == ("messages[0].content[0]", "invalid_type")
    assert refused(messages=user([{"text": "Hi"}])) == ("messages[0].content[0].type", None)
    assert refused(messages=user([{"type": 1, "text": "Hi"}])) == ("messages[0].content[0].type", "invalid_type")
    assert refused(messages=user([{"type": "video", "video": "…"}])) == ("messages[0].content[0].type", "invalid_value")
    assert refused(messages=user([{"type": "text"}])) == ("messages[0].content[0].text", None)
    assert refused(messages=user([{"type": "text", "text": 5}])) == ("messages[0].content[0].text", "invalid_type")


def test_a_user_message_needs_its_content():
    assert refused(messages=[{"role": "user"}]) == ("messages[0].content", None)
    assert refused(messages=[{"role": "system", "content": None}, *HELLO]) == ("messages[0].content", None)


def test_an_assistant_message_without_content_is_refused_as_it_would_need_tool_calls():
    error = refusal(body_with(messages=[*HELLO, {"role": "assistant", "content": None}, *HELLO]))
    assert error.param == "messages[1].content"
    assert "tool calls are not supported" in error.message


def test_an_assistant_message_with_tool_calls_is_unsupported():
    calls = [{"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]
    messages = [*HELLO, {"role": "assistant", "content": "", "tool_calls": calls}, *HELLO]
    assert refused(messages=messages) == ("messages[1].tool_calls", "unsupported_parameter")
    messages[1] = {"role": "assistant", "content": "Hi!", "tool_calls": []}
    assert parse(messages=messages).messages[1] == ("assistant", "Hi!")


def test_message_keys_the_engine_does_not_use_are_ignored():
    assert parse(messages=[{"role": "user", "content": "Hi", "name": "ann"}]).messages == (("user", "Hi"),)


# Sampling numbers


@pytest.mark.parametrize(
    ("name", "low", "high", "default"),
    [
        ("temperature", 0, 2, 1.0),
        ("top_p", 0, 1, 1.0),
        ("presence_penalty", -2, 2, 0.0),
        ("frequency_penalty", -2, 2, 0.0),
    ],
)
def test_decimals_are_checked_against_their_range(name, low, high, default):
    assert getattr(parse(), name) == default
    assert getattr(parse(**{name: None}), name) == default
    for accepted in (low, high, (low + high) / 2):
        value = getattr(parse(**{name: accepted}), name)
        assert value == accepted and isinstance(value, float)
    assert refused(**{name: low - 0.01}) == (name, "decimal_below_min_value")
    assert refused(**{name: high + 0.01}) == (name, "decimal_above_max_value")
    for wrong in ("1", True, [1], {"value": 1}):
        assert refused(**{name: wrong}) == (name, "invalid_type")


def test_range_messages_say_the_bound_and_the_value():
    error = refusal(body_with(temperature=5))
    assert (
        error.message == "Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got 5 instead."
    )


def test_type_messages_say_what_was_expected_and_what_came():
    error = refusal(body_with(top_p="high"))
    assert error.message == "Invalid type for 'top_p': expected a decimal, but got a string instead."


def test_n_other_than_1_is_refused():
    assert parse(n=1) == parse(n=None) == parse()
    error = refusal(body_with(n=2))
    assert (error.param, error.code) == ("n", "unsupported_value")
    assert error.message == "Unsupported value: 'n' does not support 2 with this model. Only 1 is supported."
    assert refused(n=0) == ("n", "integer_below_min_value")
    assert refused(n=129) == ("n", "integer_above_max_value")
    assert refused(n=1.0) == ("n", "invalid_type")
    assert refused(n=True) == ("n", "invalid_type")


@pytest.mark.parametrize("name", ["max_tokens", "max_completion_tokens"])
def test_a_completion_budget_is_an_integer_from_1_to_the_cap(name):
    assert parse(**{name: 1}).max_tokens == 1
    assert parse(**{name: CAP}).max_tokens == CAP
    assert parse(**{name: None}).max_tokens is None
    assert refused(**{name: 0}) == (name, "integer_below_min_value")
    error = refusal(body_with(**{name: CAP + 1}))
    assert (error.param, error.code) == (name, "integer_above_max_value")
    assert f"<= {CAP}" in error.message
    for wrong in ("10", 10.0, 10.5, True):
        assert refused(**{name: wrong}) == (name, "invalid_type")


def test_max_completion_tokens_wins_over_max_tokens():
    assert parse(max_tokens=10, max_completion_tokens=20).max_tokens == 20
    assert parse(max_tokens=10, max_completion_tokens=None).max_tokens == 10
    assert parse().max_tokens is None


def test_stop_is_a_string_or_one_to_four_non_empty_strings():
    assert parse(stop=None).stop == ()
    assert parse(stop="END").stop == ("END",)
    assert parse(stop=["a", "b", "c", "d"]).stop == ("a", "b", "c", "d")
    assert refused(stop=["a", "b", "c", "d", "e"]) == ("stop", "array_above_max_length")
    assert refused(stop=[]) == ("stop", "empty_array")
    assert refused(stop="") == ("stop", "empty_string")
    assert refused(stop=["a", ""]) == ("stop[1]", "empty_string")
    assert refused(stop=["a", 5]) == ("stop[1]", "invalid_type")
    assert refused(stop=5) == ("stop", "invalid_type")


def test_seed_is_a_64_bit_integer():
    assert parse(seed=42).seed == 42
    assert parse(seed=None).seed is None
    assert parse(seed=-(2**63)).seed == -(2**63)
    assert refused(seed=2**63) == ("seed", "integer_above_max_value")
    assert refused(seed=-(2**63) - 1) == ("seed", "integer_below_min_value")
    assert refused(seed="42") == ("seed", "invalid_type")
    assert refused(seed=4.2) == ("seed", "invalid_type")


# Streaming


def test_stream_is_a_boolean():
    assert parse(stream=True).stream is True
    assert parse(stream=False).stream is False
    assert parse(stream=None).stream is False
    assert refused(stream="yes") == ("stream", "invalid_type")
    assert refused(stream=1) == ("stream", "invalid_type")


def test_include_usage_comes_from_stream_options_when_streaming():
    assert parse(stream=True, stream_options={"include_usage": True}).include_usage is True
    assert parse(stream=True, stream_options={"include_usage": False}).include_usage is False
    assert parse(stream=True, stream_options={}).include_usage is False
    assert parse(stream=True, stream_options=None).include_usage is False
    assert parse(stream=True).include_usage is False
    assert refused(stream=True, stream_options={"include_usage": "yes"}) == (
        "stream_options.include_usage",
        "invalid_type",
    )
    assert refused(stream=True, stream_options=[True]) == ("stream_options", "invalid_type")


def test_stream_options_are_ignored_without_a_stream():
    assert parse(stream_options={"include_usage": True}).include_usage is False
    assert parse(stream=False, stream_options="anything").include_usage is False


# What the engine cannot do


def test_logprobs_true_is_refused_in_the_contracts_own_words():
    assert error_body(refusal(body_with(logprobs=True))) == {
        "error": {
            "message": "Unsupported parameter: 'logprobs' is not supported with this model.",
            "type": "invalid_request_error",
            "param": "logprobs",
            "code": "unsupported_parameter",
        }
    }
    assert parse(logprobs=False) == parse(logprobs=None) == parse()
    assert refused(logprobs="true") == ("logprobs", "invalid_type")


def test_top_logprobs_needs_logprobs():
    assert parse(top_logprobs=None) == parse()
    assert refused(top_logprobs=2) == ("top_logprobs", "invalid_value")
    assert refused(top_logprobs=0, logprobs=False) == ("top_logprobs", "invalid_value")
    assert refused(top_logprobs=2, logprobs=True) == ("logprobs", "unsupported_parameter")
    assert refused(top_logprobs="2") == ("top_logprobs", "invalid_type")
    assert refused(top_logprobs=21) == ("top_logprobs", "integer_above_max_value")


def test_logit_bias_only_empty():
    assert parse(logit_bias=None) == parse(logit_bias={}) == parse()
    assert refused(logit_bias={"50256": -100}) == ("logit_bias", "unsupported_parameter")
    assert refused(logit_bias=[1]) == ("logit_bias", "invalid_type")


def test_response_format_only_text():
    assert parse(response_format={"type": "text"}) == parse(response_format=None) == parse()
    for kind in ("json_object", "json_schema"):
        error = refusal(body_with(response_format={"type": kind, "json_schema": {"name": "x", "schema": {}}}))
        assert (error.param, error.code) == ("response_format.type", "unsupported_value")
        assert f"'{kind}'" in error.message
    assert refused(response_format={"type": "xml"}) == ("response_format.type", "invalid_value")
    assert refused(response_format={}) == ("response_format.type", None)
    assert refused(response_format={"type": 1}) == ("response_format.type", "invalid_type")
    assert refused(response_format="text") == ("response_format", "invalid_type")


def test_tools_only_absent_or_empty():
    assert parse(tools=None) == parse(tools=[]) == parse()
    tool = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
    assert refused(tools=[tool]) == ("tools", "unsupported_parameter")
    assert refused(tools=tool) == ("tools", "invalid_type")


def test_tool_choice_only_none_or_auto_without_tools():
    assert parse(tool_choice="none") == parse(tool_choice="auto") == parse(tool_choice=None) == parse()
    assert refused(tool_choice="required") == ("tool_choice", "unsupported_parameter")
    assert refused(tool_choice={"type": "function", "function": {"name": "f"}}) == (
        "tool_choice",
        "unsupported_parameter",
    )
    assert refused(tool_choice="sometimes") == ("tool_choice", "invalid_value")
    assert refused(tool_choice=5) == ("tool_choice", "invalid_type")


def test_other_keys_are_ignored():
    # genai-perf's --extra-inputs adds any key (§3).
    extra = {"user": "u1", "store": True, "metadata": {"a": "b"}, "ignore_eos": True, "parallel_tool_calls": False}
    assert parse(**extra) == parse()


def test_messages_never_carry_a_long_client_string_back():
    error = refusal(body_with(messages=[{"role": "r" * 10_000, "content": "Hi"}]))
    assert len(error.message) < 300


# The engine's request


def test_the_engine_body_has_only_the_engines_keys():
    request = parse(
        messages=[{"role": "developer", "content": "Be brief."}, *HELLO],
        max_tokens=200,
        temperature=0,
        top_p=0.5,
        stop=["\n\n", "END"],
        seed=7,
        presence_penalty=0.5,
        frequency_penalty=-0.5,
        stream=True,
        stream_options={"include_usage": True},
        user="u1",
        n=1,
    )
    assert request.max_tokens == 200
    engine_body = request.engine_body()
    assert orjson.loads(engine_body) == {
        "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello"}],
        "max_tokens": 200,
        "temperature": 0.0,
        "top_p": 0.5,
        "stop": ["\n\n", "END"],
        "seed": 7,
        "presence_penalty": 0.5,
        "frequency_penalty": -0.5,
    }
    assert b" " not in engine_body.replace(b"Be brief.", b"")


def test_the_engine_body_leaves_out_an_absent_seed_and_budget():
    decoded = orjson.loads(parse().engine_body())
    assert "seed" not in decoded and "max_tokens" not in decoded
    assert decoded["stop"] == []


def test_a_request_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        parse().model = "other"  # type: ignore[misc]
