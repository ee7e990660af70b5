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
