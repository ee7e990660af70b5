"""The `vector` type: numbers in nested JSON lists, shaped by the model rather than the client.

NNC's own examples send an input of size 4 both as [[5],[3.5],[1.3],[0.3]] and as
[5, 3.5, 1.3, 0.3], so the nesting is ignored and only the element count must fit the input's
shape. The lists must still be regular (no ragged rows), and only numbers count: JSON's
true/false, strings and nulls are refused rather than coerced.
"""

from __future__ import annotations

import json
import math

import numpy as np

from services.gateway.nnc.invalid_request import InvalidRequest
from services.gateway.nnc.tensors import expected_count, format_shape, resolve_shape

MAX_DEPTH = 32
_NUMBER_TYPES = frozenset({float, int})
_all_true = np.logical_and.reduce  # ndarray.all() without its Python wrapper


def read_flat_floats(data: object, count: int, dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray | None:
    """The common request, read in a few calls into C: a flat list of exactly `count` finite
    numbers for a float input, as an array of `dtype` in `shape`. None for anything else, which
    read_vector then reads, and words what is wrong."""
    if type(data) is not list or len(data) != count or not _NUMBER_TYPES.issuperset(map(type, data)):
        return None
    values = np.array(data, dtype=dtype)
    return values.reshape(shape) if _all_true(np.isfinite(values)) else None


def read_vector(name: str, data: object, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """The numbers in `data` as an array of `dtype` in the input's (non-batch) `shape`."""
    flat: list[int | float]
    if type(data) is list and _NUMBER_TYPES.issuperset(map(type, data)):
        # Flat numbers only (bool is not int's type): the common case, checked in C. Whether they
        # are finite is seen in the array (_typed), which is cheaper than asking each number.
        flat = data
    else:
        flat = []
        _flatten(name, data, flat, 0)
    resolved = resolve_shape(shape, len(flat))
    if resolved is None:
        raise InvalidRequest(
            f"input '{name}': expected {expected_count(shape)} numbers (shape {format_shape(shape)}), "
            f"received {len(flat)}"
        )
    return _typed(name, flat, dtype).reshape(resolved)


def _show(value: object) -> str:
    text = json.dumps(value) if not isinstance(value, float) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _flatten(name: str, value: object, out: list[int | float], depth: int) -> tuple[int, ...]:
    """Append the numbers in `value` to `out`; return its shape so that callers catch ragged lists."""
    if isinstance(value, bool) or not isinstance(value, (int, float, list)):
        raise InvalidRequest(f"input '{name}': vector data must hold numbers only, found {_show(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidRequest(f"input '{name}': vector data must hold finite numbers, found {_show(value)}")
    if not isinstance(value, list):
        out.append(value)
        return ()
    if depth >= MAX_DEPTH:
        raise InvalidRequest(f"input '{name}': vector data is nested more than {MAX_DEPTH} levels deep")
    inner: tuple[int, ...] | None = None
    for item in value:
        shape = _flatten(name, item, out, depth + 1)
        if inner is None:
            inner = shape
        elif shape != inner:
            raise InvalidRequest(f"input '{name}': vector data is ragged (its lists differ in length or depth)")
    return (len(value), *(inner or ()))


def _refuse_non_finite(name: str, flat: list[int | float]) -> None:
    for value in flat:
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidRequest(f"input '{name}': vector data must hold finite numbers, found {_show(value)}")


def _typed(name: str, flat: list[int | float], dtype: np.dtype) -> np.ndarray:
    """Floats for float inputs; whole numbers in range for integer inputs; 0 or 1 for booleans."""
    if dtype.kind == "f":  # what np.issubdtype(dtype, np.floating) says, at a twentieth of its cost
        values = np.array(flat, dtype=dtype)  # each number rounded once, from its double
        if not _all_true(np.isfinite(values)):
            _refuse_non_finite(name, flat)
            raise InvalidRequest(f"input '{name}': a number is too large for the input's type ({dtype.name})")
        return values
    _refuse_non_finite(name, flat)
    low, high = (0, 1) if dtype == np.bool_ else (np.iinfo(dtype).min, np.iinfo(dtype).max)
    for value in flat:
        if isinstance(value, float) and not value.is_integer():
            raise InvalidRequest(f"input '{name}': the input takes whole numbers ({dtype.name}), found {_show(value)}")
        if not low <= value <= high:
            raise InvalidRequest(
                f"input '{name}': {_show(value)} is outside the input's range ({low} to {high}, {dtype.name})"
            )
    return np.asarray([int(v) for v in flat], dtype=np.int64).astype(dtype)
