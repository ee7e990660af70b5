"""The uploaded column-info file (`column_name,column_type` per row) and its check against the data.

Prediction One's example file is UTF-8 with a BOM, but users edit it in Excel, so Shift_JIS and
a missing header row are accepted too. A wrong override is refused here, naming the column and a
cell, rather than surfacing as NaN features in training.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import NoReturn

from services.tabular.column_types import ColumnType
from services.tabular.csv_text import TableError, decode_text, describe_fields, detect_delimiter
from services.tabular.table import Table
from services.trainer.analysis.detect import ColumnProfile, profile_column
from services.trainer.analysis.values import parse_number_fast

HEADER = ("column_name", "column_type")


class OverrideError(TableError):
    """The column-info file is malformed or does not fit the data; str() is for the user."""


def parse_column_overrides(data: bytes) -> dict[str, ColumnType]:
    """Column name -> type, in file order.

    Row numbers in messages count data rows from 1: the header row, when there is one, is row 0.
    Blank rows are skipped and not counted, empty fields after the second are dropped (a
    spreadsheet's trailing ",,"). An empty file means no overrides.
    """
    try:
        text, _ = decode_text(data)
    except TableError as error:
        raise OverrideError(f"column-info file: {error}") from None
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text.lstrip("\r\n")))
    overrides: dict[str, ColumnType] = {}
    number = 0
    try:
        for record in reader:
            if not any(field.strip() for field in record):
                continue
            cells = tuple(field.strip() for field in record)
            while len(cells) > 2 and not cells[-1]:
                cells = cells[:-1]  # a spreadsheet's empty trailing columns
            if number == 0 and not overrides and tuple(cell.lower() for cell in cells) == HEADER:
                continue
            number += 1
            _add(overrides, cells, number)
    except csv.Error as error:
        raise OverrideError(f"column-info file line {reader.line_num} cannot be read as CSV: {error}") from None
    return overrides


def _add(overrides: dict[str, ColumnType], cells: tuple[str, ...], number: int) -> None:
    if len(cells) != 2:
        raise OverrideError(
            f"column-info row {number} has {describe_fields(len(cells))}; expected 2 (column_name,column_type)"
        )
    name, type_name = cells
    if not name:
        raise OverrideError(f"column-info row {number} has no column name")
    if name in overrides:
        raise OverrideError(f'column-info row {number}: the column "{name}" is listed twice')
    try:
        overrides[name] = ColumnType.parse(type_name)
    except ValueError as error:
        raise OverrideError(f"column-info row {number}: {error}") from None


def apply_overrides(
    detected: Mapping[str, ColumnType],
    overrides: Mapping[str, ColumnType],
    table: Table,
    *,
    profiles: Mapping[str, ColumnProfile] | None = None,
) -> dict[str, ColumnType]:
    """The detected types with the user's choices in place, in header order.

    Takes the table (not only its header) because a numeric or date override is checked against
    the cells. `profiles` reuses columns already profiled. IGNORE and STRING/TEXT fit any column.
    """
    unknown = [name for name in overrides if name not in table.header]
    if unknown:
        listed = ", ".join(f'"{name}"' for name in unknown)
        raise OverrideError(f"the column-info file names columns that are not in the data: {listed}")
    types = {name: detected[name] for name in table.header}
    for name, column_type in overrides.items():
        if column_type.is_numeric or column_type is ColumnType.DATE:
            profile = profiles[name] if profiles and name in profiles else None
            if profile is None:
                profile = profile_column(name, table.column(table.index_of(name)))
            _check_cells(profile, column_type)
        types[name] = column_type
    return types


def _check_cells(profile: ColumnProfile, column_type: ColumnType) -> None:
    if column_type is ColumnType.DATE:
        bad = next((cell for cell in profile.counts if cell not in profile.date_of), None)
        if bad is not None:
            _refuse(profile, column_type, bad, "is not a date")
        return
    if profile.numbers is None:
        bad = next((cell for cell in profile.counts if parse_number_fast(cell) is None), None)
        if bad is None:  # every cell is missing: nothing to refuse
            return
        _refuse(profile, column_type, bad, "is not a number")
    if column_type is ColumnType.INTEGER:
        bad = next((cell for cell, value in profile.numbers.items() if not value.is_integer()), None)
        if bad is not None:
            _refuse(profile, column_type, bad, "is not a whole number")


def _refuse(profile: ColumnProfile, column_type: ColumnType, cell: str, problem: str) -> NoReturn:
    row = profile.cells.index(cell) + 1
    raise OverrideError(f'the column "{profile.name}" cannot be {column_type.value}: "{cell}" (row {row}) {problem}')
