"""A time-series model's forecast windows, built from the recent rows of each series a caller sends.

The rows look like the learning data: the time column, the series column (if the model has one),
the target and the other columns. Per series, the origin t is its latest row with a target
value; the forecast has one window per horizon h of the model, for the target time t + h. A
window reads the target at t and the lags - 1 grid steps before it (missing where no row was
sent), the columns read at the origin from the row at t, and the columns known in the window from
the row at t + h when one was sent (a row with an empty target), else as missing. The tensors
then come from services.tabular.windows, as at training, and must match the model's columns.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from services.tabular.schema import InputColumn, TabularSchema
from services.tabular.tensors import column_positions, input_tensors
from services.tabular.timegrid import TimeColumnError, parse_times, time_text, unit_index
from services.tabular.windows import OtherColumn, WindowDataError, read_series, read_targets, window_columns

# A window column made from another data column: "price[t]", "price[t+h]" (and "#2" when the
# name was taken, see windows._Builder).
_OTHER_COLUMN = re.compile(r"^(?P<name>.*)\[(?P<at>t|t\+h)\](?:#\d+)?$")


class ForecastError(ValueError):
    """The rows cannot make this model's windows; the message is for the caller."""


@dataclass(frozen=True)
class Forecast:
    """One window per (series, horizon), series in order of first appearance, horizons ascending."""

    tensors: dict[str, NDArray[Any]]  # the model's input_name → [n, 1]
    series: tuple[str, ...]  # per window: the series name ("" without a series column)
    origin_rows: tuple[int, ...]  # per window: 0-based data row of its origin t
    horizons: tuple[int, ...]  # per window: h, in time units
    target_times: tuple[str, ...]  # per window: t + h as people read it (timegrid.time_text)

    def __len__(self) -> int:
        return len(self.horizons)


def is_time_series(schema: TabularSchema) -> bool:
    return bool(schema.time_series)


