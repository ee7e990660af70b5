"""Time-series mode: a table of dated rows → supervised windows, and their time-ordered split.

Pure numpy and the cell readers of services.tabular; nothing here learns, so every rule below is
testable on its own (tests/trainer/learning/test_timeseries.py).

Terms (the settings are TimeSeriesConfig's fields). A *series* is the rows that share a value of
the series column (`series_column`; without one the whole table is one series). Its times
(`time_column`, read as services.tabular.cells.parse_date reads a cell, plus bare years "2021")
are floored to the time unit (`unit`: minute, hour, day, month, eom, year) and must lie on a grid
of `interval` units from the series' first time; one grid step is `interval` units, and a series
holds at most one row per grid point. An *origin* t is a row with a target value; a *horizon* h
is a number of time units in [window_start, window_end] that is a whole
number of steps (with interval 1: every h in the window); the *target time* is t + h units.

One window (one example) per (series, origin t, horizon h) whose target time has a row with a
target value. Its columns, the model's inputs in this order:

- `y[t]`, `y[t-1]`, ..., `y[t-(L-1)]` (y = the target column's name): the target at the origin
  and at the L-1 grid steps before it, NaN where the series has no row or no value there.
  L = clamp(2 × the largest horizon in steps, MIN_LAGS, MAX_LAGS), at most the longest series.
- `y:window_mean`, `y:window_std`: mean and (population) standard deviation of those L values,
  missing ones left out. The model learns `y[t+h] - y:window_mean` and its graph adds the mean
  back (services.trainer.learning.timeseries_training), so a trend carries past the range of
  targets seen in training, which trees alone cannot do.
- `horizon`: h, in time units.
- `target_time`: t + h as a date (epoch seconds); the model reads its calendar parts (year,
  month, day, weekday, hour).
- the series column, as a category (string), when there is one.
- every other typed column of the table (not ignored, not the target, time or series column),
  named `col[t]` when read at the origin's row, or `col[t+h]` when read at the target time's
  row, which happens when the column is known in the window (TimeSeriesConfig.is_known: `others_known`,
  flipped for the columns `known_exceptions` lists).

Label: the target at t + h.

Leakage. Every value in a window comes from rows at or before its target time: lags and window
statistics from rows at or before t, the target time's calendar parts from t + h itself, known
columns from the row at t + h. `time_ordered_holdout` takes the latest HOLDOUT_SHARE of the
distinct origin times (across all series) as validation origins and keeps for training only
the windows whose target time comes strictly before the first of them, so no row of the
validation period (or later) reaches a training window's features or label.

Limits. A window reaching past the data's longest series, or windows whose estimated memory
exceeds the job's budget, are refused before anything is allocated per window
(services.trainer.learning.window_limits).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from services.tabular.column_types import ColumnType
from services.tabular.schema import InputColumn
from services.tabular.setting_words import escaped, setting
from services.tabular.table import Table
from services.tabular.tensors import input_tensors
from services.tabular.timegrid import time_text, unit_index
from services.tabular.windows import OtherColumn, WindowDataError, read_series, read_targets, window_columns
from services.trainer.learning.config import DEFAULT_MEMORY_BUDGET_BYTES, ConfigError, TimeSeriesConfig
from services.trainer.learning.series_grid import DenseLayout, SeriesGrid, detect_interval, detect_unit, parse_times
from services.trainer.learning.window_limits import (
    WindowFootprint,
    check_memory,
    feature_width,
    horizon_steps,
    labelled_windows,
)

MIN_LAGS = 8
MAX_LAGS = 48
HOLDOUT_SHARE = 0.2
MIN_ORIGIN_TIMES = 5  # distinct origin times needed for a time-ordered split
MIN_TRAINING_WINDOWS = 10
# Beyond this many windows the oldest origins are dropped (memory: windows × columns floats).
MAX_WINDOWS = 1_000_000


@dataclass(frozen=True)
class Timeline:
    """The resolved settings of a time-series model."""

    unit: str  # one of config.TIME_UNITS
    interval: int  # units per grid step
    lags: int  # L
    horizons: tuple[int, ...]  # time units ahead, each a multiple of interval, ascending


@dataclass(frozen=True)
class Windows:
    """The examples of a time-series model, one per (series, origin, horizon), by origin time."""

    timeline: Timeline
    columns: tuple[InputColumn, ...]  # the window columns (the model's inputs)
    groups: tuple[str, ...]  # per column, its importance group
    tensors: dict[str, np.ndarray]  # input_name → [n, 1], dtypes as InputColumn says
    labels: np.ndarray  # float64 [n]: the target at t + h
    base_input: str  # the input_name of `y:window_mean`, which the model adds to its trees
    origin_rows: np.ndarray  # int64 [n]: 0-based data row of the origin t
    label_rows: np.ndarray  # int64 [n]: 0-based data row of the target time t + h
    origin_index: np.ndarray  # int64 [n]: t in time units (see unit_index)
    label_index: np.ndarray  # int64 [n]: t + h in time units
    horizons: np.ndarray  # int64 [n]: h in time units
    series: tuple[str, ...]  # the series names ("" without a series column)
    series_codes: np.ndarray  # int64 [n]: index into `series`
    known: tuple[str, ...]  # other columns read at the target time t + h
    at_origin: tuple[str, ...]  # other columns read at the origin t

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def base(self) -> np.ndarray:
        """float32 [n]: the window mean, exactly as the model's input holds it."""
        return self.tensors[self.base_input].ravel()

    def take(self, index: np.ndarray) -> dict[str, np.ndarray]:
        """The window tensors of the windows `index`."""
        return {name: array[index] for name, array in self.tensors.items()}


