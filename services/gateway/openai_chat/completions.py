"""POST /v1/chat/completions: a chat model served in Triton, answered as one JSON body or as SSE.

The request is checked by the gateway itself (chat_request), the key and the API by access, and
every byte of the answer is written here from the engine's text and counts (chunks), never from
an engine's JSON. A stream starts only once the engine's first chunk has arrived, so a refusal of
the engine (a prompt too long for the context, a full queue) is still an ordinary error answer;
after the first byte, a failure is one `data: {"error": …}` event and the stream ends (§5).

A client that goes away mid-stream is noticed at the next write: the engine's call is closed,
which cancels the request in Triton and frees its slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import math
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from aiohttp import web

from services.gateway.app_keys import RUNTIME
from services.gateway.http_base.inference_bodies import BodyRefused, read_json
from services.gateway.http_base.inference_outcomes import count_outcome
from services.gateway.http_base.routing import Call
from services.gateway.openai_chat import access, errors, key_limits
from services.gateway.openai_chat.chat_prompt import PromptFailure, render_prompt
from services.gateway.openai_chat.chat_request import ChatRequest, parse_chat_request
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
from services.gateway.serving import admission
from services.gateway.serving.catalog import Endpoint
from services.gateway.serving.chat_engine import (
    NOT_READY,
    TIMED_OUT,
    UNAVAILABLE,
    ChatExchange,
    EngineChunk,
    EngineRefused,
    LlamaCppExchange,
)
from services.gateway.serving.inference_runtime import InferenceRuntime
from services.gateway.serving.off_loop import in_worker_process
from services.gateway.serving.refusals import Refusal, Refused
from services.gateway.serving.vllm_engine import VllmExchange
from services.policy.triton_names import triton_model_name
from services.runtime.logging import get_logger, request_id_var
from torii.v1 import models_pb2

log = get_logger("openai_chat")

LEASE_MARGIN_S = 30
"""A lease outlives the longest request by this much, so only a lost gateway lets one expire."""

# The engine's refusals that are the platform's doing: a trial API's reservation goes back.
_PLATFORM_REFUSALS = {
    UNAVAILABLE: Refusal.BACKEND_UNAVAILABLE,
    NOT_READY: Refusal.NOT_READY,
    TIMED_OUT: Refusal.TIMED_OUT,
    "queue_full": Refusal.BACKEND_UNAVAILABLE,
    "engine_error": Refusal.MODEL_FAILURE,
}


@dataclass
class _Outcome:
    endpoint: Endpoint | None
    """The API the request is counted against: once the model is known, or the key's only one."""
    status: int = 500
    """The status the client got: a stream's is 200 from its first byte, however it ends."""
    last: EngineChunk | None = None
    """The engine's last chunk: its counts are the request's tokens (None: it never reached the engine)."""
    lease: key_limits.Lease | None = None
    """A chat key's admission, finished with the tokens used once the request ends."""


async def chat_completions(call: Call) -> web.StreamResponse:
    runtime = call.request.app[RUNTIME]
    caller = access.chat_caller(runtime, call.request, access.bearer_key(call.request))
    outcome = _Outcome(caller.only_endpoint)
    try:
        response = await _answer(call, runtime, caller, outcome)
        outcome.status = response.status
    except errors.OpenAIError as error:
        outcome.status = error.status
        if outcome.lease is not None:
            error.headers.update(outcome.lease.headers)
        raise
    finally:
        settling = _count(runtime, caller, outcome)
    if settling is not None:
        # Settled before a whole answer leaves (a stream's has left), so a client's next request
        # meets the key's budgets as they are; a handler cancelled meanwhile leaves it running.
        await asyncio.shield(settling)
    return response


def _count(runtime: InferenceRuntime, caller: access.ChatCaller, outcome: _Outcome) -> asyncio.Future[None] | None:
    """Count the request for its API, key and project; the settling of its lease, if it holds one."""
    prompt_tokens, completion_tokens = (
        (outcome.last.prompt_tokens, outcome.last.completion_tokens) if outcome.last is not None else (0, 0)
    )
    lease = outcome.lease
    settling = (
        runtime.chat_admissions.finish(lease.lease_id, prompt_tokens, completion_tokens) if lease is not None else None
    )
    if outcome.endpoint is not None:
        count_outcome(runtime, outcome.endpoint, outcome.status)
        if outcome.last is not None:
            project = lease.project if lease is not None else ""
            runtime.usage.count_chat_tokens(
                outcome.endpoint.api.api_id, caller.key_id, project, prompt_tokens, completion_tokens
            )
    return settling


async def _answer(
    call: Call, runtime: InferenceRuntime, caller: access.ChatCaller, outcome: _Outcome
) -> web.StreamResponse:
    chat = await _chat_request(call)
    endpoint = outcome.endpoint = access.endpoint_for_model(runtime, caller, chat.model)
    access.check_serving(runtime, endpoint)
    headers: dict[str, str] = {}
    if caller.chat_key:
        settings = call.settings
        outcome.lease = lease = await key_limits.admit(
            runtime.chat_admissions,
            caller,
            endpoint,
            chat,
            call.request.headers.get("OpenAI-Project", "").strip(),
            default_completion_tokens=settings.chat_max_completion_tokens,
            lease_seconds=math.ceil(settings.chat_timeout_s) + LEASE_MARGIN_S,
        )
        headers = lease.headers
        if lease.max_completion_tokens and chat.max_tokens is None:
            chat = dataclasses.replace(chat, max_tokens=lease.max_completion_tokens)
    api = endpoint.api
    model_name = triton_model_name(api.api_id, api.serving_model_version_id)
    try:
        exchange = await _exchange(call, runtime, endpoint, chat)
        async with runtime.trial_quota.reservation(endpoint):
            chunks = runtime.triton.chat(
                model_name, exchange, request_id=request_id_var.get(), timeout_s=call.settings.chat_timeout_s
            )
            async with contextlib.aclosing(_platform_refusals(chunks, outcome)) as engine:
                if chat.stream:
                    return await _stream(call.request, chat, engine, outcome, headers)
                return await _whole(chat, engine, headers)
    except Refused as refused:
        raise access.refusal_error(refused) from None


