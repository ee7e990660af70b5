"""A chat request to a Hugging Face chat API through the real gateway: the messages rendered with
the model's chat template, sent to Triton in the vLLM backend's tensors, and its streamed answers
written as OpenAI's. Triton here is a stand-in speaking Triton's gRPC protocol (no GPU, so no
vLLM); the registry, its catalog and the gateway are real.
"""

from __future__ import annotations

import json

import grpc
import pytest
from tritonclient.grpc import service_pb2_grpc
from tritonclient.utils import deserialize_bytes_tensor

from services.gateway.app_keys import RUNTIME
from tests.gateway.fake_vllm_triton import FakeTriton, streamed, vllm_answer
from tests.gateway.helpers import create_api
from tests.polling import eventually
from torii.v1 import apis_pb2
from torii.v1 import registry_service_pb2 as rs

MODEL = "qwen/small"
CHATML = (
    "{% for message in messages %}"
    "{% if message['role'] == 'assistant' and loop.first %}"
    "{{ raise_exception('Begin with a user message') }}{% endif %}"
    "<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
HELLO = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Say hello."}]


@pytest.fixture
async def chat(start_gateway):
    fake = FakeTriton()
    server = grpc.aio.server()
    service_pb2_grpc.add_GRPCInferenceServiceServicer_to_server(fake, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        gateway = await start_gateway(triton_addresses=[f"127.0.0.1:{port}"])
        response = await gateway.client.post(
            "/manage/v1/models/hugging-face",
            json={"name": "qwen", "hf_model_id": "Qwen/Qwen2.5-0.5B-Instruct", "chat_template": {"template": CHATML}},
            headers=gateway.admin,
        )
        version = (await response.json())["version"]
        created = await create_api(
            gateway, version["model_version_id"], execution_type="dedicated", instance_kind="gpu", chat_model_id=MODEL
        )
        api = created["api"]
        # What the scheduler reports once Triton has loaded the model.
        await gateway.registry.stub.ReportDeployment(
            rs.ReportDeploymentRequest(
                api_id=api["api_id"],
                model_version_id=version["model_version_id"],
                status=apis_pb2.API_STATUS_RUNNING,
            )
        )
        headers = {"Authorization": f"Bearer {created['api_key']}"}

        async def serving() -> bool:
            endpoint = gateway.client.app[RUNTIME].catalog.get(api["api_id"])
            return endpoint is not None and endpoint.api.status == apis_pb2.API_STATUS_RUNNING

        await eventually(serving, what="the API running in the gateway's catalog")
        yield gateway, fake, headers
    finally:
        await server.stop(None)


def _inputs(request) -> dict[str, object]:
    values = {}
    for tensor, raw in zip(request.inputs, request.raw_input_contents, strict=True):
        if tensor.datatype == "BYTES":
            values[tensor.name] = deserialize_bytes_tensor(raw)[0].decode()
        else:
            values[tensor.name] = bool(raw[0])
    return values


async def test_messages_are_rendered_with_the_template_and_answered_in_openai_s_shape(chat):
    gateway, fake, headers = chat
    fake.script = streamed(vllm_answer("Hel", "None", 21, 1), vllm_answer("lo!", "stop", 21, 2, final=True))
    response = await gateway.client.post(
        "/v1/chat/completions",
        json={"model": MODEL, "messages": HELLO, "max_tokens": 8, "temperature": 0},
        headers=headers,
    )
    body = await response.json()
    assert response.status == 200, body
    assert body["choices"][0]["message"]["content"] == "Hello!"
    assert body["choices"][0]["finish_reason"] == "stop"
    assert body["usage"] == {"prompt_tokens": 21, "completion_tokens": 3, "total_tokens": 24}
    (request,) = fake.requests
    sent = _inputs(request)
    assert sent["text_input"] == (
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nSay hello.<|im_end|>\n<|im_start|>assistant\n"
    )
    assert sent["stream"] is True
    sampling = json.loads(str(sent["sampling_parameters"]))
    assert sampling["max_tokens"] == 8 and sampling["temperature"] == 0


async def test_a_stream_carries_the_engine_s_text_as_it_comes(chat):
    gateway, fake, headers = chat
    fake.script = streamed(vllm_answer("Hi", "None", 21, 1), vllm_answer(" there", "length", 21, 1, final=True))
    response = await gateway.client.post(
        "/v1/chat/completions",
        json={"model": MODEL, "messages": HELLO, "max_tokens": 2, "stream": True},
        headers=headers,
    )
    assert response.status == 200
    events = [line.removeprefix("data: ") for line in (await response.text()).split("\n\n") if line]
    assert events[-1] == "[DONE]"
    deltas = [json.loads(event)["choices"][0]["delta"].get("content") for event in events[:-1]]
    assert "".join(text for text in deltas if text) == "Hi there"
    assert json.loads(events[-2])["choices"][0]["finish_reason"] == "length"


async def test_a_template_that_refuses_the_messages_is_a_400_in_its_own_words(chat):
    gateway, fake, headers = chat
    response = await gateway.client.post(
        "/v1/chat/completions",
        json={"model": MODEL, "messages": [{"role": "assistant", "content": "hi"}]},
        headers=headers,
    )
    body = await response.json()
    assert response.status == 400, body
    assert body["error"]["type"] == "invalid_request_error"
    assert "Begin with a user message" in body["error"]["message"]
    assert fake.requests == []
