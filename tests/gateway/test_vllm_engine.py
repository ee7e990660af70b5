"""The gateway's side of Triton's vLLM backend: the request it builds, its streamed answers read as
chunks with totals, its free-text errors mapped to the engine's codes, and both engines' requests
through TritonPool.chat over a real gRPC stream.

No GPU here, so no vLLM: the answers are built as the backend builds them (its text_output delta,
finish_reason "None" until the end, the prompt's num_input_tokens, the answer's num_output_tokens)
and served by a stand-in for Triton's gRPC service on an ephemeral port.
"""

from __future__ import annotations

import contextlib
import struct
from collections.abc import AsyncIterator

import grpc
import numpy as np
import orjson
import pytest
from tritonclient.grpc import service_pb2, service_pb2_grpc
from tritonclient.utils import deserialize_bytes_tensor

from services.gateway.openai_chat.chat_request import ChatRequest, parse_chat_request
from services.gateway.serving import chat_engine
from services.gateway.serving.chat_engine import NOT_READY, TIMED_OUT, EngineChunk, EngineRefused, LlamaCppExchange
from services.gateway.serving.triton_pool import TritonPool
from services.gateway.serving.vllm_engine import VllmExchange, vllm_refusal, vllm_request
from tests.gateway.fake_vllm_triton import FakeTriton, add_output, bytes_tensor, streamed, vllm_answer
from tests.polling import eventually

SAMPLING = {"temperature": 0.5, "top_p": 0.9, "stop": ["\n\n"], "presence_penalty": 0.0, "frequency_penalty": 0.0}


def read_all(exchange: VllmExchange, *responses: service_pb2.ModelInferResponse) -> list[EngineChunk]:
    return [exchange.read(response) for response in responses]


def parsed(**fields: object) -> ChatRequest:
    body = {"model": "acme/chat", "messages": [{"role": "user", "content": "Hi"}], **fields}
    return parse_chat_request(body, max_completion_cap=4096)


# The request


def test_the_request_carries_every_input_the_backend_reads():
    request = vllm_request("api-1_v2", "<|im_start|>user\nHé<|im_end|>\n", SAMPLING, "req-7")
    assert request.model_name == "api-1_v2" and request.id == "req-7"
    inputs = {
        tensor.name: (tensor.datatype, list(tensor.shape), raw)
        for tensor, raw in zip(request.inputs, request.raw_input_contents)
    }
    assert sorted(inputs) == sorted(
        [
            "text_input",
            "stream",
            "sampling_parameters",
            "exclude_input_in_output",
            "return_finish_reason",
            "return_num_input_tokens",
            "return_num_output_tokens",
        ]
    )
    datatype, shape, raw = inputs["text_input"]
    assert (datatype, shape) == ("BYTES", [1])
    assert deserialize_bytes_tensor(raw).tolist() == ["<|im_start|>user\nHé<|im_end|>\n".encode()]
    datatype, shape, raw = inputs["sampling_parameters"]
    assert (datatype, shape) == ("BYTES", [1])
    assert orjson.loads(deserialize_bytes_tensor(raw)[0]) == SAMPLING
    for name in ("stream", "exclude_input_in_output", *(name for name in inputs if name.startswith("return_"))):
        datatype, shape, raw = inputs[name]
        assert (datatype, shape) == ("BOOL", [1]), name
        assert np.frombuffer(raw, dtype=np.bool_).tolist() == [True], name
    assert [output.name for output in request.outputs] == [
        "text_output",
        "finish_reason",
        "num_input_tokens",
        "num_output_tokens",
    ]
    assert request.parameters["triton_enable_empty_final_response"].bool_param


def test_the_sampling_parameters_are_the_requests():
    request = parsed(max_tokens=64, temperature=0.2, top_p=0.8, stop=["END", "\n"], seed=-3, frequency_penalty=1.5)
    assert request.vllm_sampling() == {
        "temperature": 0.2,
        "top_p": 0.8,
        "stop": ["END", "\n"],
        "presence_penalty": 0.0,
        "frequency_penalty": 1.5,
        "max_tokens": 64,
        "seed": -3,
    }


def test_the_sampling_parameters_leave_out_an_absent_budget_and_seed():
    assert parsed().vllm_sampling() == {
        "temperature": 1.0,
        "top_p": 1.0,
        "stop": [],
        "presence_penalty": 0.0,
        "frequency_penalty": 0.0,
    }


def test_a_top_p_of_zero_which_vllm_refuses_is_greedy_decoding():
    sampling = parsed(top_p=0, temperature=0.7).vllm_sampling()
    assert (sampling["temperature"], sampling["top_p"]) == (0.0, 1.0)


# The answers


