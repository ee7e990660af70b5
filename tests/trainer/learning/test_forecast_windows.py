"""A time-series model's forecast windows (services.tabular.forecast), built from the rows a
caller sends, against the training windows (services.trainer.learning.timeseries.build_windows):
the same series, origin and horizon must give the same tensors, so serving reads what training
read; and the errors a caller gets for rows that cannot make a forecast."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import numpy as np
import pytest

from services.tabular.forecast import Forecast, ForecastError, forecast_windows, is_time_series
from services.tabular.predictor import TabularPredictor
from services.tabular.schema import ProblemType, TabularSchema
from services.tabular.table import Table
from services.tabular.tensors import MissingColumnsError
from services.tabular.timegrid import parse_times, unit_index
from services.trainer.learning.export import schema_from_json
from services.trainer.learning.pipeline import train_model
from services.trainer.learning.timeseries import Windows, build_windows, describe
from tests.trainer.learning.test_timeseries import TYPES, sales_table, settings
from tests.trainer.learning.test_timeseries_training import TYPES as DAILY_TYPES
from tests.trainer.learning.test_timeseries_training import daily_sales, series_config

# HEADER of test_timeseries: ("id", "date", "store", "sales", "price", "weather", "note")
DATE, STORE, SALES = 1, 2, 3
# price and note are known in the window (price[t+h], note[t+h]); weather is read at the origin.
KNOWN = settings(others_known=True, known_exceptions=("weather",))
ORIGIN = date(2021, 3, 1)  # day 59 of sales_table's 120


def _schema(windows: Windows, config) -> TabularSchema:
    return TabularSchema(
        problem_type=ProblemType.REGRESSION,
        target_column="sales",
        columns=windows.columns,
        time_series=describe(windows, config),
    )


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _day_index(day: date) -> int:
    return int(unit_index(parse_times([day.isoformat()], "date"), "day")[0])


def _request(table: Table, origin: date, ahead: int, *, since: date | None = None) -> list[tuple[str, ...]]:
    """The rows up to `origin` (from `since`), then those of the `ahead` days after it with
    their target emptied, as a caller who knows the future's other columns sends them."""
    rows = []
    for row in table.rows:
        day = _day(row[DATE])
        if since is not None and day < since:
            continue
        if day <= origin:
            rows.append(tuple(row))
        elif day <= origin + timedelta(days=ahead):
            rows.append(tuple(row[:SALES]) + ("",) + tuple(row[SALES + 1 :]))
    return rows


def _training_index(windows: Windows, series: str, origin: date, horizon: int) -> int:
    code = windows.series.index(series)
    (index,) = np.flatnonzero(
        (windows.series_codes == code) & (windows.origin_index == _day_index(origin)) & (windows.horizons == horizon)
    )
    return int(index)


def _assert_same_window(forecast: Forecast, at: int, windows: Windows, index: int) -> None:
    assert set(forecast.tensors) == set(windows.tensors)
    for name, served in forecast.tensors.items():
        trained = windows.tensors[name]
        assert served.shape == (len(forecast), 1), name
        assert served.dtype == trained.dtype, name
        if served.dtype == object:
            assert served[at, 0] == trained[index, 0], name
            assert isinstance(served[at, 0], str), name
        else:
            np.testing.assert_array_equal(served[at], trained[index], err_msg=name)


@pytest.fixture(scope="module")
def known_windows():
    table = sales_table()
    windows = build_windows(table, TYPES, "sales", KNOWN)
    return table, windows, _schema(windows, KNOWN)


def _column(schema: TabularSchema, name: str) -> str:
    (input_name,) = [column.input_name for column in schema.columns if column.name == name]
    return input_name


# --- agreement with training ---------------------------------------------------------------


