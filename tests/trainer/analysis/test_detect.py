from __future__ import annotations

from services.tabular.column_types import ColumnType
from services.tabular.table import Table
from services.trainer.analysis.detect import detect_types, profile_column

I, F, S, T, D = (ColumnType.INTEGER, ColumnType.FLOAT, ColumnType.STRING, ColumnType.TEXT, ColumnType.DATE)

SENTENCES = [
    "The delivery arrived late and the box was damaged",
    "Great service, I will order again next month",
    "Product works but the manual is hard to read",
    "Refund took three weeks which is far too long",
]


def detected(cells):
    return profile_column("c", cells).detected


def test_integers():
    profile = profile_column("c", ["1", " 2 ", "-3", "NA", "1,000", "4.0"])
    assert profile.detected is I
    assert profile.available == (I, F, S)
    assert profile.data_count == 5
    assert profile.missing_count == 1


def test_floats():
    profile = profile_column("c", ["1.5", "2", "", "1e-3"])
    assert profile.detected is F
    assert profile.available == (F, S)


def test_full_width_numbers_are_numbers():
    assert detected(["１２", "３４"]) is I


def test_dates():
    profile = profile_column("c", ["2020-01-05", "2020/1/6", "2021年3月1日", "null"])
    assert profile.detected is D
    assert profile.available == (S, D)
    assert profile.dates["2020-01-05"] == 1578182400.0


def test_integers_that_read_as_dates_stay_integers_but_may_be_dates():
    profile = profile_column("c", ["20200105", "20211231"])
    assert profile.detected is I
    assert profile.available == (I, F, S, D)


def test_plain_integers_are_not_dates():
    assert profile_column("c", ["1", "2", "3"]).available == (I, F, S)


def test_mixed_numbers_and_words_are_categories():
    profile = profile_column("c", ["red", "12", "blue", "red"])
    assert profile.detected is S
    assert profile.available == (S, T)


def test_long_distinct_sentences_are_text():
    profile = profile_column("c", SENTENCES)
    assert profile.detected is T
    assert profile.available == (S, T)


def test_long_japanese_without_spaces_is_text():
    cells = [
        "配送が遅れて箱が壊れていました。とても残念です",
        "サービスがとても良かったので来月また注文します",
        "取扱説明書が読みにくいですが製品は問題なく動きます",
    ]
    assert detected(cells) is T


def test_repeated_long_labels_are_categories():
    assert detected(SENTENCES[:2] * 5) is S


def test_short_distinct_words_are_categories():
    assert detected(["alpha", "beta", "gamma", "delta"]) is S


def test_all_missing_is_ignore():
    profile = profile_column("c", ["", "NA", " "])
    assert profile.detected is ColumnType.IGNORE
    assert profile.available == ()
    assert profile.data_count == 0


def test_no_rows_is_ignore():
    assert detected([]) is ColumnType.IGNORE


def test_unique_count_reads_values_by_type():
    profile = profile_column("c", ["1", "1.0", "2", "2"])
    assert profile.unique_count(F) == 2
    assert profile.unique_count(S) == 3


def test_detect_types_per_column_in_header_order():
    table = Table(header=("n", "when", "who"), rows=[("1", "2020-01-01", "x"), ("2.5", "2020-02-01", "y")])
    assert detect_types(table) == {"n": F, "when": D, "who": S}
    assert list(detect_types(table)) == ["n", "when", "who"]


def test_detect_types_without_rows():
    table = Table(header=("a", "b"), rows=[])
    assert detect_types(table) == {"a": ColumnType.IGNORE, "b": ColumnType.IGNORE}