def test_answers_become_chunks_with_the_totals_so_far():
    chunks = read_all(
        VllmExchange("p", SAMPLING),
        vllm_answer("Hel", None, 12, 2),
        vllm_answer("", None, 12, 1),
        vllm_answer("lo!", "stop", 12, 3, final=True),
    )
    assert chunks == [
        EngineChunk(text="Hel", finish_reason="", prompt_tokens=12, completion_tokens=2),
        EngineChunk(text="", finish_reason="", prompt_tokens=12, completion_tokens=3),
        EngineChunk(text="lo!", finish_reason="stop", prompt_tokens=12, completion_tokens=6),
    ]


def test_a_budget_spent_is_a_length_finish():
    (chunk,) = read_all(VllmExchange("p", SAMPLING), vllm_answer("Once upon", "length", 5, 4, final=True))
    assert (chunk.text, chunk.finish_reason, chunk.completion_tokens) == ("Once upon", "length", 4)


def test_each_request_counts_from_zero():
    first, second = VllmExchange("p", SAMPLING), VllmExchange("p", SAMPLING)
    first.read(vllm_answer("a", None, 3, 5))
    assert second.read(vllm_answer("b", None, 3, 1)).completion_tokens == 1


@pytest.mark.parametrize("reason", ["abort", "error"])
def test_vllm_giving_up_on_a_request_is_an_engine_error(reason):
    with pytest.raises(EngineRefused) as caught:
        VllmExchange("p", SAMPLING).read(vllm_answer("", reason, 3, 0, final=True))
    assert caught.value.code == "engine_error"
    assert reason in caught.value.message


def test_a_length_finish_with_no_tokens_is_a_prompt_that_filled_the_context():
    with pytest.raises(EngineRefused) as caught:
        VllmExchange("p", SAMPLING).read(vllm_answer("", "length", 4096, 0, final=True))
    assert caught.value.code == "context_length_exceeded"
    assert "4096" in caught.value.message


def test_an_answer_without_the_counts_is_an_engine_error():
    response = service_pb2.ModelInferResponse()
    add_output(response, "text_output", "BYTES", [1], bytes_tensor("Hi"))
    with pytest.raises(EngineRefused) as caught:
        VllmExchange("p", SAMPLING).read(response)
    assert caught.value.code == "engine_error"
    assert "num_input_tokens" in caught.value.message and "num_output_tokens" in caught.value.message


# The errors, in vLLM's and Triton's words


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "Error generating stream: The decoder prompt (length 5000) is longer than the maximum model length of "
            "4096. Make sure that `max_model_len` is no smaller than the number of text tokens.",
            "the prompt's 5000 tokens exceed the model's maximum length of 4096 tokens",
        ),
        (
            "Error generating stream: The decoder prompt (length 4096) plus the number of requested output tokens "
            "(at least 1) is longer than the maximum model length of 4096. Make sure that `max_model_len` is no "
            "smaller than the number of text tokens (prompt + requested output tokens).",
            "the prompt's 4096 tokens leave no room for an answer within the model's maximum length of 4096",
        ),
        (
            "Error generating stream: Prompt length of 9000 is longer than the maximum model length of 8192.",
            "the prompt's 9000 tokens exceed the model's maximum length of 8192 tokens",
        ),
    ],
)
def test_a_prompt_longer_than_the_context_is_recognised_in_vllms_words(message, expected):
    refused = vllm_refusal(message)
    assert (refused.code, refused.message) == ("context_length_exceeded", expected)


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("Request for unknown model: 'api-1_v2' is not found", NOT_READY),
        ("Model is unavailable due to unhealthy vLLM engine", NOT_READY),
        ("Error generating stream: EngineDeadError: EngineCore encountered an issue.", "engine_error"),
        ("Error generating stream: The decoder prompt cannot be empty", "engine_error"),
    ],
)
def test_other_errors_are_tritons_words_or_an_engine_error(message, code):
    refused = vllm_refusal(message)
    assert (refused.code, refused.message) == (code, message)


# Both engines through TritonPool.chat, over a real gRPC stream