def test_a_forecast_reads_what_training_read_at_the_same_origin(known_windows):
    table, windows, schema = known_windows
    assert is_time_series(schema)
    names = [column.name for column in schema.columns]
    # Both ways of reading another column, and a STRING and a TEXT column among them.
    assert {"price[t+h]", "weather[t]", "note[t+h]", "store"} <= set(names)
    assert schema.time_series["known_in_window"] == ["price", "note"]
    assert schema.time_series["at_origin"] == ["weather"]
    lags = schema.time_series["lags"]
    assert lags == 8 and schema.time_series["horizons"] == [1, 2, 3]

    rows = _request(table, ORIGIN, 3)
    random.Random(5).shuffle(rows)  # the forecast must not depend on the row order
    forecast = forecast_windows(schema, table.header, rows)

    assert len(forecast) == 6
    assert set(forecast.series[:3]) == {forecast.series[0]} and set(forecast.series) == {"A", "B"}
    assert forecast.series[0] == rows[0][STORE]  # series in order of first appearance
    assert forecast.horizons == (1, 2, 3, 1, 2, 3)
    assert forecast.target_times == ("2021-03-02", "2021-03-03", "2021-03-04") * 2
    for at, (series, horizon) in enumerate(zip(forecast.series, forecast.horizons)):
        origin_row = rows[forecast.origin_rows[at]]
        assert (origin_row[DATE], origin_row[STORE]) == (ORIGIN.isoformat(), series)
        index = _training_index(windows, series, ORIGIN, horizon)
        _assert_same_window(forecast, at, windows, index)
        # The training window's origin is the same data row, and it is what we sent.
        assert tuple(table.rows[windows.origin_rows[index]]) == origin_row

    # The tensors really hold the rows they should: lags from the history, known columns from
    # the row at t + h, the origin's columns from the row at t.
    by_key = {(row[STORE], _day(row[DATE])): row for row in table.rows}
    for at, (series, horizon) in enumerate(zip(forecast.series, forecast.horizons)):
        for k in range(lags):
            cell = by_key[(series, ORIGIN - timedelta(days=k))][SALES]
            name = "sales[t]" if k == 0 else f"sales[t-{k}]"
            assert forecast.tensors[_column(schema, name)][at, 0] == np.float32(cell)
        future = by_key[(series, ORIGIN + timedelta(days=horizon))]
        origin = by_key[(series, ORIGIN)]
        assert forecast.tensors[_column(schema, "price[t+h]")][at, 0] == np.float32(future[4])
        assert forecast.tensors[_column(schema, "note[t+h]")][at, 0] == future[6]
        assert forecast.tensors[_column(schema, "weather[t]")][at, 0] == origin[5]
        assert forecast.tensors[_column(schema, "horizon")][at, 0] == horizon


def test_the_forecast_does_not_depend_on_row_order(known_windows):
    table, _, schema = known_windows
    rows = _request(table, ORIGIN, 3)
    ordered = forecast_windows(schema, table.header, rows)
    reversed_rows = rows[::-1]
    backwards = forecast_windows(schema, table.header, reversed_rows)
    assert ordered.series == ("A",) * 3 + ("B",) * 3
    assert backwards.series == ("B",) * 3 + ("A",) * 3
    for at in range(6):
        other = (at + 3) % 6
        assert rows[ordered.origin_rows[at]] == reversed_rows[backwards.origin_rows[other]]
        for name, tensor in ordered.tensors.items():
            np.testing.assert_array_equal(tensor[at], backwards.tensors[name][other], err_msg=name)


def test_the_latest_row_with_a_value_is_the_origin_and_extra_columns_are_ignored(known_windows):
    """Rows past the origin without a target do not move it; columns the model does not read,
    in any position, do not matter."""
    table, windows, schema = known_windows
    header = ("extra", *reversed(table.header))
    rows = [("x", *reversed(row)) for row in _request(table, ORIGIN, 3)]
    forecast = forecast_windows(schema, header, rows)
    for at, (series, horizon) in enumerate(zip(forecast.series, forecast.horizons)):
        assert rows[forecast.origin_rows[at]][-1 - DATE] == ORIGIN.isoformat()
        _assert_same_window(forecast, at, windows, _training_index(windows, series, ORIGIN, horizon))


def _every_other_day(days: int) -> tuple[Table, Windows, TabularSchema]:
    """A table of every other day, so the model's interval is 2 days, with horizons 2 and 4."""
    full = sales_table(days=days)
    table = Table(full.header, [row for row in full.rows if (_day(row[DATE]) - date(2021, 1, 1)).days % 2 == 0])
    config = settings(window_end=4)
    windows = build_windows(table, TYPES, "sales", config)
    return table, windows, _schema(windows, config)


