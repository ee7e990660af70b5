"""config.pbtxt rendering, checked by parsing the text back with Triton's own protobuf."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2 as mc

from services.scheduler.triton.model_config import (
    ModelEntry,
    TensorConfig,
    batching_from_shapes,
    render_config,
)


def entry(**overrides) -> ModelEntry:
    values = dict(
        name="iris",
        artifact_path=Path("/nowhere/model.onnx"),
        inputs=(TensorConfig("x", "FP32", (4,)),),
        outputs=(TensorConfig("label", "INT64", (1,)), TensorConfig("probs", "FP32", (3,))),
        max_batch_size=32,
        backend="python",
    )
    values.update(overrides)
    return ModelEntry(**values)


def parse(text: str) -> mc.ModelConfig:
    return text_format.Parse(text, mc.ModelConfig())


def test_batched_python_model():
    config = parse(render_config(entry()))
    assert config.name == "iris"
    assert config.backend == "python"
    assert config.platform == ""
    assert config.max_batch_size == 32
    assert [(t.name, t.data_type, list(t.dims)) for t in config.input] == [("x", mc.TYPE_FP32, [4])]
    assert [(t.name, t.data_type, list(t.dims)) for t in config.output] == [
        ("label", mc.TYPE_INT64, [1]),
        ("probs", mc.TYPE_FP32, [3]),
    ]
    assert len(config.instance_group) == 1
    assert config.instance_group[0].count == 1
    assert config.instance_group[0].kind == mc.ModelInstanceGroup.KIND_CPU
    assert config.HasField("dynamic_batching")
    assert config.dynamic_batching.max_queue_delay_microseconds == 1000
    assert list(config.dynamic_batching.preferred_batch_size) == []


def test_onnxruntime_backend_on_gpu_with_instances_and_preferred_sizes():
    config = parse(
        render_config(
            entry(
                backend="onnxruntime",
                instance_kind="KIND_GPU",
                instance_count=3,
                max_queue_delay_us=250,
                preferred_batch_sizes=(8, 16),
            )
        )
    )
    assert config.backend == "onnxruntime"
    assert config.platform == "onnxruntime_onnx"
    assert config.instance_group[0].kind == mc.ModelInstanceGroup.KIND_GPU
    assert config.instance_group[0].count == 3
    assert config.dynamic_batching.max_queue_delay_microseconds == 250
    assert list(config.dynamic_batching.preferred_batch_size) == [8, 16]


def test_unbatched_model_keeps_full_dims_and_has_no_dynamic_batching():
    config = parse(
        render_config(
            entry(
                max_batch_size=0,
                inputs=(TensorConfig("x", "UINT8", (1, 3, -1, -1)),),
                outputs=(TensorConfig("y", "BOOL", (1, 3)),),
            )
        )
    )
    assert config.max_batch_size == 0
    assert list(config.input[0].dims) == [1, 3, -1, -1]
    assert config.input[0].data_type == mc.TYPE_UINT8
    assert config.output[0].data_type == mc.TYPE_BOOL
    assert not config.HasField("dynamic_batching")


def test_dynamic_batching_switched_off():
    config = parse(render_config(entry(dynamic_batching=False)))
    assert config.max_batch_size == 32
    assert not config.HasField("dynamic_batching")


@pytest.mark.parametrize("data_type", ["FP16", "FP64", "INT8", "INT16", "INT32", "STRING"])
def test_data_types(data_type):
    config = parse(render_config(entry(inputs=(TensorConfig("x", data_type, (2,)),))))
    assert config.input[0].data_type == mc.DataType.Value(f"TYPE_{data_type}")


@pytest.mark.parametrize(
    "overrides",
    [
        {"backend": "tensorflow"},
        {"instance_kind": "KIND_TPU"},
        {"instance_count": 0},
        {"inputs": (TensorConfig("x", "FLOAT", (4,)),)},
        {"inputs": (TensorConfig("x", "FP32", (0,)),)},
        {"preferred_batch_sizes": (64,)},
        {"outputs": ()},
    ],
)
def test_refuses_what_triton_would_refuse(overrides):
    with pytest.raises(ValueError):
        render_config(entry(**overrides))


def test_batching_from_shapes():
    assert batching_from_shapes([[-1, 4], [-1, 3, 224, 224]], 64)
    assert not batching_from_shapes([[-1, 4], [1, 3]], 64)  # one fixed leading dim: no batching
    assert not batching_from_shapes([[1, 4]], 64)
    assert not batching_from_shapes([[-1, 4]], 0)  # batching switched off
    assert not batching_from_shapes([[]], 64)  # scalar input
    assert not batching_from_shapes([], 64)


def test_scalar_per_row_is_dims_1_reshaped_to_nothing():
    config = parse(render_config(entry(outputs=(TensorConfig("label", "INT64", ()),))))
    assert list(config.output[0].dims) == [1]
    assert config.output[0].HasField("reshape")
    assert list(config.output[0].reshape.shape) == []
    assert not parse(render_config(entry())).input[0].HasField("reshape")


def chat_entry(**overrides) -> ModelEntry:
    values = dict(
        name="chat",
        artifact_path=Path("/nowhere/model.gguf"),
        inputs=(TensorConfig("request_json", "STRING", (1,)),),
        outputs=(TensorConfig("text", "STRING", (1,)), TensorConfig("completion_tokens", "INT32", (1,))),
        max_batch_size=0,
        backend="python",
        dynamic_batching=False,
        python_model="chat",
        decoupled=True,
        parameters=(("slots", "4"), ("threads", "2")),
    )
    values.update(overrides)
    return ModelEntry(**values)


def test_a_chat_model_is_decoupled_unbatched_and_carries_its_parameters():
    config = parse(render_config(chat_entry()))
    assert config.backend == "python" and config.max_batch_size == 0
    assert config.model_transaction_policy.decoupled
    assert not config.HasField("dynamic_batching")
    assert {key: value.string_value for key, value in config.parameters.items()} == {"slots": "4", "threads": "2"}
    assert [(t.name, t.data_type, list(t.dims)) for t in config.input] == [("request_json", mc.TYPE_STRING, [1])]
    assert [(t.name, t.data_type) for t in config.output] == [
        ("text", mc.TYPE_STRING),
        ("completion_tokens", mc.TYPE_INT32),
    ]
    assert chat_entry().artifact_file == "model.gguf" and entry().artifact_file == "model.onnx"
    # The other models are not decoupled and have no parameters.
    plain = parse(render_config(entry()))
    assert not plain.HasField("model_transaction_policy") and not plain.parameters


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"decoupled": False}, "needs the decoupled"),
        ({"max_batch_size": 8}, "takes no batches"),
        ({"dynamic_batching": True}, "takes no batches"),
        ({"backend": "onnxruntime"}, "python backend"),
        ({"parameters": (("slots", "4"), ("slots", "2"))}, "distinct"),
        ({"parameters": (("", "4"),)}, "non-empty"),
    ],
)
def test_refuses_a_chat_model_triton_could_not_run(overrides, reason):
    with pytest.raises(ValueError, match=reason):
        render_config(chat_entry(**overrides))


def test_only_the_chat_model_is_decoupled():
    with pytest.raises(ValueError, match="cannot use the decoupled"):
        render_config(entry(decoupled=True))
    with pytest.raises(ValueError, match="cannot use the decoupled"):
        render_config(entry(backend="onnxruntime", decoupled=True))
