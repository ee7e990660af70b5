"""Chat generation in Triton: one request to a chat model's decoupled Triton model, its answers as chunks.

Two engines speak different protocols on the same gRPC stream; a ChatExchange holds one request
in one engine's protocol (how the request is built, how each answer and refusal is read), so the
stream's handling here (cancellation, the wait for a finished stream's status) is one for both:

- GGUF models (services/scheduler/triton/chat_python_model, LlamaCppExchange) take the request as
  one JSON string and answer one response per token chunk, each with the counts so far from the
  model's own tokenizer, then a last one with the finish reason. Their refusals arrive as the
  stream's error message "<code>: <message>".
- Hugging Face models run in Triton's vLLM backend (serving/vllm_engine.py, VllmExchange).

Knows nothing of any contract: the caller words the chunks and the refusals.

Leaving the iteration early (the HTTP client went away, or the caller stopped reading) cancels the
gRPC call: Triton marks the request cancelled, and the model stops generating and frees its slot.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from typing import Protocol

import grpc
from tritonclient.grpc import service_pb2, service_pb2_grpc

from services.runtime.logging import REQUEST_ID_HEADER, get_logger

log = get_logger("chat_engine")

OUTPUTS = ("text", "finish_reason", "prompt_tokens", "completion_tokens")
# The model's own refusals; anything else Triton says is one of the two below.
ENGINE_CODES = frozenset({"context_length_exceeded", "queue_full", "invalid_request", "engine_error"})
NOT_READY = "not_ready"  # Triton has no such model loaded (yet)
UNAVAILABLE = "unavailable"  # Triton itself did not answer
TIMED_OUT = "timed_out"
STATUS_WAIT_S = 30.0
"""How long a finished stream's status is waited for before the call is given up."""


@dataclass(frozen=True, slots=True)
class EngineChunk:
    text: str
    finish_reason: str
    """"" while generating; "stop" or "length" on the last chunk."""
    prompt_tokens: int
    completion_tokens: int
    """Both counted so far, by the model's tokenizer."""