def test_every_other_day_agrees_with_training_too():
    table, windows, schema = _every_other_day(80)
    assert schema.time_series["interval"] == 2 and schema.time_series["horizons"] == [2, 4]
    origin = date(2021, 2, 10)  # day 40
    forecast = forecast_windows(schema, table.header, _request(table, origin, 0))
    assert forecast.horizons == (2, 4, 2, 4)
    assert forecast.target_times == ("2021-02-12", "2021-02-14") * 2
    for at, (series, horizon) in enumerate(zip(forecast.series, forecast.horizons)):
        _assert_same_window(forecast, at, windows, _training_index(windows, series, origin, horizon))


# --- missing history and future rows --------------------------------------------------------


def test_missing_lags_are_nan_and_the_window_statistics_leave_them_out(known_windows):
    table, _, schema = known_windows
    lags = schema.time_series["lags"]
    rows = _request(table, ORIGIN, 3, since=ORIGIN - timedelta(days=2))  # 3 days of history
    forecast = forecast_windows(schema, table.header, rows)
    assert len(forecast) == 6
    lag_names = [_column(schema, "sales[t]")] + [_column(schema, f"sales[t-{k}]") for k in range(1, lags)]
    matrix = np.hstack([forecast.tensors[name] for name in lag_names])
    by_key = {(row[STORE], _day(row[DATE])): row[SALES] for row in table.rows}
    for at, series in enumerate(forecast.series):
        expected = [np.float32(by_key[(series, ORIGIN - timedelta(days=k))]) for k in range(3)]
        assert matrix[at, :3].tolist() == expected
        assert np.isnan(matrix[at, 3:]).all()
        mean = forecast.tensors[_column(schema, "sales:window_mean")][at, 0]
        spread = forecast.tensors[_column(schema, "sales:window_std")][at, 0]
        present = np.array(expected, dtype=np.float64)
        assert mean == pytest.approx(present.mean(), rel=1e-6)
        assert spread == pytest.approx(present.std(), rel=1e-5)


def test_a_gap_in_the_history_is_a_missing_lag_not_a_shift(known_windows):
    table, _, schema = known_windows
    gap = ORIGIN - timedelta(days=1)
    rows = [row for row in _request(table, ORIGIN, 3) if not (row[STORE] == "A" and _day(row[DATE]) == gap)]
    forecast = forecast_windows(schema, table.header, rows)
    by_key = {(row[STORE], _day(row[DATE])): row[SALES] for row in table.rows}
    first = forecast.series.index("A")
    assert np.isnan(forecast.tensors[_column(schema, "sales[t-1]")][first, 0])
    assert forecast.tensors[_column(schema, "sales[t]")][first, 0] == np.float32(by_key[("A", ORIGIN)])
    assert forecast.tensors[_column(schema, "sales[t-2]")][first, 0] == np.float32(
        by_key[("A", ORIGIN - timedelta(days=2))]
    )
    other = forecast.series.index("B")
    assert forecast.tensors[_column(schema, "sales[t-1]")][other, 0] == np.float32(by_key[("B", gap)])


def test_without_future_rows_known_columns_are_missing_and_origin_columns_are_read(known_windows):
    table, _, schema = known_windows
    rows = _request(table, ORIGIN, 0)
    forecast = forecast_windows(schema, table.header, rows)
    assert forecast.target_times == ("2021-03-02", "2021-03-03", "2021-03-04") * 2
    price = forecast.tensors[_column(schema, "price[t+h]")]
    note = forecast.tensors[_column(schema, "note[t+h]")]
    weather = forecast.tensors[_column(schema, "weather[t]")]
    assert price.dtype == np.float32 and np.isnan(price).all()
    assert note.dtype == object and note.ravel().tolist() == [""] * 6
    origin = {row[STORE]: row for row in rows if _day(row[DATE]) == ORIGIN}
    assert weather.ravel().tolist() == [origin[series][5] for series in forecast.series]
    assert all(cell in ("sun", "rain", "cloud") for cell in weather.ravel())

    # Only the day after sent: horizon 1 reads it, horizons 2 and 3 stay missing.
    one_ahead = _request(table, ORIGIN, 1)
    forecast = forecast_windows(schema, table.header, one_ahead)
    future = {row[STORE]: row for row in one_ahead if _day(row[DATE]) == ORIGIN + timedelta(days=1)}
    price = forecast.tensors[_column(schema, "price[t+h]")].ravel()
    note = forecast.tensors[_column(schema, "note[t+h]")].ravel()
    for at, (series, horizon) in enumerate(zip(forecast.series, forecast.horizons)):
        if horizon == 1:
            assert price[at] == np.float32(future[series][4]) and note[at] == future[series][6]
        else:
            assert np.isnan(price[at]) and note[at] == ""


