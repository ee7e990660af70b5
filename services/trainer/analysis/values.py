"""Parsing a column's distinct cells once, with fast paths for the common cases.

cells.parse_date tries its formats one by one through strptime, so a timestamp column of 100,000
distinct values costs seconds. The layouts spreadsheets write most ("2020-01-05 10:00",
"2020/1/5 10:00") are read here with one regular expression instead, and plain ASCII cells skip
the Unicode normalisation in is_missing and parse_number. Anything else, or anything a fast path
is unsure of, goes to services.tabular.cells, so the answers are always the same as its.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from services.tabular.cells import MISSING_MARKERS, is_missing, parse_date, parse_number

# ASCII only ([0-9], not \d): such text is unchanged by cells.normalise, and strptime reads the
# same fields from it. One separator throughout the date; "T" only after a dash-separated date,
# as in the formats cells.parse_date knows.
_SIMPLE_DATE = re.compile(
    r"([0-9]{4})([-/])([0-9]{1,2})\2([0-9]{1,2})"
    r"(?:([ T])([0-9]{1,2}):([0-9]{1,2})(?::([0-9]{1,2}))?)?"
)


def is_missing_fast(text: str) -> bool:
    """cells.is_missing's answer; NFKC leaves ASCII as it is, so only stripping is needed."""
    if text.isascii():
        return text.strip().lower() in MISSING_MARKERS
    return is_missing(text)


def parse_number_fast(text: str) -> float | None:
    """cells.parse_number's answer.

    float() strips spaces itself, and ASCII needs no NFKC; a missing marker that float() reads
    ("nan") is not finite, and grouped digits ("1,234") are not read, so both reach the slow path.
    """
    if text.isascii():
        try:
            value = float(text)
        except ValueError:
            return parse_number(text)
        if math.isfinite(value):
            return value
    return parse_number(text)


def parse_date_fast(text: str) -> float | None:
    """cells.parse_date's answer, quicker for plain Y-m-d / Y/m/d [H:M[:S]] text."""
    match = _SIMPLE_DATE.fullmatch(text)
    if match is None or (match[2] == "/" and match[5] == "T"):
        return parse_date(text)
    try:
        moment = datetime(
            int(match[1]),
            int(match[3]),
            int(match[4]),
            int(match[6] or 0),
            int(match[7] or 0),
            int(match[8] or 0),
            tzinfo=UTC,
        )
    except ValueError:
        return parse_date(text)
    return moment.timestamp()


def parse_every(cells: Iterable[str], parse: Callable[[str], float | None]) -> dict[str, float] | None:
    """Each cell's value, or None as soon as one does not parse (detection stops early)."""
    values: dict[str, float] = {}
    for cell in cells:
        value = parse(cell)
        if value is None:
            return None
        values[cell] = value
    return values


def parse_each(cells: Iterable[str], parse: Callable[[str], float | None]) -> dict[str, float]:
    """The cells that parse, with their values; the others are left out."""
    values: dict[str, float] = {}
    for cell in cells:
        value = parse(cell)
        if value is not None:
            values[cell] = value
    return values
