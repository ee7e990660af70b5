"""Time-series mode end to end: Table → train_model → ONNX over window inputs, its figures, and
forecasts of series whose future is a function of their past."""

from __future__ import annotations

import json
import math
from datetime import date, timedelta

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from services.tabular import predictor
from services.tabular.column_types import ColumnType
from services.tabular.predictor import TabularPredictor
from services.tabular.schema import ProblemType
from services.tabular.table import Table
from services.trainer.jobs.protocol import JobSpec
from services.trainer.jobs.training_inputs import training_config
from services.trainer.learning.config import ConfigError, TimeSeriesConfig, TrainingConfig
from services.trainer.learning.export import schema_from_json, schema_to_json
from services.trainer.learning.pipeline import train_model
from services.trainer.learning.timeseries import build_windows, time_ordered_holdout
from services.trainer.tabular_proto import config_to_dict
from torii.v1 import tabular_pb2

REGRESSION = ProblemType.REGRESSION
TYPES = {"date": ColumnType.DATE, "store": ColumnType.STRING, "sales": ColumnType.FLOAT, "promo": ColumnType.INTEGER}


def daily_sales(years: int = 3, seed: int = 0, stores=("A", "B")) -> Table:
    """Weekly seasonality, a trend, a promotion effect and noise (sd 2), per store."""
    rng = np.random.default_rng(seed)
    rows = []
    for number, store in enumerate(stores):
        for day in range(365 * years + 1):
            moment = date(2020, 1, 1) + timedelta(days=day)
            promo = int(rng.random() < 0.2)
            sales = (
                100
                + 20 * number
                + 10 * math.sin(2 * math.pi * moment.weekday() / 7)
                + 0.05 * day
                + 15 * promo
                + rng.normal(0, 2)
            )
            rows.append((moment.isoformat(), store, f"{sales:.2f}", str(promo)))
    return Table(("date", "store", "sales", "promo"), rows)


def series_config(**overrides) -> TrainingConfig:
    values = {"time_column": "date", "window_start": 1, "window_end": 3, "series_column": "store"}
    values.update(overrides.pop("series", {}))
    return TrainingConfig("sales", REGRESSION, time_series=TimeSeriesConfig(**values), **overrides)


@pytest.fixture(scope="module")
def sales_model():
    table = daily_sales()
    config = series_config(series={"others_known": True})
    outcome, onnx_bytes = train_model(table, TYPES, config)
    return table, config, outcome, onnx_bytes


def test_two_stores_three_years_train_in_seconds(sales_model):
    table, config, outcome, _ = sales_model
    assert len(table.rows) == 2 * 1096
    assert outcome.training_seconds < 30  # under 1 s on two idle cores; generous for busy CI
    assert set(outcome.metrics) == {"rmse", "mae", "r2"}
    # Noise sd 2 and promotions (+15, known in the window): far better than the last value.
    windows = build_windows(table, TYPES, "sales", config.time_series)
    valid = time_ordered_holdout(windows).valid
    naive = math.sqrt(np.mean((windows.tensors["w0"].ravel()[valid] - windows.labels[valid]) ** 2))
    assert outcome.metrics["rmse"] < 3.5 < naive / 2
    assert outcome.metrics["r2"] > 0.9


def test_the_holdout_is_time_ordered_and_reported(sales_model):
    table, config, outcome, _ = sales_model
    windows = build_windows(table, TYPES, "sales", config.time_series)
    holdout = time_ordered_holdout(windows)
    assert outcome.validation.startswith("time-ordered holdout")
    assert len(outcome.out_of_fold) == len(holdout.valid)
    assert outcome.training_rows == len(windows)
    parameters = outcome.chosen_parameters["time_series"]
    cutoff = date.fromisoformat(parameters["validation_from"])
    assert parameters["horizons"] == [1, 2, 3] and parameters["unit"] == "day" and parameters["interval"] == 1
    assert parameters["training_windows"] == len(holdout.train)
    # Out-of-fold rows: the origin's data row, the actual target at t+h, time ordered.
    origins = [date.fromisoformat(table.rows[row.row_number - 1][0]) for row in outcome.out_of_fold]
    assert min(origins) == cutoff and origins == sorted(origins)
    all_days = sorted({date.fromisoformat(row[0]) for row in table.rows})
    assert cutoff > all_days[int(0.75 * len(all_days))]
    for row, index in zip(outcome.out_of_fold, holdout.valid):
        assert row.row_number == windows.origin_rows[index] + 1
        assert row.actual == table.rows[windows.label_rows[index]][2]
    actual = np.array([float(row.actual) for row in outcome.out_of_fold])
    predicted = np.array([float(row.predicted) for row in outcome.out_of_fold])
    assert math.sqrt(np.mean((actual - predicted) ** 2)) == pytest.approx(outcome.metrics["rmse"], rel=1e-6)


def test_importance_by_feature_group(sales_model):
    _, _, outcome, _ = sales_model
    shares = {item.column: item.share for item in outcome.importance}
    assert set(shares) == {"lags", "calendar", "horizon", "store", "promo"}
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["promo"] > 0.05  # known in the window: the promotion at t+h matters


