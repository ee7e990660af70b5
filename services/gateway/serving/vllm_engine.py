"""Chat generation in Triton's vLLM backend (github.com/triton-inference-server/vllm_backend): the
request for a Hugging Face chat model, and its streamed answers read as chat_engine's chunks.

The backend takes a prompt, not messages (the gateway renders them with the model's chat
template, openai_chat/chat_prompt.py), and its sampling parameters as one JSON string. Streaming,
it answers once per step of the engine with the text new since the previous answer, the prompt's
token count, and the count of the tokens new in this answer: the chunks carry totals, as the GGUF
engine's do, so the counts are summed here. That makes a VllmExchange good for one request only.

Its failures arrive as free text (the backend words an exception as "Error generating stream:
<vLLM's message>"); a prompt longer than the model's context is recognised by vLLM's wording.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping
from typing import Any

import orjson
from tritonclient.grpc import service_pb2

from services.gateway.serving.chat_engine import EngineChunk, EngineRefused, triton_refusal

OUTPUTS = ("text_output", "finish_reason", "num_input_tokens", "num_output_tokens")
# What the backend sends for a request still generating: str(None), or nothing.
UNFINISHED = frozenset({"", "None"})
FINISH_REASONS = frozenset({"stop", "length"})
CONTEXT_LENGTH_EXCEEDED = "context_length_exceeded"
ENGINE_ERROR = "engine_error"

# vLLM's words for a prompt that does not fit the context. V1's input processor: "The decoder
# prompt (length 5000) is longer than the maximum model length of 4096." and, for a prompt that
# fills it exactly, "The decoder prompt (length 4096) plus the number of requested output tokens
# (at least 1) is longer than the maximum model length of 4096."; V0's: "Prompt length of 5000 is
# longer than the maximum model length of 4096."
_TOO_LONG = "longer than the maximum model length"
_TOO_LONG_SIZES = re.compile(
    r"prompt (?:\(length (?P<length>\d+)\)|length of (?P<length_v0>\d+)).*?"
    r"longer than the maximum model length of (?P<most>\d+)",
    re.IGNORECASE,
)


def vllm_request(
    model_name: str, prompt: str, sampling: Mapping[str, Any], request_id: str
) -> service_pb2.ModelInferRequest:
    """The backend's streamed request for `prompt` (the rendered chat), with `sampling` as vLLM's
    SamplingParams fields (ChatRequest.vllm_sampling)."""
    request = service_pb2.ModelInferRequest(model_name=model_name, id=request_id)
    _add_bytes(request, "text_input", prompt.encode())
    _add_bool(request, "stream", True)
    _add_bytes(request, "sampling_parameters", orjson.dumps(dict(sampling)))
    # Streaming answers with the prompt included are refused by the backend; the answer is the completion.
    _add_bool(request, "exclude_input_in_output", True)
    for name in ("return_finish_reason", "return_num_input_tokens", "return_num_output_tokens"):
        _add_bool(request, name, True)
    for name in OUTPUTS:
        request.outputs.add(name=name)
    # As chat_engine.chat_request: the stream's last answer carries triton_final_response.
    request.parameters["triton_enable_empty_final_response"].bool_param = True
    return request


class VllmExchange:
    """One request to a vLLM model (chat_engine.ChatExchange)."""

    def __init__(self, prompt: str, sampling: Mapping[str, Any]) -> None:
        self._prompt = prompt
        self._sampling = sampling
        self._completion_tokens = 0

    def request(self, model_name: str, request_id: str) -> service_pb2.ModelInferRequest:
        return vllm_request(model_name, self._prompt, self._sampling, request_id)

    def read(self, response: service_pb2.ModelInferResponse) -> EngineChunk:
        values = {tensor.name: (tensor, raw) for tensor, raw in zip(response.outputs, response.raw_output_contents)}
        missing = [name for name in OUTPUTS if name not in values]
        if missing:
            # A backend that ignores the return_* inputs (older than they are) cannot be counted.
            raise EngineRefused(ENGINE_ERROR, f"the vLLM backend's answer lacks {', '.join(missing)}")
        prompt_tokens = _count(*values["num_input_tokens"])
        self._completion_tokens += _count(*values["num_output_tokens"])
        finish_reason = _string(values["finish_reason"][1])
        if finish_reason in UNFINISHED:
            finish_reason = ""
        elif finish_reason not in FINISH_REASONS:
            # "abort" or "error": vLLM gave up on the request; the gateway never asks it to (it cancels).
            raise EngineRefused(ENGINE_ERROR, f"vLLM ended the answer with finish reason {finish_reason!r}")
        elif finish_reason == "length" and self._completion_tokens == 0:
            # V0 answers a prompt that fills the context so, without an error; max_tokens is at least 1.
            raise EngineRefused(
                CONTEXT_LENGTH_EXCEEDED,
                f"the prompt's {prompt_tokens} tokens leave no room for an answer in the model's context",
            )
        return EngineChunk(
            text=_string(values["text_output"][1]),
            finish_reason=finish_reason,
            prompt_tokens=prompt_tokens,
            completion_tokens=self._completion_tokens,
        )

    def refusal(self, message: str) -> EngineRefused:
        return vllm_refusal(message)


def vllm_refusal(message: str) -> EngineRefused:
    """A stream's error message: context_length_exceeded in vLLM's words for a prompt too long,
    otherwise as Triton's (chat_engine.triton_refusal)."""
    if _TOO_LONG in message.lower():
        return EngineRefused(CONTEXT_LENGTH_EXCEEDED, _too_long_message(message))
    return triton_refusal(message)


def _too_long_message(message: str) -> str:
    # Our words, not vLLM's: its message goes on to advise the operator on max_model_len.
    sizes = _TOO_LONG_SIZES.search(message)
    if sizes is None:
        return "the prompt is longer than the model's maximum length"
    length = int(sizes["length"] or sizes["length_v0"])
    most = int(sizes["most"])
    if length > most:
        return f"the prompt's {length} tokens exceed the model's maximum length of {most} tokens"
    return f"the prompt's {length} tokens leave no room for an answer within the model's maximum length of {most}"


def _add_bytes(request: service_pb2.ModelInferRequest, name: str, value: bytes) -> None:
    request.inputs.add(name=name, datatype="BYTES", shape=[1])
    # Triton's BYTES tensor: each element is a little-endian uint32 length, then the bytes.
    request.raw_input_contents.append(struct.pack("<I", len(value)) + value)


def _add_bool(request: service_pb2.ModelInferRequest, name: str, value: bool) -> None:
    request.inputs.add(name=name, datatype="BOOL", shape=[1])
    request.raw_input_contents.append(b"\x01" if value else b"\x00")


def _count(tensor: service_pb2.ModelInferResponse.InferOutputTensor, raw: bytes) -> int:
    if tensor.datatype != "UINT32" or len(raw) < 4:
        raise EngineRefused(ENGINE_ERROR, f"the vLLM backend's {tensor.name} is not a UINT32 ({tensor.datatype})")
    (count,) = struct.unpack_from("<I", raw)
    return int(count)


def _string(raw: bytes) -> str:
    """The first element of a BYTES output (the backend answers one sequence per request);
    "" for none."""
    if len(raw) < 4:
        return ""
    (length,) = struct.unpack_from("<I", raw)
    return raw[4 : 4 + length].decode("utf-8", errors="replace")
