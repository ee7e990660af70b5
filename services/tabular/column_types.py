"""Column types, with the names and integer codes the Prediction One contract uses."""

from __future__ import annotations

import enum


class ColumnType(enum.Enum):
    """What a column holds. `value` is the contract's name (column-info CSV, docs)."""

    INTEGER = "integer"
    FLOAT = "float"
    STRING = "string"  # categorical
    TEXT = "text"  # free text, tokenised into TF-IDF features
    DATE = "date"  # calendar parts
    IGNORE = "ignore"  # not used for learning

    @property
    def code(self) -> int | None:
        """The contract's `initial_data_type` code (0 integer .. 4 date); IGNORE has none."""
        return _CODES.get(self)

    @property
    def is_numeric(self) -> bool:
        return self in (ColumnType.INTEGER, ColumnType.FLOAT)

    @classmethod
    def parse(cls, name: str) -> ColumnType:
        """A type from its contract name, case- and space-insensitive; ValueError when unknown."""
        cleaned = name.strip().lower()
        for member in cls:
            if member.value == cleaned:
                return member
        known = ", ".join(member.value for member in cls)
        raise ValueError(f"unknown column type {name!r}; expected one of {known}")


# The contract's `time_unit_id` of a date column's unit (column-info's range_pick_info).
TIME_UNIT_CODES = {"year": 0, "month": 1, "day": 2, "hour": 3, "minute": 4, "eom": 5}

_CODES = {
    ColumnType.INTEGER: 0,
    ColumnType.FLOAT: 1,
    ColumnType.STRING: 2,
    ColumnType.TEXT: 3,
    ColumnType.DATE: 4,
}