def test_onnx_model_reads_window_columns(sales_model):
    table, config, outcome, onnx_bytes = sales_model
    model = onnx.load_from_string(onnx_bytes)
    schema = outcome.schema
    inputs = {value.name: value for value in model.graph.input}
    assert (
        list(inputs)
        == [column.input_name for column in schema.columns]
        == [f"w{i}" for i in range(len(schema.columns))]
    )
    lags = schema.time_series["lags"]
    names = [column.name for column in schema.columns]
    assert names[:2] == ["sales[t]", "sales[t-1]"] and names[lags:] == [
        "sales:window_mean",
        "sales:window_std",
        "horizon",
        "target_time",
        "store",
        "promo[t+h]",
    ]
    assert [output.name for output in model.graph.output] == ["prediction", "features"]
    assert inputs["w0"].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert inputs["w0"].type.tensor_type.shape.dim[0].dim_param == "batch"

    # The schema says it is a time-series model, and survives its JSON form.
    metadata = {entry.key: entry.value for entry in model.metadata_props}
    stored = schema_from_json(metadata[predictor.METADATA_SCHEMA])
    assert stored == schema == schema_from_json(schema_to_json(schema))
    assert stored.time_series["time_column"] == "date" and stored.time_series["series_column"] == "store"
    assert stored.time_series["unit"] == "day" and stored.time_series["window_end"] == 3
    assert stored.time_series["known_in_window"] == ["promo"]
    assert len(json.loads(metadata[predictor.METADATA_FEATURES])["names"]) == 5 + lags + 3 + 1 + 1

    # Served: the embedded booster plus the window mean, on windows of other data.
    windows = build_windows(daily_sales(years=1, seed=7), TYPES, "sales", config.time_series)
    served = TabularPredictor(onnx_bytes)
    answer = served.predict(windows.tensors, contributions=True)
    prediction = answer["prediction"]
    assert prediction.shape == (len(windows), 1)
    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    features = session.run([predictor.FEATURES_OUTPUT], dict(windows.tensors))[0]
    native = served.booster.predict(features) + windows.base.astype(np.float64)
    np.testing.assert_allclose(prediction[:, 0], native, rtol=1e-5, atol=1e-5)
    assert answer["contributions"].shape == (len(windows), len(schema.columns) + 1)
    assert math.sqrt(np.mean((prediction[:, 0] - windows.labels) ** 2)) < 4.0


def _trend(days: int, slope: dict[str, float]) -> Table:
    rows = []
    for store, step in slope.items():
        value = 10.0
        for day in range(days):
            rows.append(((date(2022, 1, 1) + timedelta(days=day)).isoformat(), store, repr(value), "0"))
            value += step  # y[t] = y[t-1] + step
    return Table(("date", "store", "sales", "promo"), rows)


def test_a_trend_is_forecast_beyond_the_targets_seen_in_training():
    table = _trend(300, {"A": 1.0, "B": 2.5})
    outcome, _ = train_model(table, TYPES, series_config(time_budget_s=1.0))
    # The validation targets all exceed every training target: trees alone would flatten out.
    assert outcome.metrics["rmse"] < 0.5
    assert outcome.metrics["r2"] > 0.999


def test_a_seasonal_pattern_is_forecast():
    rows = []
    for store, level in (("A", 50.0), ("B", 80.0)):
        for day in range(400):
            value = level + 10 * math.sin(2 * math.pi * day / 7) + 4 * math.cos(2 * math.pi * day / 30.5)
            rows.append(((date(2022, 1, 1) + timedelta(days=day)).isoformat(), store, f"{value:.4f}", "0"))
    table = Table(("date", "store", "sales", "promo"), rows)
    outcome, _ = train_model(
        table, TYPES, series_config(series={"window_start": 2, "window_end": 5}, time_budget_s=1.0)
    )
    assert outcome.metrics["rmse"] < 1.0  # amplitude 10 + 4
    assert outcome.metrics["r2"] > 0.98


def test_monthly_series_without_a_series_column():
    rows = []
    for month in range(72):
        year, month_of_year = 2015 + month // 12, month % 12 + 1
        value = 200 + 3 * month + 25 * math.sin(2 * math.pi * month_of_year / 12)
        rows.append((f"{year}-{month_of_year:02d}-01", f"{value:.3f}"))
    table = Table(("date", "sales"), rows)
    config = TrainingConfig("sales", REGRESSION, time_budget_s=1.0, time_series=TimeSeriesConfig("date", 1, 2))
    outcome, onnx_bytes = train_model(table, {"date": ColumnType.DATE, "sales": ColumnType.FLOAT}, config)
    assert outcome.schema.time_series["unit"] == "month"
    assert "store" not in {item.column for item in outcome.importance}
    assert outcome.metrics["rmse"] < 15


def test_evaluation_data_is_refused_in_time_series_mode():
    table = daily_sales(years=1)
    with pytest.raises(ConfigError, match="evaluation data set cannot be used in time-series mode"):
        train_model(table, TYPES, series_config(), evaluation=table)


def test_job_config_maps_to_time_series_settings():
    message = tabular_pb2.TrainingConfig(
        target_column="sales",
        problem_type=tabular_pb2.PROBLEM_TYPE_REGRESSION,
        time_series=tabular_pb2.TimeSeriesConfig(
            enabled=True,
            time_column="date",
            time_unit="day",
            window_start=1,
            window_end=3,
            series_column="store",
            others_known=True,
            known_exceptions=["weather"],
        ),
    )
    spec = JobSpec(
        learn_path="",
        learn_extension="csv",
        config=config_to_dict(message),
        model_name="m",
        output_dir="",
        time_budget_s=4.0,
        num_threads=1,
        nice=0,
    )
    config = training_config(spec)
    assert config.time_series == TimeSeriesConfig(
        "date", 1, 3, unit="day", series_column="store", others_known=True, known_exceptions=("weather",)
    )
    assert config.time_budget_s == 4.0
    plain = tabular_pb2.TrainingConfig(target_column="y", problem_type=tabular_pb2.PROBLEM_TYPE_REGRESSION)
    assert training_config(JobSpec("", "csv", config_to_dict(plain), "m", "", 4.0, 1, 0)).time_series is None
