"""CSV text rows → a tabular model's input tensors.

Both the trainer (to compute the training features through the exported ONNX graph) and the
gateway (per inference request) call `input_tensors`, so a cell turns into the same tensor value
at training and at prediction time. The dtype rules are InputColumn's; string tensors are numpy
object arrays of Python `str` because that is what onnxruntime takes (it would turn `bytes` into
their repr, "b'…'"); a Triton BYTES tensor must be decoded before it reaches the session.

Speed matters at both ends: one row runs on every API call (tens of µs), 100k rows at training.
Numbers therefore go through numpy's own float parser first and fall back to
`cells.parse_number` cell by cell only where that fails; dates and strings are parsed once per
distinct text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from services.tabular.cells import MISSING_MARKERS, normalise, parse_date, parse_number
from services.tabular.column_types import ColumnType
from services.tabular.schema import InputColumn

_NAN = float("nan")


class MissingColumnsError(ValueError):
    """The CSV header lacks columns the model reads."""

    def __init__(self, missing: Sequence[str]) -> None:
        self.missing = tuple(missing)
        names = ", ".join(repr(name) for name in self.missing)
        super().__init__(f"the data lacks the model's input columns: {names}")


def input_tensors(
    columns: Sequence[InputColumn], header: Sequence[str], rows: Sequence[Sequence[str]]
) -> dict[str, NDArray[Any]]:
    """One [n, 1] tensor per model column, keyed by `input_name`; extra CSV columns are ignored."""
    positions = _positions(columns, header)
    tensors: dict[str, NDArray[Any]] = {}
    if len(rows) == 1:  # the inference path: skip the per-column list building
        row = rows[0]
        for column, position in zip(columns, positions):
            tensors[column.input_name] = _single(column.type, row[position])
        return tensors
    for column, position in zip(columns, positions):
        cells = [row[position] for row in rows]
        tensors[column.input_name] = _converter(column.type)(cells).reshape(-1, 1)
    return tensors


def _positions(columns: Sequence[InputColumn], header: Sequence[str]) -> list[int]:
    return column_positions([column.name for column in columns], header)


def column_positions(names: Sequence[str], header: Sequence[str]) -> list[int]:
    """Each name's position in the header (the first, as Table.index_of finds it); MissingColumnsError
    naming every absent one."""
    first: dict[str, int] = {}
    for position, name in enumerate(header):
        first.setdefault(name, position)
    missing = [name for name in dict.fromkeys(names) if name not in first]
    if missing:
        raise MissingColumnsError(missing)
    return [first[name] for name in names]


def _single(column_type: ColumnType, cell: str) -> NDArray[Any]:
    if column_type.is_numeric:
        return np.array([[_number(cell)]], dtype=np.float32)
    if column_type is ColumnType.DATE:
        value = parse_date(cell)
        return np.array([[_NAN if value is None else value]], dtype=np.float64)
    out = np.empty((1, 1), dtype=object)
    out[0, 0] = _text(cell)
    return out


def _converter(column_type: ColumnType) -> Callable[[list[str]], NDArray[Any]]:
    if column_type.is_numeric:
        return _numbers
    if column_type is ColumnType.DATE:
        return _dates
    return _texts


def _number(cell: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        parsed = parse_number(cell)
        return _NAN if parsed is None else parsed
    # float() accepts "inf"/"nan" spellings that parse_number treats as not a number.
    return value if math.isfinite(value) else _NAN


def _numbers(cells: list[str]) -> NDArray[np.float32]:
    try:
        values = np.array(cells, dtype=np.float64)
    except ValueError:  # a missing marker, digit groups, ...: go cell by cell
        values = np.fromiter((_number(cell) for cell in cells), dtype=np.float64, count=len(cells))
    else:
        values[~np.isfinite(values)] = np.nan
    return values.astype(np.float32)


def _dates(cells: list[str]) -> NDArray[np.float64]:
    cache: dict[str, float] = {}
    out = np.empty(len(cells), dtype=np.float64)
    for index, cell in enumerate(cells):
        value = cache.get(cell)
        if value is None:
            parsed = parse_date(cell)
            value = cache[cell] = _NAN if parsed is None else parsed
        out[index] = value
    return out


def _text(cell: str) -> str:
    cleaned = normalise(cell)
    return "" if cleaned.lower() in MISSING_MARKERS else cleaned


def _texts(cells: list[str]) -> NDArray[np.object_]:
    cache: dict[str, str] = {}
    out = np.empty(len(cells), dtype=object)
    for index, cell in enumerate(cells):
        value = cache.get(cell)
        if value is None:
            value = cache[cell] = _text(cell)
        out[index] = value
    return out
