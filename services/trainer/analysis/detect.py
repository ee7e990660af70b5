"""Each column's type guessed from its cells, and the types a user may switch it to.

Cells are counted once per column and every distinct cell is parsed once, so repeated values
(categories, dates, small integers) cost nothing extra; parsing stops at the first cell that
does not fit a type, which keeps text columns cheap.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from services.tabular.column_types import ColumnType
from services.tabular.table import Table
from services.trainer.analysis.values import (
    is_missing_fast,
    parse_date_fast,
    parse_each,
    parse_every,
    parse_number_fast,
)

# Free text rather than categories: long cells (characters, for Japanese without spaces, or
# words) that mostly differ from each other. Repeated long labels stay categorical.
TEXT_MIN_MEAN_CHARS = 20
TEXT_MIN_MEAN_TOKENS = 3
TEXT_MIN_UNIQUE_SHARE = 0.5


@dataclass(frozen=True, eq=False)
class ColumnProfile:
    """One column's cells as counted and parsed, shared by detection, overrides and column info."""

    name: str
    cells: Sequence[str]  # every row's cell, in row order
    counts: Counter[str]  # non-missing cell -> rows, in first-seen order
    numbers: Mapping[str, float] | None  # every non-missing cell as a number; None if one is not
    dates: Mapping[str, float] | None  # every non-missing cell as epoch seconds; None if one is not
    detected: ColumnType
    available: tuple[ColumnType, ...]  # coded types only (IGNORE has no code), by code

    @property
    def data_count(self) -> int:
        return len(self.cells) - self.missing_count

    @cached_property
    def missing_count(self) -> int:
        return len(self.cells) - sum(self.counts.values())

    @cached_property
    def number_of(self) -> Mapping[str, float]:
        """The cells that are numbers (all of them once detection said so)."""
        return self.numbers if self.numbers is not None else parse_each(self.counts, parse_number_fast)

    @cached_property
    def date_of(self) -> Mapping[str, float]:
        """The cells that are dates, as epoch seconds."""
        return self.dates if self.dates is not None else parse_each(self.counts, parse_date_fast)

    def unique_count(self, column_type: ColumnType) -> int:
        """Distinct values as the type reads them: "1" and "1.0" are one number."""
        if column_type.is_numeric:
            return len(set(self.number_of.values()))
        if column_type is ColumnType.DATE:
            return len(set(self.date_of.values()))
        return len(self.counts)


def profile_column(name: str, cells: Sequence[str]) -> ColumnProfile:
    counts = Counter(cells)
    for cell in [cell for cell in counts if is_missing_fast(cell)]:
        del counts[cell]
    numbers = parse_every(counts, parse_number_fast) if counts else None
    integral = numbers is not None and all(value.is_integer() for value in numbers.values())
    # A float column is never a date, so its dates are not looked for; an integer column may be
    # (20240131), which is offered as a choice without changing the guess.
    dates = parse_every(counts, parse_date_fast) if counts and (numbers is None or integral) else None
    detected = _guess(counts, numbers, integral, dates)
    return ColumnProfile(
        name=name,
        cells=cells,
        counts=counts,
        numbers=numbers,
        dates=dates,
        detected=detected,
        available=_available(detected, dates is not None),
    )


def profile_table(table: Table) -> list[ColumnProfile]:
    columns = list(zip(*table.rows)) if table.rows else [()] * len(table.header)
    return [profile_column(name, cells) for name, cells in zip(table.header, columns)]


def detect_types(table: Table) -> dict[str, ColumnType]:
    """Column name -> guessed type, in header order."""
    return {profile.name: profile.detected for profile in profile_table(table)}


def _guess(
    counts: Counter[str],
    numbers: Mapping[str, float] | None,
    integral: bool,
    dates: Mapping[str, float] | None,
) -> ColumnType:
    if not counts:
        return ColumnType.IGNORE
    if numbers is not None:
        return ColumnType.INTEGER if integral else ColumnType.FLOAT
    if dates is not None:
        return ColumnType.DATE
    return ColumnType.TEXT if _looks_like_text(counts) else ColumnType.STRING


def _looks_like_text(counts: Counter[str]) -> bool:
    total = sum(counts.values())
    if len(counts) / total < TEXT_MIN_UNIQUE_SHARE:
        return False
    chars = sum(len(cell.strip()) * rows for cell, rows in counts.items()) / total
    tokens = sum(len(cell.split()) * rows for cell, rows in counts.items()) / total
    return chars >= TEXT_MIN_MEAN_CHARS or tokens >= TEXT_MIN_MEAN_TOKENS


def _available(detected: ColumnType, all_dates: bool) -> tuple[ColumnType, ...]:
    """Types the column's cells allow: a number may be read as a category, any text as free
    text or a category, never text as a number."""
    choices = {
        ColumnType.INTEGER: {ColumnType.INTEGER, ColumnType.FLOAT, ColumnType.STRING},
        ColumnType.FLOAT: {ColumnType.FLOAT, ColumnType.STRING},
        ColumnType.DATE: {ColumnType.DATE, ColumnType.STRING},
        ColumnType.STRING: {ColumnType.STRING, ColumnType.TEXT},
        ColumnType.TEXT: {ColumnType.STRING, ColumnType.TEXT},
        ColumnType.IGNORE: set(),
    }[detected]
    if all_dates:
        choices.add(ColumnType.DATE)
    # The enum lists the types in the order of their contract codes.
    return tuple(column_type for column_type in ColumnType if column_type in choices)
