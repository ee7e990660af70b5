from __future__ import annotations

import math

import numpy as np
import pytest

from services.tabular.cells import parse_date
from services.tabular.column_types import ColumnType
from services.tabular.schema import InputColumn
from services.tabular.tensors import MissingColumnsError, input_tensors

COLUMNS = (
    InputColumn("n", "c0", ColumnType.FLOAT),
    InputColumn("i", "c1", ColumnType.INTEGER),
    InputColumn("s", "c2", ColumnType.STRING),
    InputColumn("d", "c3", ColumnType.DATE),
    InputColumn("t", "c4", ColumnType.TEXT),
)
HEADER = ("extra", "t", "d", "s", "i", "n")


def test_dtypes_shapes_and_missing_values():
    rows = [
        ("x", " Hello ", "2020-02-29", "ＡＢＣ", "1,234", "1.5"),
        ("x", "NA", "", "", "", "abc"),
        ("x", "-", "not a date", "null", "１２", "inf"),
    ]
    tensors = input_tensors(COLUMNS, HEADER, rows)
    assert set(tensors) == {"c0", "c1", "c2", "c3", "c4"}
    assert all(array.shape == (3, 1) for array in tensors.values())
    assert tensors["c0"].dtype == np.float32 and tensors["c1"].dtype == np.float32
    assert tensors["c3"].dtype == np.float64
    assert tensors["c2"].dtype == object and tensors["c4"].dtype == object
    assert tensors["c0"][0, 0] == 1.5 and math.isnan(tensors["c0"][1, 0]) and math.isnan(tensors["c0"][2, 0])
    assert tensors["c1"][:, 0].tolist()[0] == 1234.0 and math.isnan(tensors["c1"][1, 0])
    assert tensors["c1"][2, 0] == 12.0  # full-width digits
    assert tensors["c2"][:, 0].tolist() == ["ABC", "", ""]
    assert tensors["c4"][:, 0].tolist() == ["Hello", "", ""]
    assert all(type(value) is str for value in tensors["c4"].ravel())
    assert tensors["c3"][0, 0] == parse_date("2020-02-29")
    assert math.isnan(tensors["c3"][1, 0]) and math.isnan(tensors["c3"][2, 0])


def test_one_row_equals_many_rows():
    rows = [("x", "w", "2001-01-01 10:00", "a", "3", "2.5"), ("x", "", "", "", "", "")]
    many = input_tensors(COLUMNS, HEADER, rows)
    for index, row in enumerate(rows):
        one = input_tensors(COLUMNS, HEADER, [row])
        for name, array in one.items():
            assert array.shape == (1, 1) and array.dtype == many[name].dtype
            expected = many[name][index : index + 1]
            if array.dtype == object:
                assert array.tolist() == expected.tolist()
            else:
                np.testing.assert_array_equal(array, expected)


def test_missing_columns_are_listed_and_extra_columns_ignored():
    with pytest.raises(MissingColumnsError) as error:
        input_tensors(COLUMNS, ("n", "s", "other"), [("1", "a", "z")])
    assert error.value.missing == ("i", "d", "t")
    assert isinstance(error.value, ValueError) and "'d'" in str(error.value)
    tensors = input_tensors(COLUMNS[:1], ("other", "n"), [("zzz", "4")])
    assert tensors["c0"][0, 0] == 4.0


def test_empty_rows_give_empty_tensors():
    tensors = input_tensors(COLUMNS, HEADER, [])
    assert all(array.shape == (0, 1) for array in tensors.values())
