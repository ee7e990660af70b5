from __future__ import annotations

import json
import math
import random

import numpy as np
import pytest

from services.tabular.column_types import ColumnType
from services.tabular.csv_text import decode_table
from services.trainer.analysis.column_info import TIME_UNIT_CODES, column_info, time_unit
from services.trainer.analysis.detect import detect_types, profile_table

DAY = 86400
JAN_1_2020 = 1577836800

CSV = """id,age,income,city,joined,comment,empty,country,bought
1,34,500.5,Tokyo,2020-01-01,"Delivered on time, box was fine and sealed",,Japan,yes
2,51,,Osaka,2020-01-02,The product stopped working after two days,,Japan,no
3,,720.25,Tokyo,2020-01-04,Customer support answered every question quickly,,Japan,yes
4,29,310,Tokyo,,Colour differs a little from the photo shown,,Japan,no
5,40,880.75,Nagoya,2020-01-03,Would buy again for my parents next winter,,Japan,yes
6,34,415,Osaka,2020-01-06,Instructions were missing from the package entirely,NA,Japan,no
"""


@pytest.fixture(scope="module")
def table():
    return decode_table(CSV.encode())


@pytest.fixture(scope="module")
def types(table):
    return detect_types(table)


def by_name(info):
    return {column["name"]: column for column in info["training_data_columns"]}


