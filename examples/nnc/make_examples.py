"""Make the files the README's Publish API walkthrough uses, in the current folder:

- `image_classifier.onnx`: a 28x28 mono image in, three class scores out (softmax over fixed
  weights that look at the top, middle and bottom thirds of the picture). Upload it with the
  image preprocessing the README shows (mean 0.5, std 0.5).
- `digit.png`: a 28x28 greyscale picture of a "7", as a client would send.
- `vector_model.onnx`: four numbers in, three class scores out.

`.venv/bin/python examples/nnc/make_examples.py`
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from PIL import Image, ImageDraw

OPSET = [helper.make_opsetid("", 17)]


def image_classifier() -> onnx.ModelProto:
    """x FP32 [-1, 1, 28, 28] (CHW after the gateway's preprocessing) → y FP32 [-1, 3]."""
    weights = np.zeros((28 * 28, 3), dtype=np.float32)
    rows = np.arange(28 * 28) // 28
    for column, (top, bottom) in enumerate([(0, 9), (9, 19), (19, 28)]):
        weights[(rows >= top) & (rows < bottom), column] = 0.05
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 1, 28, 28])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])
    nodes = [
        helper.make_node("Flatten", ["x"], ["flat"], axis=1),
        helper.make_node("MatMul", ["flat", "weights"], ["scores"]),
        helper.make_node("Softmax", ["scores"], ["y"], axis=1),
    ]
    graph = helper.make_graph(nodes, "image_classifier", [x], [y], [numpy_helper.from_array(weights, "weights")])
    return helper.make_model(graph, opset_imports=OPSET)


def vector_model() -> onnx.ModelProto:
    """x FP32 [-1, 4] → y FP32 [-1, 3]."""
    weights = np.array([[1.0, -0.5, 0.2], [0.8, 0.1, -0.3], [-1.2, 0.4, 0.9], [-0.7, 0.3, 1.1]], dtype=np.float32)
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 3])
    nodes = [
        helper.make_node("MatMul", ["x", "weights"], ["scores"]),
        helper.make_node("Softmax", ["scores"], ["y"], axis=1),
    ]
    graph = helper.make_graph(nodes, "vector_model", [x], [y], [numpy_helper.from_array(weights, "weights")])
    return helper.make_model(graph, opset_imports=OPSET)


def digit() -> Image.Image:
    picture = Image.new("L", (28, 28), 0)
    pen = ImageDraw.Draw(picture)
    pen.line([(6, 6), (21, 6)], fill=255, width=3)
    pen.line([(21, 6), (11, 23)], fill=255, width=3)
    return picture


def main() -> None:
    onnx.save(image_classifier(), "image_classifier.onnx")
    onnx.save(vector_model(), "vector_model.onnx")
    digit().save("digit.png")
    for name in ("image_classifier.onnx", "vector_model.onnx", "digit.png"):
        print(f"wrote {Path(name).resolve()}")


if __name__ == "__main__":
    main()
