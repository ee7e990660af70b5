"""A `POST /v1/chat/completions` body checked against the contract (§3, §10) and turned into what
the chat engine takes.

The gateway validates every request itself and never relies on the engine's own checks: an
engine's OpenAI server accepts much that OpenAI refuses (n=2, temperature 5, empty messages) and
answers its refusals in its own shape (§10). Every refusal is a 400 `OpenAIError` worded as OpenAI
words it (`Invalid type for 'temperature': expected a decimal, …`), with `param` naming the field
and `code` one of OpenAI's (`invalid_type`, `decimal_above_max_value`, `unsupported_parameter`, …;
null for a missing required field). A nested field is named as a path: `messages[1].content[0].text`
(OpenAI writes `messages.[1]…`; this form reads as the JSON it points into).

What the engine cannot do is refused rather than ignored, so a client never gets an answer that
silently differs from what it asked: tools (Torii's engine runs no tools, so `tool` messages,
`tool_calls`, non-empty `tools` and a `tool_choice` other than "none"), content parts other than
text, logprobs, logit_bias, JSON response formats, n other than 1. Keys the contract does not
name are ignored (benchmark tools add their own, §3).

Bounds keep the memory a request holds bounded whatever the body limit: at most MAX_MESSAGES
messages, MAX_TEXT_BYTES of message text (UTF-8) in all, and a model id of MAX_MODEL_CHARS.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from services.gateway.http_base.validation import json_type
from services.gateway.openai_chat.errors import (
    OpenAIError,
    invalid_request,
    unsupported_parameter,
    unsupported_value,
)

MAX_MESSAGES = 1_000
MAX_TEXT_BYTES = 1_000_000
MAX_MODEL_CHARS = 512
MAX_STOP_SEQUENCES = 4
MAX_N = 128
MAX_TOP_LOGPROBS = 20
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
SHOWN_CHARS = 64
"""A client's string echoed in a message is cut to this many characters."""

# The contract's roles → the engine's; `developer` is OpenAI's newer name for `system`.
ENGINE_ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}
TOOL_ROLES = ("tool", "function")
ALL_ROLES = ("system", "developer", "user", "assistant", "tool", "function")
# Content parts OpenAI defines besides text; each holds its payload under the key named as its type.
OTHER_PART_TYPES = ("image_url", "input_audio", "file", "refusal")
JSON_RESPONSE_FORMATS = ("json_object", "json_schema")
FORCED_TOOL_CHOICES = ("required",)


@dataclass(frozen=True)
class ChatRequest:
    model: str
    """As the client sent it: the gateway echoes it exactly (§10.1)."""
    messages: tuple[tuple[str, str], ...]
    """(role, text) with roles system, user or assistant, in order."""
    max_tokens: int | None
    """The client's completion budget; None when it gave none (the caller picks the default)."""
    temperature: float
    top_p: float
    stop: tuple[str, ...]
    seed: int | None
    presence_penalty: float
    frequency_penalty: float
    stream: bool
    include_usage: bool
    """Whether a stream ends with a usage chunk; always False when not streaming."""

    def engine_body(self) -> bytes:
        """The engine's request_json (services/scheduler/triton/chat_python_model): these keys and
        no others; without max_tokens the engine generates until the context is full."""
        body: dict[str, Any] = {
            "messages": [{"role": role, "content": text} for role, text in self.messages],
            "temperature": self.temperature,
            "top_p": self.top_p,
            "stop": list(self.stop),
            "presence_penalty": self.presence_penalty,
            "frequency_penalty": self.frequency_penalty,
        }
        if self.max_tokens is not None:
            body["max_tokens"] = self.max_tokens
        if self.seed is not None:
            body["seed"] = self.seed
        return orjson.dumps(body)

    def vllm_sampling(self) -> dict[str, Any]:
        """vLLM's SamplingParams fields for the request (serving/vllm_engine.py); without
        max_tokens vLLM generates until the context is full."""
        temperature, top_p = self.temperature, self.top_p
        if top_p == 0:
            # The contract allows 0 and vLLM refuses it (its range is (0, 1]); as top_p shrinks to 0
            # only the likeliest token is left, which is greedy decoding.
            temperature, top_p = 0.0, 1.0
        sampling: dict[str, Any] = {
            "temperature": temperature,
            "top_p": top_p,
            "stop": list(self.stop),
            "presence_penalty": self.presence_penalty,
            "frequency_penalty": self.frequency_penalty,
        }
        if self.max_tokens is not None:
            sampling["max_tokens"] = self.max_tokens
        if self.seed is not None:
            sampling["seed"] = self.seed
        return sampling


