"""A decoded CSV: its header and data rows as text, every row as wide as the header."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    encoding: str = "utf-8"  # what the bytes were decoded as: "utf-8" or "shift_jis"
    delimiter: str = ","

    def column(self, index: int) -> list[str]:
        return [row[index] for row in self.rows]

    def index_of(self, name: str) -> int:
        """The column's position; KeyError when the header has no such column."""
        try:
            return self.header.index(name)
        except ValueError:
            raise KeyError(name) from None