def test_at_origin_columns_come_from_the_origin_row_not_the_latest_row(known_windows):
    """A future row (empty target) of an at-origin column is not read: weather[t] is the
    origin's, even when the caller sends later rows with another weather."""
    table, _, schema = known_windows
    rows = [row if row[SALES] else (*row[:5], "snow", row[6]) for row in _request(table, ORIGIN, 3)]
    forecast = forecast_windows(schema, table.header, rows)
    weather = forecast.tensors[_column(schema, "weather[t]")].ravel().tolist()
    assert "snow" not in weather
    assert weather == [rows[row][5] for row in forecast.origin_rows]


# --- errors ---------------------------------------------------------------------------------


def _drop_column(header, rows, name):
    position = list(header).index(name)
    return (
        tuple(cell for index, cell in enumerate(header) if index != position),
        [tuple(cell for index, cell in enumerate(row) if index != position) for row in rows],
    )


def _with_cell(rows, row_index, column, value):
    changed = list(rows)
    row = list(changed[row_index])
    row[column] = value
    changed[row_index] = tuple(row)
    return changed


def test_a_missing_column_is_named(known_windows):
    table, _, schema = known_windows
    rows = _request(table, ORIGIN, 3)
    for name in ("price", "weather", "date", "store", "sales"):
        header, trimmed = _drop_column(table.header, rows, name)
        with pytest.raises(MissingColumnsError, match=f"'{name}'") as caught:
            forecast_windows(schema, header, trimmed)
        assert caught.value.missing == (name,)
    # The ignored id column is not needed.
    header, trimmed = _drop_column(table.header, rows, "id")
    assert len(forecast_windows(schema, header, trimmed)) == 6


def test_two_rows_of_a_series_at_one_time_are_refused(known_windows):
    table, _, schema = known_windows
    rows = _request(table, ORIGIN, 3, since=ORIGIN - timedelta(days=5))
    duplicate = next(row for row in rows if row[STORE] == "B" and _day(row[DATE]) == ORIGIN - timedelta(days=2))
    rows.append(duplicate)
    with pytest.raises(ForecastError, match=rf"data rows \d+ and {len(rows)} fall on the same time of series 'B'"):
        forecast_windows(schema, table.header, rows)
    # The same date in another series is fine.
    rows = _request(table, ORIGIN, 3, since=ORIGIN - timedelta(days=5))
    assert len(forecast_windows(schema, table.header, rows)) == 6


def test_a_series_without_a_target_value_is_refused(known_windows):
    table, _, schema = known_windows
    rows = _request(table, ORIGIN, 3, since=ORIGIN - timedelta(days=5))
    rows.append(("999", ORIGIN.isoformat(), "C", "", "2.00", "sun", "busy day"))
    with pytest.raises(ForecastError, match="series 'C' has no row with a value of 'sales'"):
        forecast_windows(schema, table.header, rows)


def test_a_bad_time_cell_is_refused_with_its_row(known_windows):
    table, _, schema = known_windows
    rows = _request(table, ORIGIN, 3, since=ORIGIN - timedelta(days=5))
    with pytest.raises(ForecastError, match="data row 3 has 'soon'"):
        forecast_windows(schema, table.header, _with_cell(rows, 2, DATE, "soon"))
    with pytest.raises(ForecastError, match="'date' is empty in data row 4"):
        forecast_windows(schema, table.header, _with_cell(rows, 3, DATE, ""))


def test_a_target_that_is_not_a_number_is_refused(known_windows):
    table, _, schema = known_windows
    rows = _request(table, ORIGIN, 3, since=ORIGIN - timedelta(days=5))
    with pytest.raises(ForecastError, match="needs a number in every row of 'sales'; data row 2 has 'lots'"):
        forecast_windows(schema, table.header, _with_cell(rows, 1, SALES, "lots"))


