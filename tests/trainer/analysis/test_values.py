"""The fast paths must answer exactly as services.tabular.cells does."""

from __future__ import annotations

import pytest

from services.tabular.cells import is_missing, parse_date, parse_number
from services.trainer.analysis.values import (
    is_missing_fast,
    parse_date_fast,
    parse_each,
    parse_every,
    parse_number_fast,
)

CELLS = [
    "",
    " ",
    "NA",
    " n/a ",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "null",
    "None",
    "-",
    "#N/A",
    "ＮＡ",
    "0",
    "12",
    "-3.5",
    " 7 ",
    "1e3",
    "1_000",
    "1,234",
    "1,234.5",
    "12,34",
    "１２３",
    "abc",
    "12abc",
    "2020-01-05",
    "2020-1-5",
    "2020/01/05",
    "2020/1/5",
    "2020-01-05 10:00",
    "2020-01-05 9:05",
    "2020-01-05 10:00:30",
    "2020-01-05T10:00",
    "2020-01-05T10:00:59",
    "2020/1/5 10:00",
    "2020/1/5 10:00:07",
    "2020/01/05T10:00",
    "2020-01/05",
    "2020-02-30",
    "2020-13-01",
    "2020-01-05 24:00",
    "2020-01-05 10:60",
    "2020-01-05 10:00:60",
    "2020-01-05  10:00",
    "2020-01-05T10:00:00.250",
    "2020-01-05T10:00:00Z",
    "2020-01-05T10:00:00+09:00",
    "20200105",
    "2020-01",
    "2020/01",
    "2020.01.05",
    "2020年1月5日",
    "２０２０-０１-０５",
    " 2020-01-05 ",
    "00000-01-01",
    "0000-01-01",
    "2020-001-05",
]


@pytest.mark.parametrize("cell", CELLS)
def test_fast_paths_agree_with_cells(cell):
    assert is_missing_fast(cell) == is_missing(cell)
    assert parse_number_fast(cell) == parse_number(cell)
    assert parse_date_fast(cell) == parse_date(cell)


def test_fast_date_reads_spreadsheet_layouts():
    assert parse_date_fast("2020/1/5 10:00") == 1578218400.0
    assert parse_date_fast("2020-01-05") == 1578182400.0


def test_parse_every_stops_at_the_first_failure():
    assert parse_every(["1", "2"], parse_number_fast) == {"1": 1.0, "2": 2.0}
    assert parse_every(["1", "x", "2"], parse_number_fast) is None


def test_parse_each_keeps_what_parses():
    assert parse_each(["1", "x", "2.5"], parse_number_fast) == {"1": 1.0, "2.5": 2.5}


def test_fast_date_agrees_on_random_layouts():
    import random

    chooser = random.Random(11)
    pieces = ["0", "1", "9", "00", "01", "12", "13", "29", "31", "32", "59", "60", "99", "001"]
    for _ in range(1000):
        year = chooser.choice(["2020", "1999", "0001", "202", "20200"])
        date_sep = chooser.choice(["-", "/", ".", ""])
        text = year + date_sep + chooser.choice(pieces) + chooser.choice([date_sep, "-", "/"]) + chooser.choice(pieces)
        if chooser.random() < 0.7:
            text += chooser.choice([" ", "T", "  ", "t"]) + chooser.choice(pieces) + ":" + chooser.choice(pieces)
            if chooser.random() < 0.5:
                text += ":" + chooser.choice(pieces)
        assert parse_date_fast(text) == parse_date(text), text
