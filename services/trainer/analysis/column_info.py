"""The answer of `GET /data-sets/column-info` (Prediction One contract §3.3) for a decoded table.

Choices where the contract is silent:
- `raw_training_data`: the first `sample_rows` data rows, each written back as one CSV line in
  the upload's own delimiter (quoted only where needed), header not included (it is
  `raw_column_names`).
- `unique_count` counts values as the column's type reads them ("1" and "1.0" are one number);
  `data_count` counts cells that are not missing (cells.is_missing), `missing_count` the rest.
- `cor_score` against `target` (see correlation.py): Pearson's r when both columns are numeric
  (INTEGER, FLOAT, or DATE as epoch seconds), the correlation ratio eta when one is numeric and
  the other categorical (STRING), Cramér's V when both are categorical; null for free text,
  ignored columns, the target itself, without a target, or when undefined.
- `classify_value`: the TOP_CLASSES most frequent cells of a STRING column (most frequent first,
  ties in first-seen order); `[null]` for other types, as in the contract's numeric example.
- `numerical_value` for INTEGER/FLOAT columns; min and max are ints for INTEGER.
- `range_pick_info` on every column: numeric, date, or null; `time_unit_id` is TIME_UNIT_CODES.
- `useless_column_list`: useless.py's columns in header order, never the target.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from itertools import repeat

import numpy as np

from services.tabular.column_types import TIME_UNIT_CODES, ColumnType
from services.tabular.table import Table
from services.trainer.analysis.correlation import correlation_ratio, cramers_v, pearson
from services.trainer.analysis.detect import ColumnProfile, profile_table
from services.trainer.analysis.useless import useless_columns

TOP_CLASSES = 20

# time_unit_id codes, named as the training config's `tsu` values (contract §3.4).

_HOUR = 3600
_DAY = 86400


def column_info(
    table: Table,
    types: Mapping[str, ColumnType],
    *,
    target: str | None = None,
    sample_rows: int = 10,
    profiles: list[ColumnProfile] | None = None,
) -> dict:
    """The contract's JSON object (plain ints, floats, None: ready for json.dumps).

    `types` is the type per column to report (detected, with the user's overrides applied);
    `target` is the column correlations are measured against; `profiles` (profile_table's
    answer for this table) saves a second pass when the caller detected types with it.
    """
    if target is not None and target not in table.header:
        raise KeyError(target)
    if profiles is None:
        profiles = profile_table(table)
    target_array = None
    if target is not None:
        target_profile = profiles[table.index_of(target)]
        target_array = _as_array(target_profile, types[target])
    columns = []
    for column_id, profile in enumerate(profiles):
        column_type = types[profile.name]
        score = None
        if target_array is not None and profile.name != target:
            score = _association(_as_array(profile, column_type), target_array)
        columns.append(_column(column_id, profile, column_type, score))
    return {
        "raw_column_names": list(table.header),
        "raw_training_data": [{"row_data": _csv_line(row, table.delimiter)} for row in table.rows[:sample_rows]],
        "training_data_columns": columns,
        "useless_column_list": list(useless_columns(table, types, target=target, profiles=profiles)),
        "trainingdata_row_count": len(table.rows),
    }


def _column(column_id: int, profile: ColumnProfile, column_type: ColumnType, score: float | None) -> dict:
    available = set(profile.available)
    if column_type.code is not None:
        available.add(column_type)
    numbers = _numbers(profile, column_type)
    dates = _dates(profile, column_type)
    return {
        "column_id": column_id,
        "name": profile.name,
        "initial_data_type": column_type.code,
        "available_data_types": sorted(choice.code for choice in available),
        "unique_count": profile.unique_count(column_type),
        "data_count": profile.data_count,
        "missing_count": profile.missing_count,
        "cor_score": score,
        "classify_value": _classes(profile) if column_type is ColumnType.STRING else [None],
        "numerical_value": [_numerical_value(numbers, column_type)] if numbers is not None else [None],
        "range_pick_info": _range_pick_info(numbers, dates),
    }


def _numbers(profile: ColumnProfile, column_type: ColumnType) -> np.ndarray | None:
    """The column's parsed numbers (missing and unparsable cells left out), or None."""
    if not column_type.is_numeric or not profile.number_of:
        return None
    return _values_in_rows(profile, profile.number_of)


def _dates(profile: ColumnProfile, column_type: ColumnType) -> np.ndarray | None:
    if column_type is not ColumnType.DATE or not profile.date_of:
        return None
    return _values_in_rows(profile, profile.date_of)


def _values_in_rows(profile: ColumnProfile, value_of: Mapping[str, float]) -> np.ndarray:
    """One value per present row (weighted by the counts, so medians and means are per row)."""
    cells = [cell for cell in profile.counts if cell in value_of]
    values = np.fromiter((value_of[cell] for cell in cells), dtype=np.float64, count=len(cells))
    rows = np.fromiter((profile.counts[cell] for cell in cells), dtype=np.int64, count=len(cells))
    return np.repeat(values, rows)


def _numerical_value(numbers: np.ndarray, column_type: ColumnType) -> dict:
    low, high = float(numbers.min()), float(numbers.max())
    if column_type is ColumnType.INTEGER:
        low, high = _whole(low), _whole(high)
    return {
        "max_value": high,
        "min_value": low,
        "avg_value": _plain(float(numbers.mean())),
        "median_value": _plain(float(np.median(numbers))),
    }


def _range_pick_info(numbers: np.ndarray | None, dates: np.ndarray | None) -> dict | None:
    if numbers is not None:
        numeric = {
            "max_val": float(numbers.max()),
            "min_val": float(numbers.min()),
            "initial_threshold": _plain(float(np.median(numbers))),
        }
        return {"numeric": numeric, "date": None}
    if dates is not None:
        date = {
            "max_epoc_sec": int(round(float(dates.max()))),
            "min_epoc_sec": int(round(float(dates.min()))),
            "initial_threshold_epoc_sec": int(round(float(np.median(dates)))),
            "time_unit_id": TIME_UNIT_CODES[time_unit(dates)],
        }
        return {"numeric": None, "date": date}
    return None


def time_unit(epoch_seconds: np.ndarray) -> str:
    """The finest step between the column's distinct dates, as a `tsu` name.

    Steps under an hour count as minutes (the finest unit there is); 28 days up to a year are
    months, "eom" when every date is the last day of its month; one distinct date counts as days.
    """
    distinct = np.unique(epoch_seconds)
    gaps = np.diff(distinct)
    if gaps.size == 0:
        return "day"
    smallest = float(gaps.min())
    if smallest < _HOUR:
        return "minute"
    if smallest < _DAY:
        return "hour"
    if smallest < 28 * _DAY:
        return "day"
    if smallest < 365 * _DAY:
        days = np.floor(distinct / _DAY).astype("int64").astype("datetime64[D]")
        last_days = (days + 1).astype("datetime64[M]") != days.astype("datetime64[M]")
        return "eom" if bool(last_days.all()) else "month"
    return "year"


def _classes(profile: ColumnProfile) -> list[dict[str, object] | None]:
    return [{"name": cell, "value": rows} for cell, rows in profile.counts.most_common(TOP_CLASSES)] or [None]


def _as_array(profile: ColumnProfile, column_type: ColumnType) -> tuple[str, np.ndarray] | None:
    """The column as ("numeric", floats with NaN) or ("categorical", codes with -1), or None."""
    if column_type.is_numeric or column_type is ColumnType.DATE:
        value_of = profile.number_of if column_type.is_numeric else profile.date_of
        values = map(value_of.get, profile.cells, repeat(math.nan))
        return "numeric", np.fromiter(values, np.float64, len(profile.cells))
    if column_type is ColumnType.STRING:
        code_of = {cell: code for code, cell in enumerate(profile.counts)}
        codes = map(code_of.get, profile.cells, repeat(-1))
        return "categorical", np.fromiter(codes, np.int64, len(profile.cells))
    return None


def _association(column: tuple[str, np.ndarray] | None, target: tuple[str, np.ndarray]) -> float | None:
    if column is None:
        return None
    (column_kind, column_values), (target_kind, target_values) = column, target
    if column_kind == "numeric" and target_kind == "numeric":
        return pearson(column_values, target_values)
    if column_kind == "categorical" and target_kind == "categorical":
        return cramers_v(column_values, target_values)
    if column_kind == "categorical":
        return correlation_ratio(column_values, target_values)
    return correlation_ratio(target_values, column_values)


def _csv_line(row: tuple[str, ...], delimiter: str) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="").writerow(row)
    return buffer.getvalue()


def _whole(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _plain(value: float) -> float | None:
    return value if math.isfinite(value) else None
