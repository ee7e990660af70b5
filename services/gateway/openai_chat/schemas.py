"""JSON Schemas of the OpenAI chat contract, for the OpenAPI document (the handlers check bodies themselves)."""

from __future__ import annotations

from services.gateway.http_base.schema_words import obj, string

_MESSAGE = {
    "type": "object",
    "properties": {
        "role": string(enum=["system", "developer", "user", "assistant"]),
        "content": {"description": "a string, or an array of text parts"},
    },
    "required": ["role", "content"],
    "title": "ChatMessage",
}

CHAT_REQUEST = {
    "type": "object",
    "properties": {
        "model": string(description="the chat model's id, as /v1/models lists it"),
        "messages": {"type": "array", "items": _MESSAGE, "minItems": 1},
        "max_completion_tokens": {"type": ["integer", "null"], "minimum": 1},
        "max_tokens": {"type": ["integer", "null"], "minimum": 1, "description": "deprecated name of the above"},
        "temperature": {"type": "number", "minimum": 0, "maximum": 2},
        "top_p": {"type": "number", "minimum": 0, "maximum": 1},
        "n": {"type": "integer", "const": 1},
        "stop": {"description": "a string, or up to 4 strings"},
        "seed": {"type": "integer"},
        "stream": {"type": "boolean"},
        "stream_options": obj({"include_usage": {"type": "boolean"}}),
    },
    "required": ["model", "messages"],
    "description": "other keys of OpenAI's request are accepted in the forms that ask for nothing, or ignored",
    "title": "ChatCompletionRequest",
}

_USAGE = obj(
    {
        "prompt_tokens": {"type": "integer"},
        "completion_tokens": {"type": "integer"},
        "total_tokens": {"type": "integer"},
    },
    ("prompt_tokens", "completion_tokens", "total_tokens"),
    title="CompletionUsage",
)

CHAT_COMPLETION = obj(
    {
        "id": string(),
        "object": string(const="chat.completion"),
        "created": {"type": "integer"},
        "model": string(),
        "choices": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "index": {"type": "integer"},
                    "message": {"type": "object"},
                    "logprobs": {"type": "null"},
                    "finish_reason": string(enum=["stop", "length"]),
                },
            },
        },
        "usage": _USAGE,
    },
    ("id", "object", "created", "model", "choices", "usage"),
    title="ChatCompletion",
)

MODEL = obj(
    {
        "id": string(),
        "object": string(const="model"),
        "created": {"type": "integer", "description": "when the chat API was published, Unix seconds"},
        "owned_by": string(description="the account that published it"),
    },
    ("id", "object", "created", "owned_by"),
    title="ChatModel",
)

MODEL_LIST = obj(
    {"object": string(const="list"), "data": {"type": "array", "items": MODEL}},
    ("object", "data"),
    title="ChatModelList",
)

ERROR = obj(
    {
        "error": obj(
            {
                "message": string(),
                "type": string(),
                "param": {"type": ["string", "null"]},
                "code": {"type": ["string", "null"]},
            },
            ("message", "type", "param", "code"),
            title="OpenAIErrorDetail",
        )
    },
    ("error",),
    title="OpenAIError",
)