class EngineRefused(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class ChatExchange(Protocol):
    """One chat request in one engine's protocol. One per request: an exchange may keep what it
    has read so far (vLLM counts each answer's tokens, not the total)."""

    def request(self, model_name: str, request_id: str) -> service_pb2.ModelInferRequest:
        """The request to send; it asks for Triton's empty final response, which ends the stream."""
        ...

    def read(self, response: service_pb2.ModelInferResponse) -> EngineChunk:
        """The chunk an answer with outputs holds; EngineRefused when the answer is one the engine
        gives only when it failed."""
        ...

    def refusal(self, message: str) -> EngineRefused:
        """What a stream's error message means."""
        ...


class LlamaCppExchange:
    """A GGUF model's request: `body` is its request_json (ChatRequest.engine_body)."""

    def __init__(self, body: bytes) -> None:
        self._body = body

    def request(self, model_name: str, request_id: str) -> service_pb2.ModelInferRequest:
        return chat_request(model_name, self._body, request_id)

    def read(self, response: service_pb2.ModelInferResponse) -> EngineChunk:
        return _chunk(response)

    def refusal(self, message: str) -> EngineRefused:
        return _refusal(message)


def chat_request(model_name: str, body: bytes, request_id: str) -> service_pb2.ModelInferRequest:
    request = service_pb2.ModelInferRequest(model_name=model_name, id=request_id)
    request.inputs.add(name="request_json", datatype="BYTES", shape=[1])
    # Triton's BYTES tensor: each element is a little-endian uint32 length, then the bytes.
    request.raw_input_contents.append(struct.pack("<I", len(body)) + body)
    for name in OUTPUTS:
        request.outputs.add(name=name)
    # Without it a decoupled model's last, flags-only answer never reaches the client.
    request.parameters["triton_enable_empty_final_response"].bool_param = True
    return request


async def generate(
    stub: service_pb2_grpc.GRPCInferenceServiceStub,
    headers: Sequence[tuple[str, str]],
    model_name: str,
    exchange: ChatExchange,
    *,
    request_id: str,
    timeout_s: float,
) -> AsyncGenerator[EngineChunk, None]:
    """The model's chunks for one request; EngineRefused when the model refuses it, Triton does
    not know the model, or does not answer within `timeout_s`."""
    call = stub.ModelStreamInfer(
        iter([exchange.request(model_name, request_id)]),
        metadata=(*headers, (REQUEST_ID_HEADER, request_id)),
        timeout=timeout_s,
    )
    ended = False
    refused: EngineRefused | None = None
    try:
        async for answer in call:
            if answer.error_message:
                refused, ended = exchange.refusal(answer.error_message), True
                break
            response = answer.infer_response
            final = response.parameters["triton_final_response"].bool_param
            if response.outputs:
                try:
                    chunk = exchange.read(response)
                except EngineRefused as refusal:
                    # An answer that is not the last leaves the generation running: the finally cancels it.
                    refused, ended = refusal, final
                    break
                yield chunk
            if final:
                ended = True
                break
        if ended:
            _let_finish(call, model_name, request_id)
    except grpc.aio.AioRpcError as error:
        ended = True
        if error.code() is grpc.StatusCode.DEADLINE_EXCEEDED:
            raise EngineRefused(TIMED_OUT, "the model did not finish in time") from None
        raise EngineRefused(UNAVAILABLE, error.details() or error.code().name) from None
    finally:
        if not ended:
            call.cancel()  # the caller left early: stop the generation
    if refused is not None:
        raise refused


FINISHING_STREAMS: set[asyncio.Task[None]] = set()
"""Streams whose last answer has arrived, kept until their status does (see _let_finish)."""


def _let_finish(call: grpc.aio.StreamStreamCall, model_name: str, request_id: str) -> None:
    """Keep a finished stream until its status arrives, without making the caller wait for it:
    a call dropped before then is cancelled by grpc.aio, and a cancelled stream whose request had
    finished kept Triton from ever unloading the model."""
    task = asyncio.ensure_future(_await_status(call, model_name, request_id))
    FINISHING_STREAMS.add(task)
    task.add_done_callback(FINISHING_STREAMS.discard)


async def _await_status(call: grpc.aio.StreamStreamCall, model_name: str, request_id: str) -> None:
    try:
        await asyncio.wait_for(call.code(), STATUS_WAIT_S)
    except TimeoutError:
        log.warning("chat_stream_status_late", model=model_name, request_id=request_id)
        call.cancel()


def _refusal(message: str) -> EngineRefused:
    code, colon, detail = message.partition(": ")
    if colon and code in ENGINE_CODES:
        return EngineRefused(code, detail)
    return triton_refusal(message)


def triton_refusal(message: str) -> EngineRefused:
    """A refusal in Triton's words, which any engine's stream may carry: NOT_READY when Triton has
    no such model ready, otherwise the engine failed."""
    lowered = message.lower()
    if "unknown model" in lowered or "not ready" in lowered or "unavailable" in lowered:
        return EngineRefused(NOT_READY, message)
    return EngineRefused("engine_error", message)


def _chunk(response: service_pb2.ModelInferResponse) -> EngineChunk:
    values: dict[str, bytes] = {tensor.name: raw for tensor, raw in zip(response.outputs, response.raw_output_contents)}
    return EngineChunk(
        text=_string(values["text"]),
        finish_reason=_string(values["finish_reason"]),
        prompt_tokens=struct.unpack("<i", values["prompt_tokens"])[0],
        completion_tokens=struct.unpack("<i", values["completion_tokens"])[0],
    )


def _string(raw: bytes) -> str:
    (length,) = struct.unpack_from("<I", raw)
    # llama.cpp holds back a token that ends inside a UTF-8 character until the character is whole.
    return raw[4 : 4 + length].decode("utf-8", errors="replace")