@dataclass(frozen=True)
class Holdout:
    train: np.ndarray  # window indices whose target time is before `cut`
    valid: np.ndarray  # window indices whose origin time is `cut` or later
    cut: int  # the first validation origin time, in time units
    origin_times: int  # distinct origin times in all
    validation_times: int  # of which validation origins


# --- windows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _WindowSlots:
    """Per window, ordered by origin time, series and horizon: where it sits in the dense layout."""

    origin: np.ndarray  # the origin t's dense slot
    label: np.ndarray  # the target time t + h's dense slot
    horizons: np.ndarray  # h, in time units
    origin_index: np.ndarray  # t, in time units
    codes: np.ndarray  # the series code


def build_windows(
    table: Table,
    types: Mapping[str, ColumnType],
    target: str,
    settings: TimeSeriesConfig,
    *,
    memory_budget_bytes: int = DEFAULT_MEMORY_BUDGET_BYTES,
) -> Windows:
    """Every window of the table (see the module doc); ConfigError when the settings do not fit
    the data, or the windows would not fit `memory_budget_bytes` (window_limits)."""
    _check_columns(table, target, settings)
    values = _target_values(table, target)
    epoch = parse_times(table.column(table.index_of(settings.time_column)), settings.time_column)
    series_names, codes = _series(table, settings.series_column)

    unit = settings.unit or detect_unit(epoch, codes)
    units = unit_index(epoch, unit)
    interval = settings.interval or detect_interval(units, codes)
    grid = SeriesGrid.build(units, codes, interval, unit, table, settings, series_names)
    # Bounded by the data, then by the memory budget, before anything is allocated per horizon.
    step_range = horizon_steps(settings.window_start, settings.window_end, interval, unit, grid.longest)
    lags = max(1, int(min(MAX_LAGS, max(MIN_LAGS, 2 * step_range[-1]), grid.longest)))
    others = _other_columns(table.header, types, target, settings)
    footprint = _footprint(values, codes, grid, step_range, lags, others, bool(settings.series_column))
    check_memory(footprint, memory_budget_bytes)

    timeline = Timeline(unit=unit, interval=interval, lags=lags, horizons=tuple(step * interval for step in step_range))
    steps = np.array(step_range, dtype=np.int64)
    dense = grid.layout(values, lags, int(steps.max()))
    slots = _window_slots(dense, steps, timeline, settings)
    return _assemble(table, target, settings, timeline, dense, slots, others, series_names)