def test_an_empty_series_cell_is_refused(known_windows):
    table, _, schema = known_windows
    rows = _request(table, ORIGIN, 3, since=ORIGIN - timedelta(days=5))
    with pytest.raises(ForecastError, match="the series column 'store' is empty in data row 5"):
        forecast_windows(schema, table.header, _with_cell(rows, 4, STORE, " "))


def test_a_row_off_the_models_grid_is_refused():
    full = sales_table(days=60)
    table, _, schema = _every_other_day(60)
    assert schema.time_series["interval"] == 2
    origin = date(2021, 2, 10)
    rows = _request(table, origin, 4)
    assert len(forecast_windows(schema, table.header, rows)) == 4
    # A history row one day off the grid of its series' origin.
    odd = next(row for row in full.rows if row[STORE] == "A" and _day(row[DATE]) == origin - timedelta(days=3))
    off_grid = rf"data row {len(rows) + 1} \('2021-02-07'\) is not a whole number of the model's interval \(2 day\)"
    with pytest.raises(ForecastError, match=off_grid):
        forecast_windows(schema, table.header, [*rows, tuple(odd)])
    # A future row (no target) off the grid, too.
    future = (*full.rows[0][:DATE], (origin + timedelta(days=1)).isoformat(), "B", "", "2.00", "sun", "busy day")
    with pytest.raises(ForecastError, match="'2021-02-11'.* is not a whole number"):
        forecast_windows(schema, table.header, [*rows, future])


# --- a trained model ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def daily_model():
    table = daily_sales(years=1)
    config = series_config(series={"others_known": True}, time_budget_s=1.0)
    outcome, onnx_bytes = train_model(table, DAILY_TYPES, config)
    return table, config, outcome, onnx_bytes


def test_a_forecast_of_a_trained_model_matches_training_and_its_reasons_sum(daily_model):
    table, config, outcome, onnx_bytes = daily_model
    predictor = TabularPredictor(onnx_bytes)
    schema = schema_from_json(json.dumps(predictor.schema))
    assert schema == outcome.schema
    layout = schema.time_series
    assert layout["known_in_window"] == ["promo"] and layout["horizons"] == [1, 2, 3]

    last = max(_day(row[0]) for row in table.rows)
    origin = last - timedelta(days=5)
    rows = []
    for row in table.rows:
        day = _day(row[0])
        if origin - timedelta(days=59) <= day <= origin:
            rows.append(tuple(row))
        elif origin < day <= origin + timedelta(days=3):
            rows.append((row[0], row[1], "", row[3]))  # the planned promotion, no sales yet
    random.Random(1).shuffle(rows)
    forecast = forecast_windows(schema, table.header, rows)
    assert len(forecast) == 6 and set(forecast.series) == {"A", "B"}

    answer = predictor.predict(forecast.tensors, contributions=True)
    prediction = answer["prediction"][:, 0].astype(np.float64)
    reasons = answer["contributions"].astype(np.float64)
    assert reasons.shape == (6, len(schema.columns) + 1)
    np.testing.assert_allclose(reasons.sum(axis=1), prediction, rtol=1e-3)
    # The window mean is a reason of its own, worth about its value: the trees only add the
    # weekly pattern, the promotion and noise around it.
    offset = [column.input_name for column in schema.columns].index(layout["offset_input"])
    mean = forecast.tensors[layout["offset_input"]].ravel().astype(np.float64)
    assert np.all(np.abs(reasons[:, offset] - mean) < 0.2 * np.abs(prediction))
    assert np.all(np.abs(prediction - mean) < 0.5 * np.abs(prediction))

    # The same windows at training: the same predictions.
    windows = build_windows(table, DAILY_TYPES, "sales", config.time_series)
    indices = [
        _training_index(windows, series, origin, horizon) for series, horizon in zip(forecast.series, forecast.horizons)
    ]
    for at, index in enumerate(indices):
        _assert_same_window(forecast, at, windows, index)
    trained = predictor.predict(windows.take(np.array(indices)))["prediction"][:, 0]
    np.testing.assert_allclose(prediction, trained, rtol=1e-5, atol=1e-5)
    # And the forecast is a fair one: within the noise (sd 2) and promotion effect of the truth.
    np.testing.assert_allclose(prediction, windows.labels[indices], atol=12)