def forecast_windows(schema: TabularSchema, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Forecast:
    layout = schema.time_series
    target, time_column = schema.target_column, str(layout["time_column"])
    series_column = str(layout["series_column"])
    unit, interval = str(layout["unit"]), int(layout["interval"])
    horizons = [int(h) for h in layout["horizons"]]
    lags = int(layout["lags"])
    others = _others(schema)

    names = [target, time_column, *([series_column] if series_column else []), *(o.column.name for o in others)]
    positions = dict(zip(names, column_positions(names, header)))
    try:
        epoch = parse_times([row[positions[time_column]] for row in rows], time_column)
        values = read_targets([row[positions[target]] for row in rows], target)
        series_cells = [row[positions[series_column]] for row in rows] if series_column else None
        series_names, codes = read_series(series_cells, len(rows), series_column)
    except (TimeColumnError, WindowDataError) as error:
        raise ForecastError(str(error)) from None
    units = unit_index(epoch, unit)

    windows: list[tuple[int, int, int, int, int]] = []  # (series code, origin row, t, h, row at t + h)
    lag_rows: list[NDArray[np.float32]] = []
    for code, name in enumerate(series_names):
        members = np.flatnonzero(codes == code)
        at_time = _rows_by_time(members, units, rows, positions[time_column], name, series_column)
        with_value = [int(row) for row in members if not np.isnan(values[row])]
        if not with_value:
            where = f"series {name!r}" if series_column else "the data"
            raise ForecastError(f"{where} has no row with a value of {target!r}: a forecast starts from the latest one")
        origin_row = max(with_value, key=lambda row: units[row])
        origin = int(units[origin_row])
        _check_grid(members, units, origin, interval, unit, rows, positions[time_column])
        lag_values = np.array(
            [
                values[at_time[origin - k * interval]] if origin - k * interval in at_time else np.nan
                for k in range(lags)
            ],
            dtype=np.float32,
        )
        for horizon in horizons:
            windows.append((code, origin_row, origin, horizon, at_time.get(origin + horizon, -1)))
            lag_rows.append(lag_values)

    codes_of = np.array([w[0] for w in windows], dtype=np.int64)
    origin_rows = np.array([w[1] for w in windows], dtype=np.int64)
    target_index = np.array([w[2] + w[3] for w in windows], dtype=np.int64)
    known_rows = np.array([w[4] for w in windows], dtype=np.int64)
    cells = _other_cells(others, header, rows, origin_rows, known_rows)
    assembled = window_columns(
        target=target,
        lag_matrix=np.stack(lag_rows),
        horizons=np.array([w[3] for w in windows], dtype=np.int64),
        target_index=target_index,
        unit=unit,
        series_column=series_column,
        series_names=np.array(series_names, dtype=object)[codes_of],
        others=others,
        other_cells=cells,
    )
    if assembled.columns != schema.columns:
        raise ValueError("the model's time-series layout does not rebuild its own input columns")
    return Forecast(
        tensors=assembled.tensors,
        series=tuple(series_names[code] for code in codes_of.tolist()),
        origin_rows=tuple(origin_rows.tolist()),
        horizons=tuple(w[3] for w in windows),
        target_times=tuple(time_text(int(index), unit) for index in target_index.tolist()),
    )


def _others(schema: TabularSchema) -> list[OtherColumn]:
    """The other data columns, in the order the model's window columns hold them."""
    layout = schema.time_series
    fixed = int(layout["lags"]) + 4 + (1 if layout["series_column"] else 0)  # lags, mean, std, horizon, target_time
    others = []
    for index, column in enumerate(schema.columns[fixed:]):
        match = _OTHER_COLUMN.match(column.name)
        if match is None:
            raise ValueError(f"the model's window column {column.name!r} is not one of another column")
        others.append(OtherColumn(InputColumn(match["name"], f"o{index}", column.type), known=match["at"] == "t+h"))
    return others


def _rows_by_time(
    members: NDArray[np.intp],
    units: NDArray[np.int64],
    rows: Sequence[Sequence[str]],
    time_position: int,
    name: str,
    series_column: str,
) -> dict[int, int]:
    """time in units → data row, for one series; ForecastError when two rows share a time."""
    at_time: dict[int, int] = {}
    for row in members.tolist():
        other = at_time.setdefault(int(units[row]), row)
        if other != row:
            where = f" of series {name!r}" if series_column else ""
            raise ForecastError(
                f"data rows {other + 1} and {row + 1} fall on the same time{where} "
                f"({rows[other][time_position]!r} and {rows[row][time_position]!r}): send one row per time"
            )
    return at_time


def _check_grid(
    members: NDArray[np.intp],
    units: NDArray[np.int64],
    origin: int,
    interval: int,
    unit: str,
    rows: Sequence[Sequence[str]],
    time_position: int,
) -> None:
    off_grid = [row for row in members.tolist() if (int(units[row]) - origin) % interval]
    if off_grid:
        row = off_grid[0]
        raise ForecastError(
            f"data row {row + 1} ({rows[row][time_position]!r}) is not a whole number of the model's "
            f"interval ({interval} {unit}) from its series' latest time with a target value"
        )


def _other_cells(
    others: Sequence[OtherColumn],
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    origin_rows: NDArray[np.int64],
    known_rows: NDArray[np.int64],
) -> dict[str, NDArray[Any]]:
    """Per other column, its cells at each window's origin row (or, if known, its t + h row)."""
    if not others:
        return {}
    blank = tuple("" for _ in header)
    picked = [rows[row] for row in origin_rows.tolist()] + [
        rows[row] if row >= 0 else blank for row in known_rows.tolist()
    ]
    tensors = input_tensors([other.column for other in others], header, picked)
    count = len(origin_rows)
    return {
        other.column.input_name: tensors[other.column.input_name].ravel()[count:]
        if other.known
        else tensors[other.column.input_name].ravel()[:count]
        for other in others
    }