def _check_columns(table: Table, target: str, settings: TimeSeriesConfig) -> None:
    header = table.header
    for role, name, column in (
        ("target column", "target", target),
        ("time column", "time_column", settings.time_column),
    ):
        if column not in header:
            raise ConfigError(f"the {role} ({setting(name)}) {column!r} is not in the data")
    series_column = settings.series_column
    if series_column and series_column not in header:
        raise ConfigError(f"the series column ({setting('series_column')}) {series_column!r} is not in the data")
    unknown = [name for name in settings.known_exceptions if name not in header]
    if unknown:
        shown = ", ".join(repr(name) for name in unknown)
        raise ConfigError(f"{setting('known_exceptions')} names columns the data lacks: {shown}")
    if not table.rows:
        raise ConfigError("the data has no rows")


def _other_columns(
    header: Sequence[str], types: Mapping[str, ColumnType], target: str, settings: TimeSeriesConfig
) -> list[OtherColumn]:
    """Every typed column that is not the target, time or series column, in CSV order."""
    return [
        OtherColumn(InputColumn(name=name, input_name=f"o{index}", type=types[name]), settings.is_known(name))
        for index, name in enumerate(header)
        if name in types
        and types[name] is not ColumnType.IGNORE
        and name not in (target, settings.time_column, settings.series_column)
        and header.index(name) == index  # a repeated header name: the first column only
    ]


def _footprint(
    values: np.ndarray,
    codes: np.ndarray,
    grid: SeriesGrid,
    step_range: range,
    lags: int,
    others: list[OtherColumn],
    has_series: bool,
) -> WindowFootprint:
    has_value = ~np.isnan(values)
    return WindowFootprint(
        origins=int(np.count_nonzero(has_value)),
        horizons=len(step_range),
        labelled=labelled_windows(np.bincount(codes[has_value], minlength=len(grid.length)), grid.length, step_range),
        features=feature_width(lags, has_series, (other.column.type for other in others)),
        slots=int(grid.length.sum()) + len(grid.length) * (lags + step_range[-1]),
        max_windows=MAX_WINDOWS,
    )


def _window_slots(
    dense: DenseLayout, steps: np.ndarray, timeline: Timeline, settings: TimeSeriesConfig
) -> _WindowSlots:
    """(origin, horizon) pairs whose target time has a value, the latest MAX_WINDOWS of them."""
    origins = np.flatnonzero(~np.isnan(dense.values) & (dense.rows >= 0))
    origin = np.repeat(origins, len(steps))
    step = np.tile(steps, len(origins))
    label = origin + step
    keep = ~np.isnan(dense.values[label])
    origin, step, label = origin[keep], step[keep], label[keep]
    if not len(origin):
        raise ConfigError(
            f"not enough history for the window: no series has a target value "
            f"{settings.window_start}..{settings.window_end} {timeline.unit}(s) after another one"
        )
    origin_index = dense.times[origin]
    horizons = step * timeline.interval
    codes = dense.codes[origin]
    order = np.lexsort((horizons, codes, origin_index))
    if len(order) > MAX_WINDOWS:  # keep the latest origins
        order = order[-MAX_WINDOWS:]
    return _WindowSlots(
        origin=origin[order],
        label=label[order],
        horizons=horizons[order],
        origin_index=origin_index[order],
        codes=codes[order],
    )


