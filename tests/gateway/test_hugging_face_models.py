"""Hugging Face chat models through the management API: registered by model id with their chat
template (no upload), published as chat APIs, kept apart from ONNX. No Triton here: Triton's vLLM
backend needs a GPU (tests/scheduler/test_vllm_model.py checks the model folder it would read)."""

from __future__ import annotations

from tests.gateway.helpers import assert_documented, create_api, error_of, upload_model

PATH = "/manage/v1/models/hugging-face"
CHATML = (
    "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n"
    "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
QWEN = {"name": "qwen", "hf_model_id": "Qwen/Qwen2.5-0.5B-Instruct", "chat_template": {"template": CHATML}}


async def _register(gateway, body: dict, path: str = PATH):
    return await gateway.client.post(path, json=body, headers=gateway.admin)


async def test_a_hugging_face_model_is_a_chat_model_version_with_its_template(gateway):
    response = await _register(gateway, {**QWEN, "chat_template": {"template": CHATML, "eos_token": "<|im_end|>"}})
    body = await response.json()
    assert response.status == 201, body
    assert_documented("POST", PATH, 201, body)
    version = body["version"]
    assert version["format"] == "hf_model"
    assert version["artifact_uri"] == "hf://Qwen/Qwen2.5-0.5B-Instruct"
    assert (version["sha256"], version["size_bytes"], version["signature"]) == ("", 0, None)
    assert version["chat_template"] == {"template": CHATML, "bos_token": "", "eos_token": "<|im_end|>"}
    assert gateway.artifact_files() == []

    # Its next version, and the model read back.
    model_id = body["model"]["model_id"]
    next_version = await _register(
        gateway,
        {"hf_model_id": "Qwen/Qwen2.5-1.5B-Instruct", "chat_template": {"template": CHATML}},
        f"/manage/v1/models/{model_id}/versions/hugging-face",
    )
    assert next_version.status == 201, await next_version.json()
    read = await (await gateway.client.get(f"/manage/v1/models/{model_id}", headers=gateway.admin)).json()
    assert [v["artifact_uri"] for v in read["versions"]] == [
        "hf://Qwen/Qwen2.5-0.5B-Instruct",
        "hf://Qwen/Qwen2.5-1.5B-Instruct",
    ]


async def test_it_is_published_as_a_chat_api_only(gateway):
    version = (await (await _register(gateway, QWEN)).json())["version"]
    created = await create_api(
        gateway,
        version["model_version_id"],
        execution_type="dedicated",
        instance_kind="gpu",
        chat_model_id="qwen/small",
    )
    assert created["api"]["contract"] == "openai_chat"
    response = await gateway.client.post(
        "/manage/v1/apis",
        json={
            "name": "not chat",
            "model_version_id": version["model_version_id"],
            "api_type": "formal",
            "execution_type": "dedicated",
            "instance_kind": "gpu",
        },
        headers=gateway.admin,
    )
    assert "give it a chat_model_id" in await error_of(response, 400, "INVALID_ARGUMENT")


async def test_a_model_id_or_template_that_is_wrong_is_refused(gateway):
    for body, words in (
        ({**QWEN, "hf_model_id": "no-slash"}, "hf_model_id"),
        ({**QWEN, "hf_model_id": "../etc/passwd"}, "hf_model_id"),
        ({**QWEN, "chat_template": {"template": ""}}, "template"),
        ({key: value for key, value in QWEN.items() if key != "chat_template"}, "chat_template"),
        ({**QWEN, "chat_template": {"template": "x" * (64 * 1024 + 1)}}, "template"),
    ):
        response = await _register(gateway, body)
        assert words in await error_of(response, 400, "INVALID_ARGUMENT"), body


async def test_an_onnx_version_has_no_chat_template(gateway):
    version = (await upload_model(gateway))["version"]
    assert (version["format"], version["chat_template"]) == ("onnx", None)
