from __future__ import annotations

import pytest

from services.tabular.column_types import ColumnType
from services.tabular.csv_text import TableError
from services.tabular.table import Table
from services.trainer.analysis.detect import detect_types, profile_table
from services.trainer.analysis.overrides import OverrideError, apply_overrides, parse_column_overrides

I, F, S, T, D, X = (
    ColumnType.INTEGER,
    ColumnType.FLOAT,
    ColumnType.STRING,
    ColumnType.TEXT,
    ColumnType.DATE,
    ColumnType.IGNORE,
)


def test_contract_example_utf8_with_bom_and_header():
    data = "\ufeffcolumn_name,column_type\r\nname,string\r\nbirthday,date\r\nincome,float\r\n".encode()
    assert parse_column_overrides(data) == {"name": S, "birthday": D, "income": F}


def test_header_is_optional_and_types_are_case_insensitive():
    data = b"age, Integer \nnote,TEXT\n\nid,ignore\n"
    overrides = parse_column_overrides(data)
    assert overrides == {"age": I, "note": T, "id": X}
    assert list(overrides) == ["age", "note", "id"]


def test_shift_jis_names():
    data = "column_name,column_type\n年齢,integer\n都道府県,string\n".encode("cp932")
    assert parse_column_overrides(data) == {"年齢": I, "都道府県": S}


def test_tab_separated():
    assert parse_column_overrides(b"column_name\tcolumn_type\na\tfloat\n") == {"a": F}


def test_empty_file_means_no_overrides():
    assert parse_column_overrides(b"") == {}
    assert parse_column_overrides(b"\xef\xbb\xbfcolumn_name,column_type\n") == {}


def test_unknown_type_names_its_row():
    data = b"column_name,column_type\nage,integer\nname,category\n"
    with pytest.raises(OverrideError) as caught:
        parse_column_overrides(data)
    message = str(caught.value)
    assert message.startswith("column-info row 2: unknown column type 'category'")
    assert "integer, float, string, text, date, ignore" in message


def test_unknown_type_without_header_counts_from_the_first_line():
    with pytest.raises(OverrideError, match="^column-info row 1: unknown column type 'number'"):
        parse_column_overrides(b"age,number\n")


def test_wrong_field_count():
    with pytest.raises(OverrideError, match=r"^column-info row 1 has 3 fields; expected 2"):
        parse_column_overrides(b"age,integer,extra\n")


def test_duplicate_and_nameless_rows():
    with pytest.raises(OverrideError, match='^column-info row 2: the column "a" is listed twice$'):
        parse_column_overrides(b"a,float\na,string\n")
    with pytest.raises(OverrideError, match="^column-info row 1 has no column name$"):
        parse_column_overrides(b",float\n")


def test_undecodable_file():
    with pytest.raises(OverrideError, match="neither UTF-8 nor Shift_JIS"):
        parse_column_overrides(b"\x81\x20\xff\xfe\x00")


def test_override_errors_are_table_errors():
    assert issubclass(OverrideError, TableError)
    assert issubclass(OverrideError, ValueError)


TABLE = Table(
    header=("age", "city", "score", "day"),
    rows=[
        ("34", "Tokyo", "1.5", "2020-01-01"),
        ("", "Osaka", "2", "2020-01-02"),
        ("51", "12", "x", "soon"),
    ],
)


def detected():
    return detect_types(TABLE)


def test_overrides_replace_detected_types_in_header_order():
    types = apply_overrides(detected(), {"city": T, "age": F}, TABLE)
    assert types == {"age": F, "city": T, "score": S, "day": S}
    assert list(types) == ["age", "city", "score", "day"]


def test_any_column_may_be_ignored_or_made_a_category():
    types = apply_overrides(detected(), {"age": X, "score": S, "day": T}, TABLE)
    assert types == {"age": X, "city": S, "score": S, "day": T}


def test_unknown_columns_are_named():
    with pytest.raises(OverrideError) as caught:
        apply_overrides(detected(), {"age": F, "height": F, "weight": I}, TABLE)
    assert str(caught.value) == 'the column-info file names columns that are not in the data: "height", "weight"'


def test_numeric_override_on_words_names_column_value_and_row():
    with pytest.raises(OverrideError) as caught:
        apply_overrides(detected(), {"city": F}, TABLE)
    assert str(caught.value) == 'the column "city" cannot be float: "Tokyo" (row 1) is not a number'


def test_numeric_override_reports_the_first_bad_value():
    with pytest.raises(OverrideError, match=r'"x" \(row 3\) is not a number$'):
        apply_overrides(detected(), {"score": F}, TABLE)


def test_integer_override_on_fractions():
    table = Table(header=("v",), rows=[("1",), ("2.5",)])
    message = r'^the column "v" cannot be integer: "2.5" \(row 2\) is not a whole number$'
    with pytest.raises(OverrideError, match=message):
        apply_overrides(detect_types(table), {"v": I}, table)
    assert apply_overrides(detect_types(table), {"v": F}, table) == {"v": F}


def test_date_override_checks_cells():
    with pytest.raises(OverrideError, match=r'^the column "day" cannot be date: "soon" \(row 3\) is not a date$'):
        apply_overrides(detected(), {"day": D}, TABLE)
    table = Table(header=("d",), rows=[("20200105",), ("20211231",)])
    assert apply_overrides(detect_types(table), {"d": D}, table) == {"d": D}


def test_profiles_may_be_reused():
    profiles = {profile.name: profile for profile in profile_table(TABLE)}
    types = apply_overrides(detected(), {"age": I}, TABLE, profiles=profiles)
    assert types["age"] is I


def test_empty_trailing_fields_are_dropped():
    assert parse_column_overrides(b"column_name,column_type,,\nage,integer,,\n") == {"age": I}


@pytest.mark.parametrize("column_type", [I, F, D, S, T])
def test_an_empty_column_takes_any_type(column_type):
    table = Table(header=("v", "empty"), rows=[("1", ""), ("2", "NA"), ("3", "")])
    assert apply_overrides(detect_types(table), {"empty": column_type}, table)["empty"] is column_type