def _assemble(
    table: Table,
    target: str,
    settings: TimeSeriesConfig,
    timeline: Timeline,
    dense: DenseLayout,
    slots: _WindowSlots,
    others: list[OtherColumn],
    series_names: list[str],
) -> Windows:
    """The windows' columns (services.tabular.windows) and where each window came from."""
    label_index = slots.origin_index + slots.horizons
    lag_matrix = dense.values[slots.origin[:, None] - np.arange(timeline.lags)[None, :]].astype(np.float32)
    origin_rows = dense.rows[slots.origin]
    label_rows = dense.rows[slots.label]
    cells = input_tensors([other.column for other in others], table.header, table.rows) if others else {}
    assembled = window_columns(
        target=target,
        lag_matrix=lag_matrix,
        horizons=slots.horizons,
        target_index=label_index,
        unit=timeline.unit,
        series_column=settings.series_column,
        series_names=np.array(series_names, dtype=object)[slots.codes],
        others=others,
        other_cells={
            other.column.input_name: cells[other.column.input_name].ravel()[label_rows if other.known else origin_rows]
            for other in others
        },
    )
    return Windows(
        timeline=timeline,
        columns=assembled.columns,
        groups=assembled.groups,
        tensors=assembled.tensors,
        labels=dense.values[slots.label].astype(np.float64),
        base_input=assembled.base_input,
        origin_rows=origin_rows.astype(np.int64),
        label_rows=label_rows.astype(np.int64),
        origin_index=slots.origin_index.astype(np.int64),
        label_index=label_index.astype(np.int64),
        horizons=slots.horizons.astype(np.int64),
        series=tuple(series_names),
        series_codes=slots.codes.astype(np.int64),
        known=tuple(other.column.name for other in others if other.known),
        at_origin=tuple(other.column.name for other in others if not other.known),
    )


def time_ordered_holdout(windows: Windows, share: float = HOLDOUT_SHARE) -> Holdout:
    """The latest `share` of distinct origin times validate; training windows end before them."""
    times = np.unique(windows.origin_index)
    unit = windows.timeline.unit
    if len(times) < MIN_ORIGIN_TIMES:
        raise ConfigError(
            f"not enough history for the window: a time-ordered validation needs targets at "
            f"{MIN_ORIGIN_TIMES} or more different times before the window; the data has "
            f"{len(times)}"
        )
    validation_times = max(1, int(round(share * len(times))))
    cut = int(times[len(times) - validation_times])
    valid = np.flatnonzero(windows.origin_index >= cut)
    train = np.flatnonzero(windows.label_index < cut)
    if len(train) < MIN_TRAINING_WINDOWS:
        horizons = windows.timeline.horizons
        raise ConfigError(
            f"not enough history for the window {horizons[0]}..{horizons[-1]} {unit}(s) ahead: "
            f"validating on the origins from {time_text(cut, unit)} leaves {len(train)} earlier "
            f"windows whose target time comes before them, and at least {MIN_TRAINING_WINDOWS} "
            f"are needed; give more history or a shorter window"
        )
    return Holdout(train=train, valid=valid, cut=cut, origin_times=len(times), validation_times=validation_times)


def describe(windows: Windows, settings: TimeSeriesConfig) -> dict[str, object]:
    """TabularSchema.time_series: what a caller needs to build the model's window inputs."""
    timeline = windows.timeline
    return {
        "time_column": settings.time_column,
        "series_column": settings.series_column,
        "unit": timeline.unit,
        "interval": timeline.interval,
        "window_start": settings.window_start,
        "window_end": settings.window_end,
        "horizons": list(timeline.horizons),
        "lags": timeline.lags,
        "others_known": settings.others_known,
        "known_exceptions": list(settings.known_exceptions),
        "known_in_window": list(windows.known),
        "at_origin": list(windows.at_origin),
        "offset_input": windows.base_input,
    }


# --- helpers -------------------------------------------------------------------------------


def _target_values(table: Table, target: str) -> np.ndarray:
    try:
        out = read_targets(table.column(table.index_of(target)), target)
    except WindowDataError as error:
        raise ConfigError(escaped(str(error))) from None
    if np.isnan(out).all():
        raise ConfigError(f"the target column {target!r} has no values")
    return out


def _series(table: Table, column: str) -> tuple[list[str], np.ndarray]:
    cells = table.column(table.index_of(column)) if column else None
    try:
        return read_series(cells, len(table.rows), column)
    except WindowDataError as error:
        raise ConfigError(escaped(str(error))) from None
