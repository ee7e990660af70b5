"""Time-series mode and the evaluation data set over HTTP, against the real registry and trainer:
upload, train, poll, download the result zip and read what it says about the validation."""

from __future__ import annotations

import csv
import io
import math
import zipfile
from datetime import date, timedelta

import numpy as np
import pytest

from tests.prediction_one.conftest import PREFIX
from tests.urls import path_of


def daily_sales_csv(days: int = 400, seed: int = 0) -> bytes:
    """Two stores, one row per store and day: weekly seasonality, a trend and noise."""
    rng = np.random.default_rng(seed)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["date", "store", "price", "sales"])
    for number, store in enumerate(("Shibuya", "Umeda")):
        for day in range(days):
            moment = date(2023, 1, 1) + timedelta(days=day)
            price = round(float(rng.uniform(90, 110)), 1)
            sales = 200 + 40 * number + 25 * math.sin(2 * math.pi * moment.weekday() / 7) + 0.1 * day
            writer.writerow([moment.isoformat(), store, price, f"{sales + rng.normal(0, 3):.1f}"])
    return buffer.getvalue().encode("utf-8")


def _table(archive: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))


async def _result_zip(platform, key: str, process_id: str) -> zipfile.ZipFile:
    result = await platform.wait_for_result(key, process_id)
    assert result["status"] == "finished", result
    response = await platform.client.get(path_of(result["result_url"]))
    assert response.status == 200, await response.text()
    return zipfile.ZipFile(io.BytesIO(await response.read()))


async def test_time_series_training_over_http(training_platform):
    platform = training_platform
    key = await platform.api_key("train")
    learn = daily_sales_csv()
    process_id = await platform.upload(key, learn)
    config = {"tc": "sales", "tt": "regression", "tsm": True, "tsc": "date", "tss": "store", "tsf": 1, "tst": 3}
    await platform.train(key, process_id, config, name="store sales")
    archive = await _result_zip(platform, key, process_id)

    assert {"metrics.csv", "analysis_summary.csv", "evaluation_raw_data.csv", "model.onnx", "report.html"} <= set(
        archive.namelist()
    )
    metrics = {row["metric"]: row["value"] for row in _table(archive, "metrics.csv")}
    assert metrics["problem_type"] == "regression"
    assert float(metrics["rmse"]) < 10 and "mae" in metrics and "r2" in metrics
    assert metrics["validation"].startswith("time-ordered holdout")
    series = metrics["parameter.time_series"]
    assert '"unit": "day"' in series and '"horizons": [1, 2, 3]' in series
    cutoff = date.fromisoformat(series.split('"validation_from": "')[1][:10])

    # The holdout is the latest origins: every evaluated row is an origin on or after the
    # cut-off, which comes after about 80% of the days; horizons 1..3 per origin.
    rows = list(csv.reader(io.StringIO(learn.decode("utf-8"))))[1:]
    evaluated = _table(archive, "evaluation_raw_data.csv")
    origins = [date.fromisoformat(rows[int(row["row_number"]) - 1][0]) for row in evaluated]
    assert min(origins) == cutoff and origins == sorted(origins)
    days = sorted({date.fromisoformat(row[0]) for row in rows})
    assert 0.7 < days.index(cutoff) / len(days) < 0.9
    assert {row["row_number"] for row in evaluated} <= {str(number) for number in range(1, len(rows) + 1)}
    assert len(evaluated) > 100

    importance = {row["column"] for row in _table(archive, "analysis_summary.csv")}
    assert importance == {"lags", "calendar", "horizon", "store", "price"}

    listed = await platform.client.get(f"{PREFIX}/models", headers={"x-api-key": key})
    models = (await listed.json())["models"]
    assert models[0]["config"]["tsm"] is True and models[0]["config"]["tss"] == "store"


async def test_time_series_errors_reach_the_user(training_platform):
    platform = training_platform
    key = await platform.api_key("train")
    process_id = await platform.upload(key, daily_sales_csv(days=30))
    await platform.train(
        key, process_id, {"tc": "sales", "tt": "regression", "tsm": True, "tsc": "date", "tsf": 1, "tst": 2}
    )
    result = await platform.wait_for_result(key, process_id)
    assert result["status"] == "failed"
    assert "fall on the same time" in result.get("message", "")  # two stores, no tss


async def test_an_evaluation_file_is_the_validation(training_platform):
    platform = training_platform
    key = await platform.api_key("train")
    learn = daily_sales_csv(days=300, seed=1)
    evaluate = daily_sales_csv(days=60, seed=2)
    response = await platform.client.get(
        f"{PREFIX}/data-sets/upload-url", params={"extension": "csv"}, headers={"x-api-key": key}
    )
    urls = await response.json()
    assert response.status == 200, urls
    for url, data in ((urls["learn_data_set_upload_url"], learn), (urls["eval_data_set_upload_url"], evaluate)):
        put = await platform.client.put(path_of(url), data=data)
        assert put.status == 200, await put.text()
    process_id = urls["external_process_id"]
    await platform.train(key, process_id, {"tc": "sales", "tt": "regression", "cv": "3"})
    archive = await _result_zip(platform, key, process_id)

    eval_rows = list(csv.reader(io.StringIO(evaluate.decode("utf-8"))))[1:]
    metrics = {row["metric"]: row["value"] for row in _table(archive, "metrics.csv")}
    assert metrics["validation"] == f"evaluation data set ({len(eval_rows)} rows)"
    assert metrics["training_rows"] == "600"
    evaluated = _table(archive, "evaluation_raw_data.csv")
    assert len(evaluated) == len(eval_rows) == 120
    assert [int(row["row_number"]) for row in evaluated] == list(range(1, 121))
    assert [row["actual"] for row in evaluated] == [row[3] for row in eval_rows]
    actual = np.array([float(row["actual"]) for row in evaluated])
    predicted = np.array([float(row["predicted"]) for row in evaluated])
    assert float(metrics["rmse"]) == pytest.approx(math.sqrt(np.mean((actual - predicted) ** 2)), rel=1e-6)
