"""The input columns of a time-series model, one row per window (series, origin t, horizon h).

The trainer builds every window of its learning data; the gateway builds the windows of one
forecast from the rows a caller sends. Both finish here, from the same lag values and cells, so
a window's tensors cannot differ between training and serving. The columns, in this order (see
services.trainer.learning.timeseries for what each means):

`y[t]`, `y[t-1]`, ... (the lags), `y:window_mean`, `y:window_std`, `horizon`, `target_time`,
the series column (if any), then each other column as `col[t]` (read at the origin) or `col[t+h]`
(read at the target time, when it is known in the window).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from services.tabular.cells import MISSING_MARKERS, normalise, parse_number
from services.tabular.column_types import ColumnType
from services.tabular.schema import InputColumn
from services.tabular.timegrid import unit_time

# Importance groups (analysis_summary.csv) besides the other columns, which are their own.
LAGS_GROUP = "lags"
CALENDAR_GROUP = "calendar"
HORIZON_GROUP = "horizon"


@dataclass(frozen=True)
class OtherColumn:
    """A data column besides the target, time and series columns, as a window reads it."""

    column: InputColumn  # its name in the data, and the input_name of its cells' tensor
    known: bool  # read at the target time t + h (tsin/tsine), else at the origin t

    @property
    def window_name(self) -> str:
        return f"{self.column.name}[t+h]" if self.known else f"{self.column.name}[t]"


@dataclass(frozen=True)
class WindowColumns:
    columns: tuple[InputColumn, ...]
    groups: tuple[str, ...]  # per column, its importance group
    tensors: dict[str, NDArray[Any]]  # input_name → [n, 1], dtypes as InputColumn says
    base_input: str  # the input_name of `y:window_mean`


def window_columns(
    *,
    target: str,
    lag_matrix: NDArray[np.floating[Any]],
    horizons: NDArray[np.integer[Any]],
    target_index: NDArray[np.int64],
    unit: str,
    series_column: str,
    series_names: NDArray[np.object_],
    others: Sequence[OtherColumn],
    other_cells: Mapping[str, NDArray[Any]],
) -> WindowColumns:
    """lag_matrix: float32 [n, L], NaN where a lag has no value (lag 0 always has one);
    horizons: h in time units [n]; target_index: t + h in time units [n]; series_names: object
    [n] (ignored without a series column); other_cells: per other column's input_name, its cell
    tensor [n] already read at the row the column is taken from."""
    builder = _Builder()
    lag_matrix = np.asarray(lag_matrix, dtype=np.float32)
    for k in range(lag_matrix.shape[1]):
        builder.add(f"{target}[t]" if k == 0 else f"{target}[t-{k}]", ColumnType.FLOAT, LAGS_GROUP, lag_matrix[:, k])
    mean, spread = _lag_statistics(lag_matrix)
    base_input = builder.add(f"{target}:window_mean", ColumnType.FLOAT, LAGS_GROUP, mean)
    builder.add(f"{target}:window_std", ColumnType.FLOAT, LAGS_GROUP, spread)
    builder.add("horizon", ColumnType.INTEGER, HORIZON_GROUP, np.asarray(horizons, dtype=np.float32))
    builder.add("target_time", ColumnType.DATE, CALENDAR_GROUP, unit_time(target_index, unit))
    if series_column:
        builder.add(series_column, ColumnType.STRING, group_of(series_column), series_names)
    for other in others:
        builder.add(
            other.window_name, other.column.type, group_of(other.column.name), other_cells[other.column.input_name]
        )
    return WindowColumns(
        columns=tuple(builder.columns), groups=tuple(builder.groups), tensors=builder.tensors, base_input=base_input
    )


def group_of(column: str) -> str:
    """A column's importance group: its name, unless that is one of the fixed groups' names."""
    return f"{column} (column)" if column in (LAGS_GROUP, CALENDAR_GROUP, HORIZON_GROUP) else column


def _lag_statistics(lag_matrix: NDArray[np.float32]) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """float32 mean and population standard deviation of each row's present lags."""
    with np.errstate(all="ignore"):
        present = ~np.isnan(lag_matrix)
        counts = present.sum(axis=1)
        filled = np.where(present, lag_matrix.astype(np.float64), 0.0)
        mean = filled.sum(axis=1) / counts
        spread = np.sqrt(np.where(present, (lag_matrix - mean[:, None]) ** 2, 0.0).sum(axis=1) / counts)
    return mean.astype(np.float32), spread.astype(np.float32)


class WindowDataError(ValueError):
    """A target or series cell a window cannot read; the message names the data row."""


def read_targets(cells: Sequence[str], target: str) -> NDArray[np.float64]:
    """float64 per row, NaN where the cell is missing; WindowDataError for one that is not a number."""
    out = np.full(len(cells), math.nan)
    for row_index, cell in enumerate(cells):
        if normalise(cell).lower() in MISSING_MARKERS:
            continue
        number = parse_number(cell)
        if number is None:
            raise WindowDataError(
                f"regression needs a number in every row of {target!r}; data row {row_index + 1} has {cell!r}"
            )
        out[row_index] = number
    return out


def read_series(cells: Sequence[str] | None, rows: int, column: str) -> tuple[list[str], NDArray[np.int64]]:
    """The series names in order of first appearance, and each row's index into them. Without a
    series column (cells None) every row is the one series ""."""
    if cells is None:
        return [""], np.zeros(rows, dtype=np.int64)
    names: dict[str, int] = {}
    codes = np.empty(len(cells), dtype=np.int64)
    for row_index, cell in enumerate(cells):
        name = normalise(cell)
        if name.lower() in MISSING_MARKERS:
            raise WindowDataError(f"the series column {column!r} is empty in data row {row_index + 1}")
        codes[row_index] = names.setdefault(name, len(names))
    return list(names), codes


class _Builder:
    def __init__(self) -> None:
        self.columns: list[InputColumn] = []
        self.groups: list[str] = []
        self.tensors: dict[str, NDArray[Any]] = {}
        self._names: set[str] = set()

    def add(self, name: str, kind: ColumnType, group: str, values: NDArray[Any]) -> str:
        unique, number = name, 2
        while unique in self._names:
            unique, number = f"{name}#{number}", number + 1
        self._names.add(unique)
        input_name = f"w{len(self.columns)}"
        self.columns.append(InputColumn(name=unique, input_name=input_name, type=kind))
        self.groups.append(group)
        if kind.is_numeric:
            array = np.asarray(values, dtype=np.float32)
        elif kind is ColumnType.DATE:
            array = np.asarray(values, dtype=np.float64)
        else:
            array = np.asarray(values, dtype=object)
        self.tensors[input_name] = array.reshape(-1, 1)
        return input_name
