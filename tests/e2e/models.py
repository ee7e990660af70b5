"""ONNX models for end-to-end tests of image inputs, built in code."""

from __future__ import annotations

import onnx
from onnx import TensorProto, helper


def channel_means_model(channels: int, height: int, width: int) -> bytes:
    """x: FP32 [-1, C, H, W] (NNC's CHW layout) → y = the mean of each channel, [-1, C]."""
    graph = helper.make_graph(
        [helper.make_node("ReduceMean", ["x"], ["y"], axes=[2, 3], keepdims=0)],
        "channel_means",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", channels, height, width])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", channels])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def image_preprocessing(channels: int, height: int, width: int, **normalisation) -> dict:
    return {"images": [{"input_name": "x", "height": height, "width": width, "channels": channels, **normalisation}]}