def assert_plain_json(value):
    """Exact types: numpy floats subclass float and would slip through isinstance."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert type(key) is str
            assert_plain_json(item)
    elif isinstance(value, list):
        for item in value:
            assert_plain_json(item)
    else:
        assert value is None or type(value) in (str, int, float, bool), (value, type(value))
        if type(value) is float:
            assert math.isfinite(value)


def test_detected_types(types):
    assert {name: column_type.value for name, column_type in types.items()} == {
        "id": "integer",
        "age": "integer",
        "income": "float",
        "city": "string",
        "joined": "date",
        "comment": "text",
        "empty": "ignore",
        "country": "string",
        "bought": "string",
    }


def test_top_level_shape(table, types):
    info = column_info(table, types, target="income", sample_rows=2)
    assert list(info) == [
        "raw_column_names",
        "raw_training_data",
        "training_data_columns",
        "useless_column_list",
        "trainingdata_row_count",
    ]
    assert info["raw_column_names"] == list(table.header)
    assert info["raw_training_data"] == [
        {"row_data": '1,34,500.5,Tokyo,2020-01-01,"Delivered on time, box was fine and sealed",,Japan,yes'},
        {"row_data": "2,51,,Osaka,2020-01-02,The product stopped working after two days,,Japan,no"},
    ]
    assert info["useless_column_list"] == ["empty", "country"]
    assert info["trainingdata_row_count"] == 6
    assert [column["column_id"] for column in info["training_data_columns"]] == list(range(9))
    assert_plain_json(info)
    json.dumps(info, allow_nan=False)


def test_integer_column(table, types):
    age = by_name(column_info(table, types))["age"]
    assert age == {
        "column_id": 1,
        "name": "age",
        "initial_data_type": 0,
        "available_data_types": [0, 1, 2],
        "unique_count": 4,
        "data_count": 5,
        "missing_count": 1,
        "cor_score": None,
        "classify_value": [None],
        "numerical_value": [{"max_value": 51, "min_value": 29, "avg_value": 37.6, "median_value": 34.0}],
        "range_pick_info": {"numeric": {"max_val": 51.0, "min_val": 29.0, "initial_threshold": 34.0}, "date": None},
    }
    assert type(age["numerical_value"][0]["max_value"]) is int


def test_float_column(table, types):
    income = by_name(column_info(table, types))["income"]
    assert income["initial_data_type"] == 1
    assert income["available_data_types"] == [1, 2]
    assert (income["unique_count"], income["data_count"], income["missing_count"]) == (5, 5, 1)
    assert income["numerical_value"] == [
        {"max_value": 880.75, "min_value": 310.0, "avg_value": pytest.approx(565.3), "median_value": 500.5}
    ]
    assert income["classify_value"] == [None]


def test_string_column_counts_classes(table, types):
    city = by_name(column_info(table, types))["city"]
    assert city["initial_data_type"] == 2
    assert city["available_data_types"] == [2, 3]
    assert (city["unique_count"], city["data_count"], city["missing_count"]) == (3, 6, 0)
    assert city["classify_value"] == [
        {"name": "Tokyo", "value": 3},
        {"name": "Osaka", "value": 2},
        {"name": "Nagoya", "value": 1},
    ]
    assert city["numerical_value"] == [None]
    assert city["range_pick_info"] is None


def test_date_column(table, types):
    joined = by_name(column_info(table, types))["joined"]
    assert joined["initial_data_type"] == 4
    assert joined["available_data_types"] == [2, 4]
    assert (joined["unique_count"], joined["data_count"], joined["missing_count"]) == (5, 5, 1)
    assert joined["classify_value"] == [None]
    assert joined["numerical_value"] == [None]
    assert joined["range_pick_info"] == {
        "numeric": None,
        "date": {
            "max_epoc_sec": JAN_1_2020 + 5 * DAY,
            "min_epoc_sec": JAN_1_2020,
            "initial_threshold_epoc_sec": JAN_1_2020 + 2 * DAY,
            "time_unit_id": TIME_UNIT_CODES["day"],
        },
    }


def test_text_and_ignored_columns(table, types):
    columns = by_name(column_info(table, types))
    assert columns["comment"]["initial_data_type"] == 3
    assert columns["comment"]["classify_value"] == [None]
    assert columns["comment"]["unique_count"] == 6
    empty = columns["empty"]
    assert empty["initial_data_type"] is None
    assert empty["available_data_types"] == []
    assert (empty["unique_count"], empty["data_count"], empty["missing_count"]) == (0, 0, 6)
    assert empty["numerical_value"] == [None] and empty["classify_value"] == [None]


def test_numeric_target_scores(table, types):
    columns = by_name(column_info(table, types, target="income"))
    # age and income are both present in rows 1, 4, 5, 6.
    expected = np.corrcoef([34, 29, 40, 34], [500.5, 310, 880.75, 415])[0, 1]
    assert columns["age"]["cor_score"] == pytest.approx(expected, abs=1e-12)
    ids = np.corrcoef([1, 3, 4, 5, 6], [500.5, 720.25, 310, 880.75, 415])[0, 1]
    assert columns["id"]["cor_score"] == pytest.approx(ids, abs=1e-12)
    # city: eta over the five rows with an income.
    incomes = {"Tokyo": [500.5, 720.25, 310], "Osaka": [415], "Nagoya": [880.75]}
    every = [value for values in incomes.values() for value in values]
    mean = sum(every) / len(every)
    between = sum(len(values) * (np.mean(values) - mean) ** 2 for values in incomes.values())
    total = sum((value - mean) ** 2 for value in every)
    assert columns["city"]["cor_score"] == pytest.approx(math.sqrt(between / total), abs=1e-12)
    joined = np.corrcoef([0, 3, 2, 5], [500.5, 720.25, 880.75, 415])[0, 1]  # days since Jan 1
    assert columns["joined"]["cor_score"] == pytest.approx(joined, abs=1e-12)
    assert columns["income"]["cor_score"] is None
    assert columns["comment"]["cor_score"] is None
    assert columns["empty"]["cor_score"] is None
    assert columns["country"]["cor_score"] is None  # one category: no spread explained


def test_categorical_target_scores(table, types):
    columns = by_name(column_info(table, types, target="bought"))
    # city x bought: Tokyo yes 2 no 1, Osaka yes 0 no 2, Nagoya yes 1 no 0.
    observed = np.array([[2, 1], [0, 2], [1, 0]], dtype=float)
    expected = observed.sum(axis=1, keepdims=True) * observed.sum(axis=0, keepdims=True) / 6
    chi2 = ((observed - expected) ** 2 / expected).sum()
    assert columns["city"]["cor_score"] == pytest.approx(math.sqrt(chi2 / 6), abs=1e-12)
    # age grouped by bought: yes [34, 40], no [51, 29, 34].
    ages = [34, 40, 51, 29, 34]
    mean = sum(ages) / 5
    between = 2 * (37 - mean) ** 2 + 3 * (38 - mean) ** 2
    total = sum((age - mean) ** 2 for age in ages)
    assert columns["age"]["cor_score"] == pytest.approx(math.sqrt(between / total), abs=1e-12)
    assert columns["bought"]["cor_score"] is None


def test_overridden_types_are_reported(table, types):
    columns = by_name(column_info(table, types | {"age": ColumnType.STRING, "id": ColumnType.IGNORE}))
    assert columns["age"]["initial_data_type"] == 2
    assert columns["age"]["numerical_value"] == [None]
    assert columns["age"]["classify_value"][0] == {"name": "34", "value": 2}
    assert columns["age"]["range_pick_info"] is None
    assert columns["id"]["initial_data_type"] is None
    assert columns["id"]["available_data_types"] == [0, 1, 2]


def test_unknown_target(table, types):
    with pytest.raises(KeyError):
        column_info(table, types, target="nope")


def test_header_only_table():
    table = decode_table(b"a,b\n")
    info = column_info(table, detect_types(table))
    assert info["trainingdata_row_count"] == 0
    assert info["raw_training_data"] == []
    assert info["useless_column_list"] == ["a", "b"]
    assert_plain_json(info)


def test_tab_separated_rows_are_written_back_with_tabs():
    table = decode_table(b"a\tb\nx,1\t2\n")
    info = column_info(table, detect_types(table))
    assert info["raw_training_data"] == [{"row_data": "x,1\t2"}]


def seconds(*texts):
    from services.tabular.cells import parse_date

    return np.array([parse_date(text) for text in texts])


@pytest.mark.parametrize(
    ("texts", "unit"),
    [
        (["2020-01-01 10:00", "2020-01-01 10:15", "2020-01-01 12:00"], "minute"),
        (["2020-01-01 10:00:00", "2020-01-01 10:00:30"], "minute"),
        (["2020-01-01 10:00", "2020-01-01 13:00", "2020-01-02 10:00"], "hour"),
        (["2020-01-01", "2020-01-08", "2020-01-15"], "day"),
        (["2020-01-01", "2020-02-01", "2020-03-01"], "month"),
        (["2020-01-31", "2020-02-29", "2020-03-31", "2020-04-30"], "eom"),
        (["2019-01-01", "2020-01-01", "2022-01-01"], "year"),
        (["2020-05-05", "2020-05-05"], "day"),
    ],
)
def test_time_unit(texts, unit):
    assert time_unit(seconds(*texts)) == unit


def test_time_unit_codes():
    assert TIME_UNIT_CODES == {"year": 0, "month": 1, "day": 2, "hour": 3, "minute": 4, "eom": 5}


def test_hundred_thousand_rows_by_twenty_columns_are_quick():
    chooser = random.Random(3)
    cities = ["Tokyo", "Osaka", "Nagoya", "Sapporo", "Fukuoka"]
    header = ",".join(f"c{index}" for index in range(20))
    lines = [header]
    for row in range(100_000):
        day = 1 + row % 28
        cells = [
            str(row),
            str(chooser.randint(18, 90)),
            f"{chooser.random() * 1000:.2f}",
            chooser.choice(cities),
            f"2020-03-{day:02d} {row % 24:02d}:{row % 60:02d}",
            chooser.choice(["yes", "no"]),
        ]
        cells += [str(chooser.randint(0, 500)) for _ in range(7)]
        cells += [chooser.choice(cities) for _ in range(7)]
        lines.append(",".join(cells))
    data = ("\n".join(lines) + "\n").encode()
    # How long this takes is a benchmark's business (a timed assertion fails on a busy machine).
    table = decode_table(data)
    profiles = profile_table(table)
    types = {profile.name: profile.detected for profile in profiles}
    info = column_info(table, types, target="c5", profiles=profiles)
    assert info["trainingdata_row_count"] == 100_000
    assert types["c4"] is ColumnType.DATE
    assert info["useless_column_list"] == ["c0"]
