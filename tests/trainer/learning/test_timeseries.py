"""Time-series windows (services.trainer.learning.timeseries): times, grid, windows, the
time-ordered holdout, and above all that no row of the validation period reaches a training
window."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from services.tabular.cells import parse_date
from services.tabular.column_types import ColumnType
from services.tabular.table import Table
from services.tabular.timegrid import unit_index, unit_time
from services.trainer.learning.config import ConfigError, TimeSeriesConfig
from services.trainer.learning.series_grid import detect_interval, detect_unit, parse_times
from services.trainer.learning.timeseries import MIN_LAGS, build_windows, describe, time_ordered_holdout
from services.trainer.learning.timeseries_training import holdout_features

TYPES = {
    "date": ColumnType.DATE,
    "store": ColumnType.STRING,
    "sales": ColumnType.FLOAT,
    "price": ColumnType.FLOAT,
    "weather": ColumnType.STRING,
    "note": ColumnType.TEXT,
    "id": ColumnType.IGNORE,
}
HEADER = ("id", "date", "store", "sales", "price", "weather", "note")


def sales_table(days: int = 120, stores=("A", "B"), seed: int = 0, start=date(2021, 1, 1)) -> Table:
    rng = np.random.default_rng(seed)
    rows = []
    for store_number, store in enumerate(stores):
        for day in range(days):
            moment = start + timedelta(days=day)
            sales = 50 + 10 * store_number + 8 * math.sin(2 * math.pi * moment.weekday() / 7) + rng.normal(0, 1)
            rows.append(
                (
                    str(len(rows)),
                    moment.isoformat(),
                    store,
                    f"{sales:.3f}",
                    f"{rng.uniform(1, 3):.2f}",
                    str(rng.choice(["sun", "rain", "cloud"])),
                    str(rng.choice(["busy day", "quiet day", "sale today"])),
                )
            )
    return Table(HEADER, rows)


def settings(**overrides) -> TimeSeriesConfig:
    values = {"time_column": "date", "window_start": 1, "window_end": 3, "series_column": "store"}
    values.update(overrides)
    return TimeSeriesConfig(**values)


def _window_key(windows, index: int) -> tuple[int, int, int]:
    return (
        int(windows.series_codes[index]),
        int(windows.origin_index[index]),
        int(windows.horizons[index]),
    )


# --- times ---------------------------------------------------------------------------------


def test_parse_times_agrees_with_parse_date():
    cells = [
        "2021-03-05",
        "2021-03-05 14:30",
        "2021-03-05 14:30:15",
        "2021-03-05T14:30",
        "2021-03-05T14:30:15",
        " 2021-03-06 ",
        "２０２１-０３-０７",
        "2021/3/8",
        "20210309",
        "2021年3月10日",
        "2021-03",
        "2021-03-05T14:30:15.250",
        "2021-03-05 10:00+09:00",
        "1999-12-31 23:59:59",
        "2020-02-29",
    ]
    parsed = parse_times(cells, "date")
    assert parsed.tolist() == [parse_date(cell) for cell in cells]
    # A bare year, which parse_date does not read, is the year's first day.
    assert parse_times(["2021", "2022"], "date").tolist() == [
        datetime(2021, 1, 1, tzinfo=UTC).timestamp(),
        datetime(2022, 1, 1, tzinfo=UTC).timestamp(),
    ]
    # An impossible date among ISO cells: parse_date decides, and the row is named.
    with pytest.raises(ConfigError, match=r"data row 2 has '2021-02-30'"):
        parse_times(["2021-02-28", "2021-02-30", "2021-03-01"], "date")
    with pytest.raises(ConfigError, match="'date' is empty in data row 3"):
        parse_times(["2021-02-28", "2021-03-01", ""], "date")
    with pytest.raises(ConfigError, match="data row 1 has 'soon'"):
        parse_times(["soon"], "date")


def test_units_and_their_times():
    moments = np.array([datetime(2021, 3, 31, 13, 45, tzinfo=UTC).timestamp()])
    assert unit_time(unit_index(moments, "day"), "day")[0] == datetime(2021, 3, 31, tzinfo=UTC).timestamp()
    assert unit_time(unit_index(moments, "month"), "month")[0] == datetime(2021, 3, 1, tzinfo=UTC).timestamp()
    assert unit_time(unit_index(moments, "eom"), "eom")[0] == datetime(2021, 3, 31, tzinfo=UTC).timestamp()
    assert unit_time(unit_index(moments, "year"), "year")[0] == datetime(2021, 1, 1, tzinfo=UTC).timestamp()
    assert unit_time(unit_index(moments, "hour"), "hour")[0] == datetime(2021, 3, 31, 13, tzinfo=UTC).timestamp()
    assert (
        unit_index(moments, "month")[0] + 11
        == unit_index(np.array([datetime(2022, 2, 1, tzinfo=UTC).timestamp()]), "month")[0]
    )


def _stamps(values) -> np.ndarray:
    return np.array([datetime(*value, tzinfo=UTC).timestamp() for value in values])


@pytest.mark.parametrize(
    "moments, unit, interval",
    [
        ([(2021, 1, day) for day in range(1, 20)], "day", 1),
        ([(2021, 1, day) for day in range(1, 29, 7)], "day", 7),
        ([(2021, 1, 1, hour) for hour in range(0, 24, 2)], "hour", 2),
        ([(2021, 1, 1, 0, minute) for minute in range(0, 60, 15)], "minute", 15),
        ([(2021, month, 1) for month in range(1, 13)], "month", 1),
        ([(2021, month, 1) for month in range(1, 13, 3)], "month", 3),
        ([(2021, 1, 31), (2021, 2, 28), (2021, 3, 31), (2021, 4, 30)], "eom", 1),
        ([(year, 1, 1) for year in range(2000, 2010)], "year", 1),
    ],
)
def test_unit_and_interval_detection(moments, unit, interval):
    epoch = _stamps(moments)
    codes = np.zeros(len(epoch), dtype=np.int64)
    assert detect_unit(epoch, codes) == unit
    assert detect_interval(unit_index(epoch, unit), codes) == interval


def test_detection_is_per_series():
    # Two daily series a day apart: together the dates are daily too, but a weekly series
    # offset from another must not read as daily.
    first = [(2021, 1, day) for day in range(1, 29, 7)]
    second = [(2021, 1, day) for day in range(2, 29, 7)]
    epoch = _stamps(first + second)
    codes = np.array([0] * len(first) + [1] * len(second))
    assert detect_unit(epoch, codes) == "day"
    assert detect_interval(unit_index(epoch, "day"), codes) == 7


# --- windows -------------------------------------------------------------------------------


def test_windows_of_a_small_series():
    # Daily values 1..12 with day 5 missing and no value on day 8.
    rows = []
    for day in range(1, 13):
        if day == 5:
            continue
        rows.append((f"2021-01-{day:02d}", "" if day == 8 else str(day), str(100 + day)))
    table = Table(("date", "y", "x"), rows)
    types = {"date": ColumnType.DATE, "y": ColumnType.FLOAT, "x": ColumnType.INTEGER}
    windows = build_windows(table, types, "y", TimeSeriesConfig("date", 2, 3, others_known=True, known_exceptions=()))
    assert windows.timeline.unit == "day" and windows.timeline.interval == 1
    assert windows.timeline.horizons == (2, 3)
    assert windows.timeline.lags == min(MIN_LAGS, 12)
    names = [column.name for column in windows.columns]
    assert names[:3] == ["y[t]", "y[t-1]", "y[t-2]"]
    assert names[windows.timeline.lags :] == ["y:window_mean", "y:window_std", "horizon", "target_time", "x[t+h]"]
    by_key = {
        (int(windows.origin_index[i] - windows.origin_index.min()) + 1, int(windows.horizons[i])): i
        for i in range(len(windows))
    }
    # Origin day 4 (no day 5): horizon 2 → day 6, horizon 3 → day 7.
    i = by_key[(4, 2)]
    lags = [windows.tensors[f"w{k}"][i, 0] for k in range(4)]
    assert lags == [4.0, 3.0, 2.0, 1.0]
    assert math.isnan(windows.tensors["w4"][i, 0])  # before the first day
    assert windows.labels[i] == 6.0
    assert windows.tensors[windows.base_input][i, 0] == np.float32(2.5)
    assert windows.tensors["w" + str(names.index("x[t+h]"))][i, 0] == 106.0  # known: day 6's x
    assert windows.tensors["w" + str(names.index("target_time"))][i, 0] == datetime(2021, 1, 6, tzinfo=UTC).timestamp()
    # No origin on day 5 (no row) or day 8 (no value); no label on day 8 or 5.
    assert not {key for key in by_key if key[0] in (5, 8)}
    assert (6, 2) not in by_key and (3, 2) not in by_key  # targets on day 8 and 5
    i = by_key[(9, 2)]  # lags: 9, (8 missing), 7, 6, (5 missing), 4, ...
    values = [windows.tensors[f"w{k}"][i, 0] for k in range(5)]
    assert values[0] == 9.0 and math.isnan(values[1]) and values[2] == 7.0 and math.isnan(values[4])
    assert windows.origin_rows[i] == 7  # day 9 is the 8th data row (day 5 has none)
    assert list(windows.origin_index) == sorted(windows.origin_index)


def test_known_columns_and_exceptions():
    table = sales_table(days=30)
    plain = build_windows(table, TYPES, "sales", settings())
    assert plain.known == () and plain.at_origin == ("price", "weather", "note")
    known = build_windows(table, TYPES, "sales", settings(others_known=True, known_exceptions=("weather",)))
    assert known.known == ("price", "note") and known.at_origin == ("weather",)
    names = [column.name for column in known.columns]
    assert "price[t+h]" in names and "weather[t]" in names and "note[t+h]" in names
    assert "id[t]" not in names and "date[t]" not in names  # ignored, and the time column
    # known_exceptions flips the default when others_known is false.
    flipped = build_windows(table, TYPES, "sales", settings(known_exceptions=("price",)))
    assert flipped.known == ("price",)
    price = flipped.tensors["w" + str([c.name for c in flipped.columns].index("price[t+h]"))].ravel()
    expected = np.array([float(table.rows[row][4]) for row in flipped.label_rows], dtype=np.float32)
    np.testing.assert_array_equal(price, expected)
    assert describe(known, settings(others_known=True, known_exceptions=("weather",)))["known_in_window"] == [
        "price",
        "note",
    ]


def test_interval_and_window_in_time_units():
    # Weekly rows (day unit, interval 7): the window 7..14 days gives horizons 7 and 14.
    rows = [((date(2021, 1, 4) + timedelta(weeks=week)).isoformat(), str(week)) for week in range(40)]
    table = Table(("date", "y"), rows)
    types = {"date": ColumnType.DATE, "y": ColumnType.FLOAT}
    windows = build_windows(table, types, "y", TimeSeriesConfig("date", 7, 14))
    assert (windows.timeline.unit, windows.timeline.interval, windows.timeline.horizons) == ("day", 7, (7, 14))
    assert set(windows.labels - windows.tensors["w0"].ravel()) == {1.0, 2.0}  # one and two weeks on
    with pytest.raises(ConfigError, match="holds no whole number of the data's interval"):
        build_windows(table, types, "y", TimeSeriesConfig("date", 1, 6))
    with pytest.raises(ConfigError, match="not a whole number of intervals"):
        build_windows(table, types, "y", TimeSeriesConfig("date", 14, 14, interval=14, unit="day"))


# --- the time-ordered holdout and leakage --------------------------------------------------


def _perturbed(table: Table, cut_day: date, *, drop: bool) -> Table:
    """Every row from `cut_day` on changed: other target, other columns, some rows gone."""
    rng = np.random.default_rng(99)
    rows = []
    for row in table.rows:
        if date.fromisoformat(row[1]) < cut_day:
            rows.append(row)
            continue
        if drop and rng.random() < 0.3:
            continue
        rows.append(
            (
                row[0],
                row[1],
                row[2],
                "" if rng.random() < 0.1 else f"{rng.normal(1000, 300):.3f}",
                f"{rng.uniform(50, 90):.2f}",
                str(rng.choice(["snow", "storm", "sun"])),
                "never seen words " + str(rng.integers(0, 1000)),
            )
        )
    return Table(table.header, rows)


@pytest.mark.parametrize("others_known", [False, True])
def test_no_row_of_the_validation_period_reaches_a_training_window(others_known):
    table = sales_table(days=150)
    config = settings(window_start=1, window_end=4, others_known=others_known)
    windows = build_windows(table, TYPES, "sales", config)
    holdout = time_ordered_holdout(windows)
    cut = holdout.cut
    day0 = date(1970, 1, 1)
    cut_day = day0 + timedelta(days=cut)

    # The split: validation = origins from the cut on; training = target time before the cut.
    assert len(holdout.valid) and len(holdout.train)
    assert (windows.origin_index[holdout.valid] >= cut).all()
    assert (windows.label_index[holdout.train] < cut).all()
    assert not set(holdout.train) & set(holdout.valid)
    distinct = np.unique(windows.origin_index)
    assert holdout.validation_times == len(distinct[distinct >= cut])
    assert 0.15 <= holdout.validation_times / len(distinct) <= 0.25
    # Every data row a training window reads (origin, lags, target time) is before the cut.
    times = np.array([(date.fromisoformat(row[1]) - day0).days for row in table.rows])
    assert (times[windows.origin_rows[holdout.train]] < cut).all()
    assert (times[windows.label_rows[holdout.train]] < cut).all()

    for drop in (False, True):
        changed = _perturbed(table, cut_day, drop=drop)
        assert changed.rows != table.rows
        other = build_windows(changed, TYPES, "sales", config)
        where = {_window_key(other, index): index for index in range(len(other))}
        mine = holdout.train
        theirs = np.array([where[_window_key(windows, index)] for index in mine])
        np.testing.assert_array_equal(other.labels[theirs], windows.labels[mine])
        for column, their_column in zip(windows.columns, other.columns):
            assert column == their_column
            np.testing.assert_array_equal(
                other.tensors[their_column.input_name][theirs], windows.tensors[column.input_name][mine]
            )
        other_holdout = time_ordered_holdout(other)
        assert (other.label_index[other_holdout.train] < other_holdout.cut).all()
        if not drop:
            # Same rows, other values after the cut: the same split, and the feature matrix the
            # training windows learn from (categories and vocabularies fitted on them) is equal.
            assert other_holdout.cut == cut
            np.testing.assert_array_equal(other_holdout.train, holdout.train)
            plan, features = holdout_features(windows, holdout)
            other_plan, other_features = holdout_features(other, other_holdout)
            assert other_plan.columns == plan.columns
            np.testing.assert_array_equal(other_features[other_holdout.train], features[holdout.train])


def test_holdout_needs_history():
    table = sales_table(days=10, stores=("A",))
    windows = build_windows(table, TYPES, "sales", settings(window_start=3, window_end=6))
    with pytest.raises(ConfigError, match="not enough history for the window 3..6 day"):
        time_ordered_holdout(windows)


# --- settings that do not fit the data -----------------------------------------------------


def _error(table: Table, message: str, **overrides) -> None:
    with pytest.raises(ConfigError, match=message):
        build_windows(table, TYPES, "sales", settings(**overrides))


def test_config_errors_name_the_problem():
    table = sales_table(days=20)
    _error(table, r"time column \(time_column\) 'when' is not in the data", time_column="when")
    _error(table, r"series column \(series_column\) 'shop' is not in the data", series_column="shop")
    _error(
        table,
        "known_exceptions names columns the data lacks: 'humidity'",
        others_known=True,
        known_exceptions=("humidity",),
    )
    _error(table, "not enough history for the window", window_start=30, window_end=31)

    rows = list(table.rows)
    rows[6] = rows[6][:1] + ("next tuesday",) + rows[6][2:]
    _error(Table(table.header, rows), r"'date' must hold a date or time in every row; data row 7 has 'next tuesday'")

    rows = list(table.rows)
    rows[4] = rows[4][:1] + (rows[3][1],) + rows[4][2:]  # row 5 repeats row 4's day in store A
    _error(Table(table.header, rows), r"data rows 4 and 5 fall on the same time of series 'A'")
    # Without a series column the two stores' rows collide.
    with pytest.raises(ConfigError, match="data rows 1 and 21 fall on the same time"):
        build_windows(table, TYPES, "sales", settings(series_column=""))

    rows = list(table.rows)
    rows[2] = rows[2][:2] + ("",) + rows[2][3:]
    _error(Table(table.header, rows), "series column 'store' is empty in data row 3")

    rows = list(table.rows)
    rows[9] = rows[9][:3] + ("many",) + rows[9][4:]
    _error(Table(table.header, rows), "regression needs a number in every row of 'sales'; data row 10 has 'many'")
    # Month unit on daily data: several rows per month.
    _error(table, "fall on the same time", unit="month")


def test_config_needs_regression_and_a_sensible_window():
    from services.tabular.schema import ProblemType
    from services.trainer.learning.config import TrainingConfig

    with pytest.raises(ConfigError, match="needs problem_type = regression"):
        TrainingConfig("sales", ProblemType.MULTI_CLASSIFICATION, time_series=settings())
    with pytest.raises(ConfigError, match="window end"):
        settings(window_start=3, window_end=2)
    with pytest.raises(ConfigError, match="window start"):
        settings(window_start=0)
    with pytest.raises(ConfigError, match="time unit"):
        settings(unit="week")
    with pytest.raises(ConfigError, match="is the target column"):
        TrainingConfig("date", ProblemType.REGRESSION, time_series=settings())
