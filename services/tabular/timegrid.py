"""Times of a time-series model: cells → epoch seconds → whole time units, and back.

The trainer (building training windows) and the gateway (building a forecast's windows from the
rows a caller sends) both read times here, so a cell lands on the same grid point in both.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from services.tabular.cells import MISSING_MARKERS, normalise, parse_date

_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_DAY = 86400
# Cells numpy's datetime64 parser reads exactly as parse_date does (its formats "%Y-%m-%d",
# "%Y-%m-%d %H:%M[:%S]", "%Y-%m-%dT%H:%M[:%S]"), with two-digit fields; anything else, or an
# impossible date, goes to parse_date itself.
_ISO = re.compile(r"^[1-9]\d{3}-\d{2}-\d{2}(?:[ T](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d)?)?$")
_YEAR = re.compile(r"^[1-9]\d{3}$")
# How finely time_text writes a unit's times (numpy's datetime units); finer units than a day: minutes.
_TEXT_PRECISION: dict[str, Literal["Y", "M", "D", "m"]] = {"year": "Y", "month": "M", "eom": "D", "day": "D"}


class TimeColumnError(ValueError):
    """A time cell that is empty or not a date; the message names the data row, for the user."""


def parse_times(cells: Sequence[str], column: str) -> NDArray[np.float64]:
    """float64 epoch seconds (UTC) per cell; TimeColumnError naming the first bad data row.

    Agrees with cells.parse_date on every cell it reads, and also reads a bare year ("2021" →
    2021-01-01). ISO dates and times are parsed by numpy in one call, the rest cell by cell.
    """
    distinct: dict[str, float] = {}
    iso_cells: list[str] = []
    iso_texts: list[str] = []
    for cell in dict.fromkeys(cells):
        cleaned = normalise(cell)
        if _ISO.match(cleaned):
            iso_cells.append(cell)
            iso_texts.append(cleaned.replace(" ", "T"))
        elif _YEAR.match(cleaned):
            distinct[cell] = float(np.datetime64(cleaned, "Y").astype("datetime64[s]").astype(np.int64))
        else:
            value = parse_date(cell)
            distinct[cell] = math.nan if value is None else value
    if iso_cells:
        try:
            seconds = np.array(iso_texts, dtype="datetime64[s]").astype(np.int64).astype(np.float64)
        except ValueError:  # an impossible date among them: parse_date decides cell by cell
            seconds = np.array([math.nan if (value := parse_date(cell)) is None else value for cell in iso_cells])
        distinct.update(zip(iso_cells, seconds.tolist()))
    out = np.fromiter((distinct[cell] for cell in cells), dtype=np.float64, count=len(cells))
    bad = np.flatnonzero(np.isnan(out))
    if bad.size:
        row = int(bad[0])
        cell = cells[row]
        if normalise(cell).lower() in MISSING_MARKERS:
            raise TimeColumnError(f"the time column {column!r} is empty in data row {row + 1}")
        raise TimeColumnError(
            f"the time column {column!r} must hold a date or time in every row; data row {row + 1} has {cell!r}"
        )
    return out


def unit_index(epoch_seconds: NDArray[np.float64], unit: str) -> NDArray[np.int64]:
    """int64: whole time units since 1970-01 (months for month/eom, years for year)."""
    # numpy's stubs type its ufuncs' results (np.floor's) as Any; the declarations say what they are.
    if unit in _SECONDS:
        whole_units: NDArray[np.int64] = np.floor(epoch_seconds / _SECONDS[unit]).astype(np.int64)
        return whole_units
    days: NDArray[np.datetime64] = np.floor(epoch_seconds / _DAY).astype(np.int64).astype("datetime64[D]")
    if unit in ("month", "eom"):
        return days.astype("datetime64[M]").astype(np.int64)
    return days.astype("datetime64[Y]").astype(np.int64)


def unit_time(index: ArrayLike, unit: str) -> NDArray[np.float64]:
    """float64 epoch seconds of the unit `index` starts (eom: the month's last day)."""
    units = np.asarray(index, dtype=np.int64)
    if unit in _SECONDS:
        return units.astype(np.float64) * _SECONDS[unit]
    if unit == "year":
        days = units.astype("datetime64[Y]").astype("datetime64[D]")
    elif unit == "month":
        days = units.astype("datetime64[M]").astype("datetime64[D]")
    else:  # eom
        days = (units + 1).astype("datetime64[M]").astype("datetime64[D]") - np.timedelta64(1, "D")
    return days.astype(np.int64).astype(np.float64) * _DAY


def time_text(index: int, unit: str) -> str:
    """A unit index as people read it: 2021, 2021-03, 2021-03-31, 2021-03-05 14:00.

    numpy writes every year with four digits or more (0001, 10000), where datetime cannot.
    """
    seconds = int(unit_time(np.array([index]), unit)[0])
    precision = _TEXT_PRECISION.get(unit, "m")
    return str(np.datetime_as_string(np.datetime64(seconds, "s"), unit=precision)).replace("T", " ")
