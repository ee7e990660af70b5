"""A chat key's limits in the contract's words: the registry's admission as 429, 402 or 401, and
the x-ratelimit-* headers of §8 on every answer to a limited key.

Tokens per minute and budgets count the prompt before the engine has tokenized it, so the
request's prompt is bounded from its size: no tokenizer here makes fewer bytes than tokens, and
the chat template adds its markers (and a default system prompt, for some models) on top. The
registry reserves that bound plus the completion cap and settles the real counts at the end.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from services.gateway.openai_chat import errors
from services.gateway.openai_chat.access import ChatCaller, refusal_error
from services.gateway.openai_chat.chat_request import ChatRequest
from services.gateway.serving.catalog import Endpoint
from services.gateway.serving.chat_admissions import ChatAdmissions
from services.gateway.serving.refusals import Refused
from torii.v1 import chat_key_service_pb2, chat_keys_pb2

TEMPLATE_TOKENS_PER_MESSAGE = 8
TEMPLATE_TOKENS = 64
MAX_PROJECT_HEADER = 200

_REFUSAL = chat_keys_pb2.ChatAdmissionRefusal


@dataclass(frozen=True)
class Lease:
    """An admitted request of a chat key, to be finished once it ends."""

    lease_id: str
    project: str
    max_completion_tokens: int
    """The cap the engine must be given; 0: the request's own (or none)."""
    headers: dict[str, str]


def prompt_tokens_bound(chat: ChatRequest) -> int:
    return TEMPLATE_TOKENS + sum(
        len(role) + len(text.encode("utf-8")) + TEMPLATE_TOKENS_PER_MESSAGE for role, text in chat.messages
    )


async def admit(
    admissions: ChatAdmissions,
    caller: ChatCaller,
    endpoint: Endpoint,
    chat: ChatRequest,
    project: str,
    default_completion_tokens: int,
    lease_seconds: int,
) -> Lease:
    """The registry's admission of one request, or the contract's refusal of it."""
    if len(project) > MAX_PROJECT_HEADER:
        raise errors.invalid_api_key()
    try:
        answer = await admissions.admit(
            chat_key_service_pb2.AdmitChatRequestRequest(
                key_id=caller.key_id,
                api_id=endpoint.api.api_id,
                project=project,
                prompt_tokens_bound=prompt_tokens_bound(chat),
                max_completion_tokens=chat.max_tokens or 0,
                default_completion_tokens=default_completion_tokens,
                lease_seconds=lease_seconds,
            )
        )
    except Refused as refused:
        raise refusal_error(refused) from None
    headers = rate_headers(answer.rate)
    if answer.admitted:
        return Lease(answer.lease_id, answer.project, answer.max_completion_tokens, headers)
    error = _refusal(answer)
    error.headers.update(headers)
    raise error


def _refusal(answer: chat_key_service_pb2.AdmitChatRequestResponse) -> errors.OpenAIError:
    refusal = answer.refusal
    if refusal in (_REFUSAL.CHAT_ADMISSION_REFUSAL_DAILY_BUDGET, _REFUSAL.CHAT_ADMISSION_REFUSAL_MONTHLY_BUDGET):
        return errors.insufficient_quota()
    retry_after_s = max(math.ceil(answer.retry_after_ms / 1000), 1)
    if refusal == _REFUSAL.CHAT_ADMISSION_REFUSAL_REQUESTS_PER_MINUTE:
        return errors.rate_limited(
            retry_after_s, f"Rate limit reached for requests per minute: limit {answer.rate.limit_requests}"
        )
    if refusal == _REFUSAL.CHAT_ADMISSION_REFUSAL_TOKENS_PER_MINUTE:
        if answer.retry_after_ms == 0:
            return errors.request_too_large_for_limit(answer.rate.limit_tokens)
        return errors.rate_limited(
            retry_after_s, f"Rate limit reached for tokens per minute: limit {answer.rate.limit_tokens}"
        )
    if refusal == _REFUSAL.CHAT_ADMISSION_REFUSAL_IN_FLIGHT:
        return errors.rate_limited(retry_after_s)
    # The key was revoked or expired since this gateway last heard, or the project is not its own.
    return errors.invalid_api_key()


def rate_headers(rate: chat_keys_pb2.ChatRateState) -> dict[str, str]:
    """§8's headers for the limits the key has; none for a limit it does not have."""
    headers = {}
    if rate.limit_requests:
        headers["x-ratelimit-limit-requests"] = str(rate.limit_requests)
        headers["x-ratelimit-remaining-requests"] = str(rate.remaining_requests)
        headers["x-ratelimit-reset-requests"] = _duration(rate.reset_requests_ms)
    if rate.limit_tokens:
        headers["x-ratelimit-limit-tokens"] = str(rate.limit_tokens)
        headers["x-ratelimit-remaining-tokens"] = str(rate.remaining_tokens)
        headers["x-ratelimit-reset-tokens"] = _duration(rate.reset_tokens_ms)
    return headers


def _duration(milliseconds: int) -> str:
    """OpenAI's spelling: 1s, 6m0s, 250ms."""
    if milliseconds < 1000:
        return f"{milliseconds}ms"
    seconds = math.ceil(milliseconds / 1000)
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes}m{seconds}s" if minutes else f"{seconds}s"
