"""Element types and shapes of model tensors, as the NNC route needs them.

`models_pb2.DataType` is the registry's spelling; numpy's dtype is what decoding produces and
Triton's datatype string is what the inference request names. STRING tensors have no place in
NNC requests (which carry numbers, images and audio), so they are refused here.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from services.gateway.nnc.invalid_request import InvalidRequest
from torii.v1 import models_pb2

_D = models_pb2.DataType

NUMPY_DTYPES: dict[int, np.dtype] = {
    _D.DATA_TYPE_BOOL: np.dtype(np.bool_),
    _D.DATA_TYPE_UINT8: np.dtype(np.uint8),
    _D.DATA_TYPE_INT8: np.dtype(np.int8),
    _D.DATA_TYPE_INT16: np.dtype(np.int16),
    _D.DATA_TYPE_INT32: np.dtype(np.int32),
    _D.DATA_TYPE_INT64: np.dtype(np.int64),
    _D.DATA_TYPE_FP16: np.dtype(np.float16),
    _D.DATA_TYPE_FP32: np.dtype(np.float32),
    _D.DATA_TYPE_FP64: np.dtype(np.float64),
}

TRITON_DATATYPES: dict[int, str] = {
    _D.DATA_TYPE_BOOL: "BOOL",
    _D.DATA_TYPE_UINT8: "UINT8",
    _D.DATA_TYPE_INT8: "INT8",
    _D.DATA_TYPE_INT16: "INT16",
    _D.DATA_TYPE_INT32: "INT32",
    _D.DATA_TYPE_INT64: "INT64",
    _D.DATA_TYPE_FP16: "FP16",
    _D.DATA_TYPE_FP32: "FP32",
    _D.DATA_TYPE_FP64: "FP64",
}


def _unsupported(data_type: int, tensor: str) -> InvalidRequest:
    try:
        type_name = _D.Name(data_type).removeprefix("DATA_TYPE_")
    except ValueError:
        type_name = str(data_type)
    subject = f"the model's tensor '{tensor}'" if tensor else "a tensor of the model"
    return InvalidRequest(f"{subject} has type {type_name}, which NNC requests cannot carry")


def numpy_dtype(data_type: int, *, tensor: str = "") -> np.dtype:
    """The numpy dtype for a registry DataType; InvalidRequest for STRING and unknown types."""
    dtype = NUMPY_DTYPES.get(data_type)
    if dtype is None:
        raise _unsupported(data_type, tensor)
    return dtype


def triton_datatype(data_type: int, *, tensor: str = "") -> str:
    """Triton's datatype string ("FP32", ...) for a registry DataType; STRING is refused."""
    name = TRITON_DATATYPES.get(data_type)
    if name is None:
        raise _unsupported(data_type, tensor)
    return name


def batching(spec: models_pb2.TensorSpec) -> tuple[bool, tuple[int, ...]]:
    """Whether the tensor is batched (a leading -1, the registry's convention for batched models)
    and the shape of one example (without the batch dimension), from one read of the spec's dims."""
    dims = tuple(spec.shape)
    batched = dims[:1] == (-1,)
    return batched, dims[1:] if batched else dims


def item_shape(spec: models_pb2.TensorSpec) -> tuple[int, ...]:
    """The shape of one example: the spec's shape without its batch dimension."""
    return batching(spec)[1]


def format_shape(shape: Sequence[int]) -> str:
    return "[" + ", ".join(str(d) for d in shape) + "]"


def dims_match(pattern: Sequence[int], dims: Sequence[int]) -> bool:
    """Whether `dims` fits `pattern`, where -1 in the pattern stands for any size."""
    return len(pattern) == len(dims) and all(p == -1 or p == d for p, d in zip(pattern, dims))


def resolve_shape(shape: Sequence[int], count: int) -> tuple[int, ...] | None:
    """`shape` with its one -1 (if any) inferred so that it holds `count` elements, or None.

    None when it cannot hold exactly `count` elements; callers turn that into a message in
    their own terms (numbers, samples, pixels).
    """
    variable = [i for i, d in enumerate(shape) if d == -1]
    if len(variable) > 1 or any(d < -1 for d in shape):
        return None
    known = math.prod(d for d in shape if d != -1)
    if not variable:
        return tuple(shape) if known == count else None
    if count <= 0 or known <= 0 or count % known:
        return None
    resolved = list(shape)
    resolved[variable[0]] = count // known
    return tuple(resolved)


def expected_count(shape: Sequence[int]) -> str:
    """How many elements `shape` holds, in words: "4", or "a multiple of 4" with one -1."""
    known = math.prod(d for d in shape if d != -1)
    variable = sum(1 for d in shape if d == -1)
    if variable == 0:
        return str(known)
    if variable == 1:
        return f"a multiple of {known}"
    return "a number (the shape has several variable dimensions, which cannot be inferred)"


def cast_derived(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """Computed values (pixels, samples) in the model's dtype: integers rounded and clipped."""
    if dtype == np.bool_:
        return values != 0
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return np.clip(np.rint(values), info.min, info.max).astype(dtype)
    return values.astype(dtype, copy=False)  # float32 pixels for a float32 model: no copy
