"""Pieces that need no server: validation, ONNX inspection, the artifact writer, the status table."""

from __future__ import annotations

import grpc
import pytest

from services.gateway.artifacts import ArtifactStore, ArtifactTooLarge
from services.gateway.errors import HTTP_STATUS_BY_GRPC_CODE, GatewayError
from services.gateway.http_base.validation import check, problems
from services.gateway.management.schemas import CREATE_API, SCHEDULE
from services.gateway.onnx_inspect import check_signature, derive_signature, read_graph
from services.gateway.settings import GatewaySettings
from tests.gateway.helpers import add_bias_model, identity_model
from torii.v1 import models_pb2


def test_the_status_table():
    assert HTTP_STATUS_BY_GRPC_CODE[grpc.StatusCode.FAILED_PRECONDITION] == 409
    assert HTTP_STATUS_BY_GRPC_CODE[grpc.StatusCode.RESOURCE_EXHAUSTED] == 429
    assert grpc.StatusCode.INTERNAL not in HTTP_STATUS_BY_GRPC_CODE


def test_booleans_are_not_integers_and_integers_are_numbers():
    assert problems(True, {"type": "integer"}) == ["the request body must be an integer, not true or false"]
    assert problems(3, {"type": "number"}) == []
    assert problems(3.5, {"type": "integer"}) != []


def test_weekdays_must_be_known_and_distinct():
    found = problems({"weekdays": ["mon", "mon", "someday"]}, SCHEDULE)
    assert any("must not repeat" in p for p in found)
    assert any('"weekdays[2]" must be one of mon, tue' in p for p in found)


def test_check_raises_a_400_with_every_problem():
    with pytest.raises(GatewayError) as raised:
        check({"name": ""}, CREATE_API)
    assert raised.value.status == 400
    assert '"name" must not be empty' in raised.value.message
    assert "model_version_id" in raised.value.message


async def test_an_abandoned_artifact_leaves_nothing(tmp_path):
    store = ArtifactStore(tmp_path)
    pending = store.new_model_file(limit_bytes=10)
    await pending.write(b"12345")
    with pytest.raises(ArtifactTooLarge):
        await pending.write(b"123456")
    pending.discard()
    assert list(store.models_dir.iterdir()) == []


async def test_a_committed_artifact_is_whole_and_hashed(tmp_path):
    store = ArtifactStore(tmp_path)
    pending = store.new_model_file(limit_bytes=100)
    await pending.write(b"abc")
    await pending.write(b"def")
    stored = await pending.commit()
    assert [p.name for p in store.models_dir.iterdir()] == [stored.path.name]
    assert stored.path.read_bytes() == b"abcdef"
    assert stored.sha256 == "bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721"
    assert stored.uri == f"file://{stored.path}"
    stored.delete()
    assert list(store.models_dir.iterdir()) == []


def test_signature_from_the_graph(tmp_path):
    path = tmp_path / "m.onnx"
    path.write_bytes(add_bias_model())
    inputs, outputs = read_graph(path)
    signature = derive_signature(inputs, outputs)
    assert [(t.name, t.data_type, list(t.shape)) for t in signature.inputs] == [
        ("x", models_pb2.DATA_TYPE_FP32, [-1, 4])
    ]
    assert [t.name for t in signature.outputs] == ["y"]


def test_a_signature_may_narrow_a_variable_dimension_but_not_change_a_fixed_one(tmp_path):
    path = tmp_path / "m.onnx"
    path.write_bytes(identity_model())
    inputs, outputs = read_graph(path)

    def spec(shape):
        return models_pb2.Signature(
            inputs=[models_pb2.TensorSpec(name="x", data_type=models_pb2.DATA_TYPE_FP32, shape=shape)],
            outputs=[models_pb2.TensorSpec(name="y", data_type=models_pb2.DATA_TYPE_FP32, shape=[-1, 4])],
        )

    check_signature(spec([8, 4]), inputs, outputs)
    with pytest.raises(GatewayError, match="shape"):
        check_signature(spec([-1, 3]), inputs, outputs)
    with pytest.raises(GatewayError, match="dimension"):
        check_signature(spec([-1]), inputs, outputs)


def test_settings_refuse_a_base_url_without_a_scheme():
    assert GatewaySettings(public_base_url="https://t.example/").public_base_url == "https://t.example"
    with pytest.raises(ValueError):
        GatewaySettings(public_base_url="t.example")