def parse_chat_request(body: object, *, max_completion_cap: int) -> ChatRequest:
    """The request a parsed JSON body asks for; OpenAIError (400) on the first rule it breaks.

    `max_completion_cap` is the most completion tokens a request may ask for (the model's limit).
    """
    if not isinstance(body, dict):
        raise invalid_request(
            f"Invalid type for the request body: expected an object, but got {_json_type(body)} instead.",
            None,
            "invalid_type",
        )
    model = _model(body)
    messages = _messages(body)
    _n(body)
    _unsupported_features(body)
    stream = _boolean(body, "stream", "stream")
    return ChatRequest(
        model=model,
        messages=messages,
        max_tokens=_max_tokens(body, max_completion_cap),
        temperature=_decimal(body, "temperature", 0, 2, 1.0),
        top_p=_decimal(body, "top_p", 0, 1, 1.0),
        stop=_stop(body),
        seed=_seed(body),
        presence_penalty=_decimal(body, "presence_penalty", -2, 2, 0.0),
        frequency_penalty=_decimal(body, "frequency_penalty", -2, 2, 0.0),
        stream=stream,
        # Only meaningful with a stream; ignored (not even checked) otherwise (§3, proposed).
        include_usage=_include_usage(body) if stream else False,
    )


def _model(body: Mapping[str, Any]) -> str:
    model = body.get("model")
    if model is None or model == "":
        raise _missing("model")
    if not isinstance(model, str):
        raise _wrong_type("model", "a string", model)
    if len(model) > MAX_MODEL_CHARS:
        raise _string_too_long("model", MAX_MODEL_CHARS, model)
    return model


