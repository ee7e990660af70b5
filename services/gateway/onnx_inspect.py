"""Check an uploaded ONNX file and find its signature (inputs and outputs) in its graph."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import onnx
from onnx import TensorProto

from services.gateway.errors import invalid_argument
from torii.v1 import models_pb2

# The element types Triton serves; others are refused at upload rather than at load time. Keyed
# by int: a graph's elem_type is a plain int field.
_DATA_TYPES: dict[int, models_pb2.DataType] = {
    TensorProto.BOOL: models_pb2.DATA_TYPE_BOOL,
    TensorProto.UINT8: models_pb2.DATA_TYPE_UINT8,
    TensorProto.INT8: models_pb2.DATA_TYPE_INT8,
    TensorProto.INT16: models_pb2.DATA_TYPE_INT16,
    TensorProto.INT32: models_pb2.DATA_TYPE_INT32,
    TensorProto.INT64: models_pb2.DATA_TYPE_INT64,
    TensorProto.FLOAT16: models_pb2.DATA_TYPE_FP16,
    TensorProto.FLOAT: models_pb2.DATA_TYPE_FP32,
    TensorProto.DOUBLE: models_pb2.DATA_TYPE_FP64,
    TensorProto.STRING: models_pb2.DATA_TYPE_STRING,
}


@dataclass(frozen=True)
class GraphTensor:
    """A graph input or output as the file declares it; None where the file leaves it open."""

    name: str
    role: str
    elem_type: int
    dims: tuple[int, ...] | None

    @property
    def data_type(self) -> models_pb2.DataType | None:
        return _DATA_TYPES.get(self.elem_type)

    def describe_type(self) -> str:
        """Triton's spelling when Torii serves the type, ONNX's otherwise."""
        if self.data_type is not None:
            return models_pb2.DataType.Name(self.data_type).removeprefix("DATA_TYPE_")
        if self.elem_type in TensorProto.DataType.values():
            return TensorProto.DataType.Name(self.elem_type)
        return str(self.elem_type)


def _tensor(value: onnx.ValueInfoProto, role: str) -> GraphTensor:
    if value.type.WhichOneof("value") != "tensor_type":
        raise invalid_argument(
            f'the model\'s {role} "{value.name}" is not a tensor; Torii serves tensor inputs and outputs only'
        )
    tensor_type = value.type.tensor_type
    dims = None
    if tensor_type.HasField("shape"):
        dims = tuple(d.dim_value if d.HasField("dim_value") else -1 for d in tensor_type.shape.dim)
    return GraphTensor(value.name, role, tensor_type.elem_type, dims)


def read_graph(path: Path) -> tuple[list[GraphTensor], list[GraphTensor]]:
    """The graph's inputs (initializers excluded) and outputs; 400 when the file is not a valid ONNX model.

    Blocking: call it in a thread.
    """
    try:
        # External data would be read from paths the uploader chose; one file is all that is uploaded.
        model = onnx.load(str(path), load_external_data=False)
        external = any(t.data_location == TensorProto.EXTERNAL for t in model.graph.initializer)
        if not external:
            onnx.checker.check_model(model)
    except (onnx.checker.ValidationError, ValueError, OSError) as error:
        raise invalid_argument(f"the file is not a valid ONNX model: {_first_line(error)}") from None
    except Exception as error:  # noqa: BLE001 - protobuf's DecodeError and friends: still the upload's fault
        raise invalid_argument(
            f"the file is not a valid ONNX model: {_first_line(error) or type(error).__name__}"
        ) from None
    if external:
        raise invalid_argument("the model keeps tensors in external data files; upload a single-file ONNX model")
    initializers = {t.name for t in model.graph.initializer}
    inputs = [_tensor(v, "input") for v in model.graph.input if v.name not in initializers]
    outputs = [_tensor(v, "output") for v in model.graph.output]
    return inputs, outputs


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else ""


def derive_signature(inputs: list[GraphTensor], outputs: list[GraphTensor]) -> models_pb2.Signature:
    """The signature the graph declares; 400 naming what it leaves open or what Torii cannot serve."""
    problems = []
    for tensor in (*inputs, *outputs):
        if tensor.data_type is None:
            problems.append(
                f'{tensor.role} "{tensor.name}" has element type {tensor.describe_type()}, which Torii does not serve'
            )
        if tensor.dims is None:
            problems.append(
                f'{tensor.role} "{tensor.name}" has no shape in the graph; give a signature with the upload'
            )
    if problems:
        raise invalid_argument("; ".join(problems))
    return models_pb2.Signature(
        inputs=[_spec(t) for t in inputs],
        outputs=[_spec(t) for t in outputs],
    )


def _spec(tensor: GraphTensor) -> models_pb2.TensorSpec:
    return models_pb2.TensorSpec(name=tensor.name, data_type=tensor.data_type, shape=list(tensor.dims or ()))


def check_signature(given: models_pb2.Signature, inputs: list[GraphTensor], outputs: list[GraphTensor]) -> None:
    """400 listing every way a given signature disagrees with the graph."""
    problems = _side_problems("input", list(given.inputs), inputs) + _side_problems(
        "output", list(given.outputs), outputs
    )
    if problems:
        raise invalid_argument("the signature does not match the model: " + "; ".join(problems))


def _side_problems(role: str, given: list[models_pb2.TensorSpec], graph: list[GraphTensor]) -> list[str]:
    problems = []
    given_names = [spec.name for spec in given]
    repeated = sorted({name for name in given_names if given_names.count(name) > 1})
    if repeated:
        problems.append(f"{role}s named more than once: {_names(repeated)}")
    by_name = {tensor.name: tensor for tensor in graph}
    unknown = [name for name in given_names if name not in by_name]
    if unknown:
        problems.append(f"no {role} named {_names(unknown)} in the graph (its {role}s: {_names(by_name) or 'none'})")
    missing = [name for name in by_name if name not in given_names]
    if missing:
        problems.append(f"graph {role}(s) missing from the signature: {_names(missing)}")
    for spec in given:
        tensor = by_name.get(spec.name)
        if tensor is not None:
            problems += _tensor_problems(spec, tensor)
    return problems


def _tensor_problems(spec: models_pb2.TensorSpec, tensor: GraphTensor) -> list[str]:
    problems = []
    if tensor.data_type != spec.data_type:
        given = models_pb2.DataType.Name(spec.data_type).removeprefix("DATA_TYPE_")
        problems.append(f'{tensor.role} "{tensor.name}" is {tensor.describe_type()} in the graph, not {given}')
    if tensor.dims is not None:
        shape = list(spec.shape)
        if len(shape) != len(tensor.dims):
            problems.append(
                f'{tensor.role} "{tensor.name}" has {len(tensor.dims)} dimension(s) in the graph, not {len(shape)}'
            )
        elif any(g != -1 and s != -1 and g != s for g, s in zip(tensor.dims, shape, strict=True)):
            problems.append(f'{tensor.role} "{tensor.name}" has shape {list(tensor.dims)} in the graph, not {shape}')
    return problems


def _names(names) -> str:
    return ", ".join(f'"{name}"' for name in names)
