"""Chat models through the management API: GGUF uploads checked by their header, chat APIs
published under a model id unique in the account, and the rules that keep GGUF and ONNX apart.
No Triton here (tests/e2e/test_openai_chat.py serves a real one)."""

from __future__ import annotations

import struct

from tests.gateway.helpers import create_api, upload_form, upload_model

# A GGUF header (version 3, one tensor, no metadata) and a little body: enough for the upload's check.
FAKE_GGUF = b"GGUF" + struct.pack("<IQQ", 3, 1, 0) + b"\0" * 64


async def _upload_gguf(gateway, data: bytes = FAKE_GGUF, **fields):
    form = upload_form({"name": "chat", "format": "gguf", **fields}, data, filename="model.gguf")
    response = await gateway.client.post("/manage/v1/models", data=form, headers=gateway.admin)
    return response.status, await response.json()


async def test_a_gguf_upload_is_a_chat_model_version_without_a_signature(gateway):
    status, body = await _upload_gguf(gateway)
    assert status == 201, body
    version = body["version"]
    assert version["format"] == "gguf"
    assert version["signature"] is None
    assert version["size_bytes"] == len(FAKE_GGUF)
    (stored,) = gateway.artifact_files()
    assert stored.suffix == ".gguf" and stored.read_bytes() == FAKE_GGUF


async def test_a_file_that_is_not_gguf_is_refused_and_not_kept(gateway):
    for data, words in (
        (b"\x08\x07" + b"\0" * 40, "not a GGUF model"),
        (b"GGUF" + struct.pack("<IQQ", 9, 1, 0), "version 9"),
        (b"GGUF" + struct.pack("<IQQ", 3, 0, 0), "no tensors"),
        (b"GGUF", "not a GGUF model"),
    ):
        status, body = await _upload_gguf(gateway, data)
        assert status == 400 and words in body["error"]["message"], body
    assert gateway.artifact_files() == []


async def test_a_gguf_takes_no_signature(gateway):
    signature = {"inputs": [{"name": "x", "data_type": "FP32", "shape": [-1, 1]}], "outputs": []}
    status, body = await _upload_gguf(gateway, signature=signature)
    assert status == 400 and "takes no signature" in body["error"]["message"], body
    assert gateway.artifact_files() == []


async def test_a_chat_api_is_published_under_its_model_id(gateway):
    _, uploaded = await _upload_gguf(gateway)
    created = await create_api(
        gateway,
        uploaded["version"]["model_version_id"],
        execution_type="dedicated",
        chat_model_id="acme/chat-small",
    )
    api = created["api"]
    assert api["contract"] == "openai_chat"
    assert api["chat_model_id"] == "acme/chat-small"
    assert api["url"].endswith("/v1/chat/completions")
    assert created["api_key"]


async def test_a_chat_model_id_is_unique_in_its_account(gateway):
    _, uploaded = await _upload_gguf(gateway)
    version_id = uploaded["version"]["model_version_id"]
    await create_api(gateway, version_id, execution_type="dedicated", chat_model_id="acme/one")
    response = await gateway.client.post(
        "/manage/v1/apis",
        json={
            "name": "again",
            "model_version_id": version_id,
            "api_type": "formal",
            "execution_type": "dedicated",
            "instance_kind": "cpu",
            "chat_model_id": "acme/one",
        },
        headers=gateway.admin,
    )
    assert response.status == 409, await response.text()


async def test_gguf_and_onnx_are_published_each_as_their_own_kind(gateway):
    _, gguf = await _upload_gguf(gateway)
    onnx = await upload_model(gateway)
    base = {"name": "x", "api_type": "formal", "execution_type": "dedicated", "instance_kind": "cpu"}
    cases = [
        ({"model_version_id": gguf["version"]["model_version_id"]}, "give it a chat_model_id"),
        (
            {"model_version_id": onnx["version"]["model_version_id"], "chat_model_id": "acme/x"},
            "a chat API serves a GGUF or Hugging Face model version",
        ),
    ]
    for fields, words in cases:
        response = await gateway.client.post("/manage/v1/apis", json={**base, **fields}, headers=gateway.admin)
        body = await response.json()
        assert response.status == 400 and words in body["error"]["message"], body


async def test_a_chat_model_id_is_spelt_as_model_ids_are(gateway):
    _, uploaded = await _upload_gguf(gateway)
    for bad in ("acme//x", "/acme", "acme/", "a b", "acme/-x", "x" * 129):
        response = await gateway.client.post(
            "/manage/v1/apis",
            json={
                "name": "x",
                "model_version_id": uploaded["version"]["model_version_id"],
                "api_type": "formal",
                "execution_type": "dedicated",
                "instance_kind": "cpu",
                "chat_model_id": bad,
            },
            headers=gateway.admin,
        )
        assert response.status == 400, bad
