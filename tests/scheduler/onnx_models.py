"""Tiny ONNX models built in code, for tests that need a real model without files on disk."""

from __future__ import annotations

import onnx
from onnx import TensorProto, helper

# IR 8 / opset 13: old enough for the onnxruntime inside any recent Triton image.
_IR_VERSION = 8
_OPSET = 13


def affine_model(n_features: int, scale: float, bias: float, batched: bool = True) -> bytes:
    """y = x * scale + bias on FP32 x of shape [-1, n_features] (batched) or [1, n_features]."""
    first = "batch" if batched else 1
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [first, n_features])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [first, n_features])
    nodes = [
        helper.make_node("Mul", ["x", "scale"], ["scaled"]),
        helper.make_node("Add", ["scaled", "bias"], ["y"]),
    ]
    initializers = [
        helper.make_tensor("scale", TensorProto.FLOAT, [], [scale]),
        helper.make_tensor("bias", TensorProto.FLOAT, [], [bias]),
    ]
    graph = helper.make_graph(nodes, "affine", [x], [y], initializers)
    return _serialize(graph)


def sum_and_argmax_model(n_features: int) -> bytes:
    """Two inputs, two outputs of different types: s = a + b (FP32), k = argmax(s, axis=1) (INT64).

    Batched: a, b and s are [-1, n_features], k is [-1].
    """
    a = helper.make_tensor_value_info("a", TensorProto.FLOAT, ["batch", n_features])
    b = helper.make_tensor_value_info("b", TensorProto.FLOAT, ["batch", n_features])
    s = helper.make_tensor_value_info("s", TensorProto.FLOAT, ["batch", n_features])
    k = helper.make_tensor_value_info("k", TensorProto.INT64, ["batch"])
    nodes = [
        helper.make_node("Add", ["a", "b"], ["s"]),
        helper.make_node("ArgMax", ["s"], ["k"], axis=1, keepdims=0),
    ]
    graph = helper.make_graph(nodes, "sum_and_argmax", [a, b], [s, k])
    return _serialize(graph)


def _serialize(graph: onnx.GraphProto) -> bytes:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", _OPSET)])
    model.ir_version = _IR_VERSION
    onnx.checker.check_model(model)
    return model.SerializeToString()


def fixed_rows_model(rows: int, n_features: int) -> bytes:
    """Declares a batch dim but reshapes x to [rows, n_features]: any other row count fails at run time."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", n_features])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", n_features])
    shape = helper.make_tensor("shape", TensorProto.INT64, [2], [rows, n_features])
    graph = helper.make_graph([helper.make_node("Reshape", ["x", "shape"], ["y"])], "fixed_rows", [x], [y], [shape])
    return _serialize(graph)
