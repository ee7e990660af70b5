"""Columns that cannot help a model: nothing in them, one value, or a different value per row.

Prediction One lists these (`useless_column_list`) so the user can leave them out; training
does not drop them by itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from services.tabular.column_types import ColumnType
from services.tabular.table import Table
from services.trainer.analysis.detect import ColumnProfile, profile_table

# A column is an identifier only when this many values are all distinct: in a handful of rows,
# distinct values say nothing.
IDENTIFIER_MIN_VALUES = 20

# Only categories and whole numbers can be identifiers: distinct floats, dates or free texts are
# what such columns normally hold.
_IDENTIFIER_TYPES = (ColumnType.STRING, ColumnType.INTEGER)


def useless_reason(profile: ColumnProfile, column_type: ColumnType) -> str | None:
    """Why the column is useless for learning, or None when it may be useful."""
    if profile.data_count == 0:
        return "every value is missing"
    unique = profile.unique_count(column_type)
    if unique <= 1:
        return "every value is the same"
    if (
        column_type in _IDENTIFIER_TYPES
        and profile.data_count >= IDENTIFIER_MIN_VALUES
        and unique == profile.data_count
    ):
        return "every value is different, like an identifier"
    return None


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
