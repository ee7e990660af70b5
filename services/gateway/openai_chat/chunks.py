"""What the gateway writes for a chat completion: the JSON answer (§4) and the SSE events of a
stream (§5), rendered here from the engine's text and counts, never passed through from an
engine's JSON (§10: engines echo their own model alias, stamp `created` afresh per chunk, send
`"content": null`).

One `Completion` fixes `id`, `created` and `model` for all of a completion's chunks (§10.2). The
stream functions run once per token, so each chunk is the completion's fixed JSON prefix, rendered
once, joined with the little that changes; only the token's text goes through orjson.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson

from services.gateway.openai_chat.errors import OpenAIError, error_body

ID_PREFIX = "chatcmpl-"
DONE = b"data: [DONE]\n\n"

_DATA = b"data: "
_END = b"\n\n"
_USAGE_NULL = b',"usage":null'
_OPEN_CHOICE = b',"choices":[{"index":0,"delta":'
_NOT_FINISHED = b',"logprobs":null,"finish_reason":null}]'


@dataclass(frozen=True)
class Completion:
    id: str
    created: int
    """Unix seconds, fixed when the completion starts."""
    model: str
    """The model id as the client sent it (§10.1)."""
    chunk_prefix: bytes = field(init=False, repr=False, compare=False)
    """`data: {"id":…,"object":"chat.completion.chunk","created":…,"model":…` — every chunk's start."""

    def __post_init__(self) -> None:
        head = orjson.dumps(
            {"id": self.id, "object": "chat.completion.chunk", "created": self.created, "model": self.model}
        )
        object.__setattr__(self, "chunk_prefix", _DATA + head[:-1])

    @classmethod
    def new(cls, model: str, clock: Callable[[], float] = time.time) -> Completion:
        # 18 random bytes are 24 URL-safe characters, as long as OpenAI's own ids' tails.
        return cls(id=ID_PREFIX + secrets.token_urlsafe(18), created=int(clock()), model=model)


def completion_body(
    completion: Completion, text: str, finish_reason: str, prompt_tokens: int, completion_tokens: int
) -> bytes:
    """The non-streaming answer (§4)."""
    return orjson.dumps(
        {
            "id": completion.id,
            "object": "chat.completion",
            "created": completion.created,
            "model": completion.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text, "refusal": None},
                    "logprobs": None,
                    "finish_reason": finish_reason,
                }
            ],
            "usage": _usage(prompt_tokens, completion_tokens),
        }
    )


def role_event(completion: Completion, include_usage: bool) -> bytes:
    """The first event: the role, with an empty content rather than null (§10.6)."""
    return _choice_event(completion, b'{"role":"assistant","content":""}', _NOT_FINISHED, include_usage)


def content_event(completion: Completion, text: str, include_usage: bool) -> bytes:
    return _choice_event(completion, b'{"content":' + orjson.dumps(text) + b"}", _NOT_FINISHED, include_usage)


def finish_event(completion: Completion, finish_reason: str, include_usage: bool) -> bytes:
    """The choice's last event: an empty delta and why it ended (§5)."""
    finished = b',"logprobs":null,"finish_reason":' + orjson.dumps(finish_reason) + b"}]"
    return _choice_event(completion, b"{}", finished, include_usage)


def usage_event(completion: Completion, prompt_tokens: int, completion_tokens: int) -> bytes:
    """The totals, after the finish event, only when the client asked for include_usage."""
    usage = orjson.dumps(_usage(prompt_tokens, completion_tokens))
    return completion.chunk_prefix + b',"choices":[],"usage":' + usage + b"}" + _END


def error_event(error: OpenAIError) -> bytes:
    """A failure after the stream began: the client raises APIError on it; the caller then closes."""
    return _DATA + orjson.dumps(error_body(error)) + _END


def _choice_event(completion: Completion, delta: bytes, finished: bytes, include_usage: bool) -> bytes:
    usage = _USAGE_NULL if include_usage else b""
    return completion.chunk_prefix + _OPEN_CHOICE + delta + finished + usage + b"}" + _END


def _usage(prompt_tokens: int, completion_tokens: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
    }
