"""Time-series mode's time axis: the time column read, its unit and interval, each series' grid.

A series' times (`time_column`), floored to the time `unit`, must lie on a grid of `interval`
units from the series' first time, at most one row per grid point (see timeseries.py for the
terms). The grids of all series are laid out one after another in one dense array, so lags and
labels are plain index arithmetic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from services.tabular import timegrid
from services.tabular.setting_words import escaped, setting
from services.tabular.table import Table
from services.trainer.analysis.column_info import time_unit as column_time_unit
from services.trainer.learning.config import ConfigError, TimeSeriesConfig

# A series' grid spans at most this many points in all (a minute grid over decades would not fit).
MAX_GRID_POINTS = 5_000_000

_UNIT_RANK = {"minute": 0, "hour": 1, "day": 2, "month": 3, "eom": 3, "year": 4}


def parse_times(cells: Sequence[str], column: str) -> np.ndarray:
    """float64 epoch seconds (UTC) per cell (timegrid.parse_times); ConfigError for a bad cell."""
    try:
        return timegrid.parse_times(cells, column)
    except timegrid.TimeColumnError as error:
        raise ConfigError(escaped(str(error))) from None


def detect_unit(epoch_seconds: np.ndarray, series_codes: np.ndarray) -> str:
    """The finest unit of any series (column_info.time_unit per series); eom only if all agree."""
    units = []
    for code in np.unique(series_codes):
        times = np.unique(epoch_seconds[series_codes == code])
        if len(times) >= 2:
            units.append(column_time_unit(times))
    if not units:
        raise ConfigError("not enough history: every series has a single time")
    finest = min(_UNIT_RANK[unit] for unit in units)
    chosen = [unit for unit in units if _UNIT_RANK[unit] == finest]
    if finest == _UNIT_RANK["month"]:
        return "eom" if all(unit == "eom" for unit in chosen) else "month"
    return chosen[0]


def detect_interval(units: np.ndarray, series_codes: np.ndarray) -> int:
    """The greatest common divisor of the steps between a series' consecutive times."""
    order = np.lexsort((units, series_codes))
    same_series = series_codes[order][1:] == series_codes[order][:-1]
    gaps = np.diff(units[order])[same_series]
    gaps = gaps[gaps > 0]
    return int(np.gcd.reduce(gaps)) if gaps.size else 1


@dataclass(frozen=True)
class DenseLayout:
    """Per dense slot (every series' grid, padded, one after another)."""

    values: np.ndarray  # float64: the target value, NaN where none
    rows: np.ndarray  # int64: the 0-based data row, -1 where none
    times: np.ndarray  # int64: the slot's time, in units
    codes: np.ndarray  # int64: the slot's series code


@dataclass(frozen=True)
class SeriesGrid:
    """Each series' grid points, by data row and by series."""

    codes: np.ndarray  # per row
    position: np.ndarray  # per row: grid steps after its series' first time
    anchor: np.ndarray  # per series: first time, in units
    length: np.ndarray  # per series: grid points from first to last time
    interval: int

    @property
    def longest(self) -> int:
        return int(self.length.max())

    @classmethod
    def build(
        cls,
        units: np.ndarray,
        codes: np.ndarray,
        interval: int,
        unit: str,
        table: Table,
        settings: TimeSeriesConfig,
        series_names: Sequence[str],
    ) -> SeriesGrid:
        """ConfigError for a time off the grid, a grid too large, or two rows on one grid point."""
        series_count = int(codes.max()) + 1
        anchor = np.full(series_count, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(anchor, codes, units)
        offset = units - anchor[codes]
        time_column = table.index_of(settings.time_column)
        off_grid = np.flatnonzero(offset % interval)
        if off_grid.size:
            row = int(off_grid[0])
            raise ConfigError(
                f"data row {row + 1} ({table.rows[row][time_column]!r}) is not a whole number of "
                f"intervals ({interval} {unit}) after the first time of its series; set the "
                f"interval ({setting('interval')}) or the time unit ({setting('unit')}) to fit the data"
            )
        position = offset // interval
        length = np.zeros(series_count, dtype=np.int64)
        np.maximum.at(length, codes, position + 1)
        if int(length.sum()) > MAX_GRID_POINTS:
            raise ConfigError(
                f"the times are too far apart for a grid of {interval} {unit}(s): the series would "
                f"span {int(length.sum()):,} time points; choose a coarser time unit ({setting('unit')}) "
                f"or interval ({setting('interval')})"
            )
        _check_one_row_per_point(codes, position, interval, unit, table, settings, series_names)
        return cls(codes=codes, position=position, anchor=anchor, length=length, interval=interval)

    def layout(self, values: np.ndarray, lags: int, ahead: int) -> DenseLayout:
        """Each series' block is padded with `lags` slots before and `ahead` after, so lag and
        label lookups never leave it (the padding reads as no value)."""
        block = lags + self.length + ahead
        start = np.concatenate([[0], np.cumsum(block)[:-1]]) + lags  # first grid point per series
        total = int(block.sum())
        dense_values = np.full(total, math.nan)
        dense_rows = np.full(total, -1, dtype=np.int64)
        slots = start[self.codes] + self.position
        dense_values[slots] = values
        dense_rows[slots] = np.arange(len(values))
        code_at = np.repeat(np.arange(len(block)), block)
        origin_at = self.anchor[code_at] + (np.arange(total) - start[code_at]) * self.interval
        return DenseLayout(values=dense_values, rows=dense_rows, times=origin_at, codes=code_at)


def _check_one_row_per_point(
    codes: np.ndarray,
    position: np.ndarray,
    interval: int,
    unit: str,
    table: Table,
    settings: TimeSeriesConfig,
    series_names: Sequence[str],
) -> None:
    order = np.lexsort((position, codes))
    same = (codes[order][1:] == codes[order][:-1]) & (position[order][1:] == position[order][:-1])
    if not same.any():
        return
    at = int(np.flatnonzero(same)[0])
    first, second = sorted((int(order[at]), int(order[at + 1])))
    time_column = table.index_of(settings.time_column)
    where = f" of series {series_names[codes[first]]!r}" if settings.series_column else ""
    raise ConfigError(
        f"data rows {first + 1} and {second + 1} fall on the same time{where} "
        f"({table.rows[first][time_column]!r} and {table.rows[second][time_column]!r} at "
        f"{interval} {unit}(s) per step): every series needs one row per time"
    )