async def _exchange(call: Call, runtime: InferenceRuntime, endpoint: Endpoint, chat: ChatRequest) -> ChatExchange:
    """The request in the protocol of the engine that serves the API's model version: llama.cpp's
    (a GGUF, messages as JSON) or vLLM's (a Hugging Face model, a prompt rendered with its template)."""
    version = await admission.serving_version(runtime, endpoint.api)
    if version.format != models_pb2.MODEL_FORMAT_HF_MODEL:
        return LlamaCppExchange(chat.engine_body())
    try:
        # The owner's template: CPU work in a worker process, where a runaway one cannot stall this loop.
        prompt = await in_worker_process(
            runtime,
            call.settings.chat_timeout_s,
            render_prompt,
            version.preprocessing.chat_template,
            chat.messages,
        )
    except PromptFailure as failure:
        if failure.client_error:
            raise errors.invalid_request(failure.message) from None
        log.error("chat_template_failed", api_id=endpoint.api.api_id, message=failure.message)
        raise errors.server_error() from None
    return VllmExchange(prompt, chat.vllm_sampling())


async def _chat_request(call: Call) -> ChatRequest:
    try:
        body = await read_json(call.request, call.settings.chat_max_body_bytes)
    except BodyRefused as refused:
        if refused.too_large:
            raise errors.request_too_large(call.settings.chat_max_body_bytes) from None
        raise errors.malformed_json() from None
    return parse_chat_request(body, max_completion_cap=call.settings.chat_max_completion_tokens)


async def _platform_refusals(
    chunks: AsyncGenerator[EngineChunk, None], outcome: _Outcome
) -> AsyncGenerator[EngineChunk, None]:
    """The engine's chunks, each remembered as the last; its refusals as the client's error (400)
    or the platform's (Refused)."""
    try:
        async for chunk in chunks:
            outcome.last = chunk
            yield chunk
    except EngineRefused as refused:
        if refused.code == "context_length_exceeded":
            raise errors.context_length_exceeded(_context_message(refused.message)) from None
        if refused.code == "invalid_request":
            log.warning("engine_refused_request", message=refused.message)
            raise errors.invalid_request("The model could not read this request.") from None
        # A full queue is load shed as designed; anything else is worth a look.
        report = log.info if refused.code == "queue_full" else log.warning
        report("engine_refused", code=refused.code, message=refused.message)
        raise Refused(_PLATFORM_REFUSALS.get(refused.code, Refusal.MODEL_FAILURE), refused.message) from None
    finally:
        await chunks.aclose()


def _context_message(engine_message: str) -> str:
    # The engine's message carries the sizes (its own words, no request text); it is ours to write.
    return f"This model's maximum context length is exceeded: {engine_message}"


async def _whole(chat: ChatRequest, engine: AsyncGenerator[EngineChunk, None], headers: dict[str, str]) -> web.Response:
    completion = Completion.new(chat.model)
    texts: list[str] = []
    last: EngineChunk | None = None
    async for chunk in engine:
        texts.append(chunk.text)
        last = chunk
    if last is None:
        raise Refused(Refusal.MODEL_FAILURE, "the engine answered nothing")
    body = completion_body(
        completion, "".join(texts), last.finish_reason or "stop", last.prompt_tokens, last.completion_tokens
    )
    return web.Response(body=body, content_type="application/json", headers=headers)


async def _stream(
    request: web.Request,
    chat: ChatRequest,
    engine: AsyncGenerator[EngineChunk, None],
    outcome: _Outcome,
    headers: dict[str, str],
) -> web.StreamResponse:
    completion = Completion.new(chat.model)
    first = await anext(engine, None)
    if first is None:
        raise Refused(Refusal.MODEL_FAILURE, "the engine answered nothing")
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache", **headers})
    await response.prepare(request)
    outcome.status = response.status
    usage = chat.include_usage
    last = first
    try:
        await response.write(role_event(completion, usage))
        if first.text:
            await response.write(content_event(completion, first.text, usage))
        async for chunk in engine:
            if chunk.text:
                await response.write(content_event(completion, chunk.text, usage))
            last = chunk
        await response.write(finish_event(completion, last.finish_reason or "stop", usage))
        if usage:
            await response.write(usage_event(completion, last.prompt_tokens, last.completion_tokens))
        await response.write(DONE)
    # The client went away: aiohttp cancels the handler, or a write fails. Leaving closes the
    # engine's call, which cancels the generation in Triton and frees its slot.
    except asyncio.CancelledError:
        log.info("chat_client_gone", completion_tokens=last.completion_tokens)
        raise
    except ConnectionError:
        log.info("chat_client_gone", completion_tokens=last.completion_tokens)
        return response
    except errors.OpenAIError as error:
        await _end_with(response, error)
    except Refused as refused:
        await _end_with(response, access.refusal_error(refused))
    return response


async def _end_with(response: web.StreamResponse, error: errors.OpenAIError) -> None:
    with contextlib.suppress(ConnectionError):
        await response.write(error_event(error))
