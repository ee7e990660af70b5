"""Columns that cannot help a model: nothing in them, one value, or a different value per row.

Prediction One lists these (`useless_column_list`); training leaves them out unless the user's
column-info file names them (services.trainer.columns.training_types).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from services.tabular.column_types import ColumnType
from services.tabular.table import Table
from services.trainer.analysis.detect import ColumnProfile, profile_table

# A column is an identifier only when this many values are all distinct: in a handful of rows,
# distinct values say nothing.
IDENTIFIER_MIN_VALUES = 20


def useless_reason(profile: ColumnProfile, column_type: ColumnType) -> str | None:
    """Why the column is useless for learning, or None when it may be useful."""
    if profile.data_count == 0:
        return "every value is missing"
    unique = profile.unique_count(column_type)
    if unique <= 1:
        return "every value is the same"
    if (
        profile.data_count >= IDENTIFIER_MIN_VALUES
        and unique == profile.data_count
        and _names_rows(profile, column_type)
    ):
        return "every value is different, like an identifier"
    return None


def _names_rows(profile: ColumnProfile, column_type: ColumnType) -> bool:
    """Whether a column of all-distinct values looks like it numbers or names the rows.

    Categories do. Whole numbers do when they are evenly spaced once sorted (1, 2, 3 ... or
    1000, 1010, 1020 ...), as row numbers and sequential ids are; other distinct whole numbers
    are measurements, as distinct floats, dates and free texts are.
    """
    if column_type is ColumnType.STRING:
        return True
    if column_type is not ColumnType.INTEGER:
        return False
    steps = np.diff(np.sort(np.fromiter(profile.number_of.values(), dtype=np.float64)))
    return bool(steps.size) and bool(np.all(steps == steps[0]))


def useless_columns(
    table: Table,
    types: Mapping[str, ColumnType],
    *,
    target: str | None = None,
    profiles: list[ColumnProfile] | None = None,
) -> dict[str, str]:
    """Column name -> reason, in header order; the target is never listed.

    `profiles` (from profile_table) reuses a pass already made over the table.
    """
    reasons: dict[str, str] = {}
    for profile in profiles if profiles is not None else profile_table(table):
        if profile.name == target:
            continue
        reason = useless_reason(profile, types[profile.name])
        if reason is not None:
            reasons[profile.name] = reason
    return reasons