@pytest.fixture
async def triton() -> AsyncIterator[tuple[FakeTriton, TritonPool]]:
    fake = FakeTriton()
    server = grpc.aio.server()
    service_pb2_grpc.add_GRPCInferenceServiceServicer_to_server(fake, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    pool = TritonPool([f"127.0.0.1:{port}"], {"triton-token": "t"})
    try:
        yield fake, pool
    finally:
        await pool.close()
        await server.stop(None)


async def collect(pool: TritonPool, request, *, timeout_s: float = 60.0) -> list[EngineChunk]:
    chunks = pool.chat("chat", request, request_id="req-1", timeout_s=timeout_s)
    async with contextlib.aclosing(chunks):
        return [chunk async for chunk in chunks]


async def stream_finishes(fake: FakeTriton) -> None:
    """The last answer read, the call is kept until its status arrives rather than cancelled (a
    cancelled stream whose request had finished kept Triton from unloading the model)."""
    assert len(chat_engine.FINISHING_STREAMS) == 1
    fake.release.set()
    await eventually(lambda: fake.ended, what="the stream's end")
    assert fake.ended == ["finished"]
    await eventually(lambda: not chat_engine.FINISHING_STREAMS, what="the status awaited")


async def test_a_vllm_request_streams_its_chunks_and_lets_the_stream_finish(triton):
    fake, pool = triton
    fake.script = streamed(vllm_answer("Hi", None, 7, 1), vllm_answer(" there", "stop", 7, 2, final=True))
    fake.hold = True
    chunks = await collect(pool, VllmExchange("<prompt>", SAMPLING))
    assert [(c.text, c.finish_reason, c.prompt_tokens, c.completion_tokens) for c in chunks] == [
        ("Hi", "", 7, 1),
        (" there", "stop", 7, 3),
    ]
    (request,) = fake.requests
    assert request.inputs[0].name == "text_input"
    assert deserialize_bytes_tensor(request.raw_input_contents[0]).tolist() == [b"<prompt>"]
    await stream_finishes(fake)


async def test_a_gguf_request_is_still_one_request_json(triton):
    fake, pool = triton
    answer = service_pb2.ModelInferResponse()
    add_output(answer, "text", "BYTES", [1], bytes_tensor("Hello"))
    add_output(answer, "finish_reason", "BYTES", [1], bytes_tensor("stop"))
    add_output(answer, "prompt_tokens", "INT32", [1], struct.pack("<i", 9))
    add_output(answer, "completion_tokens", "INT32", [1], struct.pack("<i", 2))
    answer.parameters["triton_final_response"].bool_param = True
    fake.script = streamed(answer)
    body = parsed(max_tokens=5).engine_body()
    assert await collect(pool, LlamaCppExchange(body)) == [EngineChunk("Hello", "stop", 9, 2)]
    (request,) = fake.requests
    assert [tensor.name for tensor in request.inputs] == ["request_json"]
    assert deserialize_bytes_tensor(request.raw_input_contents[0]).tolist() == [body]
    assert [output.name for output in request.outputs] == list(chat_engine.OUTPUTS)


async def test_vllms_error_on_the_stream_is_refused_with_its_code(triton):
    fake, pool = triton
    fake.script = [
        service_pb2.ModelStreamInferResponse(
            error_message="Error generating stream: The decoder prompt (length 9) is longer than the maximum model "
            "length of 8. Make sure that `max_model_len` is no smaller than the number of text tokens."
        )
    ]
    with pytest.raises(EngineRefused) as caught:
        await collect(pool, VllmExchange("p", SAMPLING))
    assert caught.value.code == "context_length_exceeded"
    assert caught.value.message == "the prompt's 9 tokens exceed the model's maximum length of 8 tokens"


async def test_leaving_early_cancels_the_generation(triton):
    fake, pool = triton
    fake.script, fake.hold = streamed(vllm_answer("Once", None, 7, 1)), True
    chunks = pool.chat("chat", VllmExchange("p", SAMPLING), request_id="req-1", timeout_s=60)
    first = await anext(chunks)
    assert first.text == "Once"
    await chunks.aclose()
    await eventually(lambda: fake.ended, what="the stream's end")
    assert fake.ended == ["cancelled"]


async def test_an_unreadable_answer_mid_stream_refuses_and_cancels_the_generation(triton):
    fake, pool = triton
    fake.script, fake.hold = streamed(vllm_answer("", "abort", 7, 0)), True
    with pytest.raises(EngineRefused) as caught:
        await collect(pool, VllmExchange("p", SAMPLING))
    assert caught.value.code == "engine_error"
    await eventually(lambda: fake.ended, what="the stream's end")
    assert fake.ended == ["cancelled"]


async def test_an_unreadable_last_answer_refuses_and_lets_the_stream_finish(triton):
    fake, pool = triton
    fake.script, fake.hold = streamed(vllm_answer("", "length", 4096, 0, final=True)), True
    with pytest.raises(EngineRefused) as caught:
        await collect(pool, VllmExchange("p", SAMPLING))
    assert caught.value.code == "context_length_exceeded"
    await stream_finishes(fake)


async def test_a_stream_past_its_time_is_timed_out(triton):
    fake, pool = triton
    fake.hold = True
    with pytest.raises(EngineRefused) as caught:
        await collect(pool, VllmExchange("p", SAMPLING), timeout_s=0.5)
    assert caught.value.code == TIMED_OUT
