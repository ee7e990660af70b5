"""Time units as people read them, at the ends of the calendar too."""

from __future__ import annotations

import pytest

from services.tabular.timegrid import parse_times, time_text, unit_index


@pytest.mark.parametrize(
    ("cell", "unit", "text", "next_text"),
    [
        ("2021-03-05 14:07", "year", "2021", "2022"),
        ("2021-03-05 14:07", "month", "2021-03", "2021-04"),
        ("2021-02-05", "eom", "2021-02-28", "2021-03-31"),
        ("2021-03-05 14:07", "day", "2021-03-05", "2021-03-06"),
        ("2021-03-05 14:07", "hour", "2021-03-05 14:00", "2021-03-05 15:00"),
        ("2021-03-05 14:07", "minute", "2021-03-05 14:07", "2021-03-05 14:08"),
        ("0001-01-25", "day", "0001-01-25", "0001-01-26"),
        ("9999-12-31", "day", "9999-12-31", "10000-01-01"),
        ("9999-12-31 23:59", "minute", "9999-12-31 23:59", "10000-01-01 00:00"),
    ],
)
def test_time_text_writes_every_year_with_four_digits_or_more(cell, unit, text, next_text):
    index = int(unit_index(parse_times([cell], "t"), unit)[0])
    assert time_text(index, unit) == text
    assert time_text(index + 1, unit) == next_text
