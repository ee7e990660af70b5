from __future__ import annotations

from services.tabular.column_types import ColumnType
from services.tabular.table import Table
from services.trainer.analysis.detect import detect_types
from services.trainer.analysis.useless import IDENTIFIER_MIN_VALUES, useless_columns
from services.trainer.columns import training_types


def make_table(rows: int) -> Table:
    return Table(
        header=("row_id", "code", "country", "blank", "price", "flag", "size", "y"),
        rows=[
            (
                str(1000 + index),  # distinct integers: an identifier
                f"C-{index:04d}",  # distinct strings: an identifier
                "Japan",  # one value
                "",  # nothing
                f"{index}.25",  # distinct floats: a measurement, not an identifier
                "yes" if index == 0 else "",  # one value, the rest missing
                ("S", "M", "L")[index % 3],
                str(index),  # distinct integers, but the target
            )
            for index in range(rows)
        ],
    )


def test_reasons_in_header_order():
    table = make_table(IDENTIFIER_MIN_VALUES)
    reasons = useless_columns(table, detect_types(table), target="y")
    assert reasons == {
        "row_id": "every value is different, like an identifier",
        "code": "every value is different, like an identifier",
        "country": "every value is the same",
        "blank": "every value is missing",
        "flag": "every value is the same",
    }
    assert list(reasons) == ["row_id", "code", "country", "blank", "flag"]


def test_identifiers_need_enough_rows():
    table = make_table(IDENTIFIER_MIN_VALUES - 1)
    reasons = useless_columns(table, detect_types(table))
    assert "row_id" not in reasons and "code" not in reasons and "y" not in reasons
    assert set(reasons) == {"country", "blank", "flag"}


def test_without_target_every_column_is_judged():
    table = make_table(IDENTIFIER_MIN_VALUES)
    assert "y" in useless_columns(table, detect_types(table))


def test_types_decide_identifiers():
    table = make_table(IDENTIFIER_MIN_VALUES)
    types = detect_types(table) | {"row_id": ColumnType.FLOAT, "code": ColumnType.TEXT}
    reasons = useless_columns(table, types, target="y")
    assert "row_id" not in reasons and "code" not in reasons


def test_constant_is_judged_by_value_not_spelling():
    table = Table(header=("v", "w"), rows=[("1", "a"), ("1.0", "b"), ("01", "c")])
    types = detect_types(table)
    assert useless_columns(table, types) == {"v": "every value is the same"}
    assert useless_columns(table, types | {"v": ColumnType.STRING}) == {}


def _integers_table() -> Table:
    rows = 40
    return Table(
        header=("order_no", "ticket", "income", "y"),
        rows=[
            (
                str(5000 + index),  # consecutive: numbers the rows
                str(100 + 10 * (rows - index)),  # evenly spaced, in any order: a sequential id
                str(30_000 + index * index * 37 + index % 3),  # distinct, uneven: a measurement
                "a" if index % 2 else "b",
            )
            for index in range(rows)
        ],
    )


def test_distinct_whole_numbers_are_identifiers_only_when_evenly_spaced():
    table = _integers_table()
    reasons = useless_columns(table, detect_types(table), target="y")
    assert reasons == {
        "order_no": "every value is different, like an identifier",
        "ticket": "every value is different, like an identifier",
    }


def test_training_leaves_out_what_column_info_lists_unless_the_user_names_it(tmp_path):
    table = _integers_table()
    types = training_types(table, None, "y")
    assert types["order_no"] is ColumnType.IGNORE and types["ticket"] is ColumnType.IGNORE
    assert types["income"] is ColumnType.INTEGER
    overrides = tmp_path / "column_info.csv"
    overrides.write_text("column_name,column_type\nticket,integer\n", encoding="utf-8")
    named = training_types(table, overrides, "y")
    assert named["ticket"] is ColumnType.INTEGER and named["order_no"] is ColumnType.IGNORE
