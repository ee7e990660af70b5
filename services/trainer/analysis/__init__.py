"""Column analysis of an uploaded training table: types, user overrides, useless columns and the
statistics Prediction One's column-info call answers with."""

from __future__ import annotations

from services.trainer.analysis.column_info import TIME_UNIT_CODES, column_info
from services.trainer.analysis.detect import ColumnProfile, detect_types, profile_column, profile_table
from services.trainer.analysis.overrides import OverrideError, apply_overrides, parse_column_overrides
from services.trainer.analysis.useless import useless_columns

__all__ = [
    "TIME_UNIT_CODES",
    "ColumnProfile",
    "OverrideError",
    "apply_overrides",
    "column_info",
    "detect_types",
    "parse_column_overrides",
    "profile_column",
    "profile_table",
    "useless_columns",
]