def _messages(body: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    messages = body.get("messages")
    if messages is None:
        raise _missing("messages")
    if not isinstance(messages, list):
        raise _wrong_type("messages", "an array", messages)
    if not messages:
        raise _empty_array("messages")
    if len(messages) > MAX_MESSAGES:
        raise _array_too_long("messages", MAX_MESSAGES, len(messages))
    parsed = []
    text_bytes = 0
    for index, message in enumerate(messages):
        param = f"messages[{index}]"
        if not isinstance(message, dict):
            raise _wrong_type(param, "an object", message)
        role = _role(message, param)
        text = _content(message, role, param)
        try:
            text_bytes += len(text.encode())
        except UnicodeEncodeError:
            # A lone surrogate: orjson's parser refuses them, another caller's might not.
            raise invalid_request(
                f"Invalid '{param}.content': not valid Unicode text.", f"{param}.content", "invalid_value"
            ) from None
        if text_bytes > MAX_TEXT_BYTES:
            raise invalid_request(
                f"Invalid 'messages': the messages' text is too long. Expected at most {MAX_TEXT_BYTES} bytes "
                "of text (UTF-8) in all messages together.",
                "messages",
                "string_above_max_length",
            )
        parsed.append((ENGINE_ROLES[role], text))
    return tuple(parsed)


def _role(message: Mapping[str, Any], param: str) -> str:
    role = message.get("role")
    if role is None:
        raise _missing(f"{param}.role")
    if not isinstance(role, str):
        raise _wrong_type(f"{param}.role", "a string", role)
    if role in TOOL_ROLES:
        raise unsupported_value(f"{param}.role", f"'{role}'", "Torii's models run no tools.")
    if role not in ENGINE_ROLES:
        raise _invalid_value(f"{param}.role", role, ALL_ROLES)
    return role


def _content(message: Mapping[str, Any], role: str, param: str) -> str:
    for key in ("tool_calls", "function_call"):
        if message.get(key):
            raise unsupported_parameter(f"{param}.{key}")
    content = message.get("content")
    if content is None:
        if role == "assistant":
            # OpenAI allows a null content only beside tool calls, which Torii does not run.
            raise invalid_request(
                f"Invalid '{param}.content': an assistant message needs content (tool calls are not supported "
                "with this model).",
                f"{param}.content",
            )
        raise _missing(f"{param}.content")
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        raise _wrong_type(f"{param}.content", "a string or an array of content parts", content)
    if not content:
        raise _empty_array(f"{param}.content")
    return "".join(_text_part(part, f"{param}.content[{index}]") for index, part in enumerate(content))


def _text_part(part: object, param: str) -> str:
    if not isinstance(part, dict):
        raise _wrong_type(param, "an object", part)
    part_type = part.get("type")
    if part_type is None:
        raise _missing(f"{param}.type")
    if not isinstance(part_type, str):
        raise _wrong_type(f"{param}.type", "a string", part_type)
    if part_type in OTHER_PART_TYPES:
        raise unsupported_parameter(f"{param}.{part_type}")
    if part_type != "text":
        raise _invalid_value(f"{param}.type", part_type, ("text", *OTHER_PART_TYPES))
    text = part.get("text")
    if text is None:
        raise _missing(f"{param}.text")
    if not isinstance(text, str):
        raise _wrong_type(f"{param}.text", "a string", text)
    return text


def _n(body: Mapping[str, Any]) -> None:
    n = body.get("n")
    if n is not None and _integer(n, "n", 1, MAX_N) != 1:
        # Never passed on: engines that accept it miscount usage (§10.3).
        raise unsupported_value("n", str(n), "Only 1 is supported.")


def _unsupported_features(body: Mapping[str, Any]) -> None:
    """What OpenAI offers and Torii's engine does not: accepted only in the forms that ask for
    nothing (null, empty, false, "text", "none")."""
    logit_bias = body.get("logit_bias")
    if logit_bias is not None:
        if not isinstance(logit_bias, dict):
            raise _wrong_type("logit_bias", "an object", logit_bias)
        if logit_bias:
            raise unsupported_parameter("logit_bias")
    if _boolean(body, "logprobs", "logprobs"):
        raise unsupported_parameter("logprobs")
    top_logprobs = body.get("top_logprobs")
    if top_logprobs is not None:
        _integer(top_logprobs, "top_logprobs", 0, MAX_TOP_LOGPROBS)
        # logprobs is not true here (true was refused above), and top_logprobs needs it.
        raise invalid_request(
            "Invalid 'top_logprobs': 'logprobs' must be true when 'top_logprobs' is set.",
            "top_logprobs",
            "invalid_value",
        )
    _response_format(body)
    tools = body.get("tools")
    if tools is not None:
        if not isinstance(tools, list):
            raise _wrong_type("tools", "an array", tools)
        if tools:
            raise unsupported_parameter("tools")
    _tool_choice(body)


def _response_format(body: Mapping[str, Any]) -> None:
    response_format = body.get("response_format")
    if response_format is None:
        return
    if not isinstance(response_format, dict):
        raise _wrong_type("response_format", "an object", response_format)
    kind = response_format.get("type")
    if kind is None:
        raise _missing("response_format.type")
    if not isinstance(kind, str):
        raise _wrong_type("response_format.type", "a string", kind)
    if kind in JSON_RESPONSE_FORMATS:
        raise unsupported_value("response_format.type", f"'{kind}'", "Only 'text' is supported.")
    if kind != "text":
        raise _invalid_value("response_format.type", kind, ("text", *JSON_RESPONSE_FORMATS))


def _tool_choice(body: Mapping[str, Any]) -> None:
    choice = body.get("tool_choice")
    # With no tools (any were refused above), "auto" asks for nothing: some clients always send it.
    if choice is None or choice in ("none", "auto"):
        return
    if isinstance(choice, dict) or choice in FORCED_TOOL_CHOICES:
        raise unsupported_parameter("tool_choice")
    if isinstance(choice, str):
        raise _invalid_value("tool_choice", choice, ("none", "auto", *FORCED_TOOL_CHOICES))
    raise _wrong_type("tool_choice", "a string or an object", choice)


def _max_tokens(body: Mapping[str, Any], cap: int) -> int | None:
    chosen = None
    # Both are checked; the newer name, checked last, wins (§3, proposed).
    for name in ("max_tokens", "max_completion_tokens"):
        value = body.get(name)
        if value is not None:
            chosen = _integer(value, name, 1, cap)
    return chosen


def _stop(body: Mapping[str, Any]) -> tuple[str, ...]:
    stop = body.get("stop")
    if stop is None:
        return ()
    if isinstance(stop, str):
        return (_stop_sequence(stop, "stop"),)
    if not isinstance(stop, list):
        raise _wrong_type("stop", "a string or an array of strings", stop)
    if not stop:
        raise _empty_array("stop")
    if len(stop) > MAX_STOP_SEQUENCES:
        raise _array_too_long("stop", MAX_STOP_SEQUENCES, len(stop))
    return tuple(_stop_sequence(sequence, f"stop[{index}]") for index, sequence in enumerate(stop))


def _stop_sequence(sequence: object, param: str) -> str:
    if not isinstance(sequence, str):
        raise _wrong_type(param, "a string", sequence)
    if not sequence:
        raise invalid_request(
            f"Invalid '{param}': empty string. Expected a string with minimum length 1, but got an empty string "
            "instead.",
            param,
            "empty_string",
        )
    return sequence


def _seed(body: Mapping[str, Any]) -> int | None:
    seed = body.get("seed")
    return None if seed is None else _integer(seed, "seed", INT64_MIN, INT64_MAX)


def _include_usage(body: Mapping[str, Any]) -> bool:
    options = body.get("stream_options")
    if options is None:
        return False
    if not isinstance(options, dict):
        raise _wrong_type("stream_options", "an object", options)
    return _boolean(options, "include_usage", "stream_options.include_usage")


def _boolean(container: Mapping[str, Any], key: str, param: str) -> bool:
    value = container.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _wrong_type(param, "a boolean", value)
    return value


def _decimal(body: Mapping[str, Any], name: str, low: int, high: int, default: float) -> float:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _wrong_type(name, "a decimal", value)
    _check_range(name, value, low, high, "decimal")
    return float(value)


def _integer(value: object, param: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _wrong_type(param, "an integer", value)
    _check_range(param, value, low, high, "integer")
    return value


def _check_range(param: str, value: float, low: int, high: int, kind: str) -> None:
    if value < low:
        raise invalid_request(
            f"Invalid '{param}': {kind} below minimum value. Expected a value >= {low}, but got {value} instead.",
            param,
            f"{kind}_below_min_value",
        )
    if not value <= high:  # NaN included, which no JSON parser yields but a Python caller might
        raise invalid_request(
            f"Invalid '{param}': {kind} above maximum value. Expected a value <= {high}, but got {value} instead.",
            param,
            f"{kind}_above_max_value",
        )


def _missing(param: str) -> OpenAIError:
    return invalid_request(f"Missing required parameter: '{param}'.", param)


def _wrong_type(param: str, expected: str, value: object) -> OpenAIError:
    return invalid_request(
        f"Invalid type for '{param}': expected {expected}, but got {_json_type(value)} instead.", param, "invalid_type"
    )


def _invalid_value(param: str, value: str, supported: tuple[str, ...]) -> OpenAIError:
    listed = ", ".join(f"'{name}'" for name in supported[:-1]) + f", and '{supported[-1]}'"
    return invalid_request(f"Invalid value: '{_shown(value)}'. Supported values are: {listed}.", param, "invalid_value")


def _empty_array(param: str) -> OpenAIError:
    return invalid_request(
        f"Invalid '{param}': empty array. Expected an array with minimum length 1, but got an empty array instead.",
        param,
        "empty_array",
    )


def _array_too_long(param: str, most: int, length: int) -> OpenAIError:
    return invalid_request(
        f"Invalid '{param}': array too long. Expected an array with maximum length {most}, but got an array with "
        f"length {length} instead.",
        param,
        "array_above_max_length",
    )


def _string_too_long(param: str, most: int, value: str) -> OpenAIError:
    return invalid_request(
        f"Invalid '{param}': string too long. Expected a string with maximum length {most}, but got a string with "
        f"length {len(value)} instead.",
        param,
        "string_above_max_length",
    )


def _shown(value: str) -> str:
    return value if len(value) <= SHOWN_CHARS else value[:SHOWN_CHARS] + "…"


_ARTICLED = {
    "null": "null",
    "boolean": "a boolean",
    "integer": "an integer",
    "number": "a decimal",
    "string": "a string",
    "array": "an array",
    "object": "an object",
}


def _json_type(value: object) -> str:
    """The JSON type of a parsed value, in OpenAI's words."""
    name = json_type(value)
    return _ARTICLED.get(name, f"a {name}")
