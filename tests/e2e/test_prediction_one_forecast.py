"""A time-series model end to end: trained over HTTP, published as a classifier, and asked for a
forecast with the recent rows of each series; Triton answers for every (series, horizon)."""

from __future__ import annotations

import base64
import csv
import io
from datetime import date, timedelta

import numpy as np
import onnx
import pytest

from services.tabular.forecast import forecast_windows
from services.tabular.predictor import METADATA_SCHEMA, TabularPredictor
from services.trainer.learning.export import schema_from_json
from tests.e2e.prediction_one_client import csv_base64, infer, publish, read_csv, train
from tests.prediction_one.test_time_series import daily_sales_csv

CONFIG = {
    "tc": "sales",
    "tt": "regression",
    "tsm": True,
    "tsc": "date",
    "tss": "store",
    "tsf": 1,
    "tst": 3,
    "tsin": True,
}
FLAGS = {"ar": True, "ad": False, "nc": False}


@pytest.fixture(scope="module")
def sales_rows() -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(daily_sales_csv(days=200).decode("utf-8"))))
    return rows[0], rows[1:]


def _request_rows(header, rows, last: date, history_days: int = 40, ahead: int = 3) -> list[list[str]]:
    """Per store, the rows up to `last`, then the next `ahead` days with the sales left empty."""
    sales = header.index("sales")
    out = []
    for row in rows:
        day = date.fromisoformat(row[0])
        if last - timedelta(days=history_days) < day <= last:
            out.append(list(row))
        elif last < day <= last + timedelta(days=ahead):
            out.append([*row[:sales], "", *row[sales + 1 :]])
    return out


async def test_a_time_series_classifier_forecasts_each_series_and_horizon(prediction_one, sales_rows):
    header, rows = sales_rows
    data = ("\n".join(",".join(row) for row in [header, *rows]) + "\n").encode()
    model_id, onnx_bytes = await train(prediction_one, data, CONFIG)
    classifier, _ = await publish(prediction_one, model_id)

    last = date(2023, 6, 1)
    sent = _request_rows(header, rows, last)
    status, body = await infer(prediction_one, classifier, {"pr": csv_base64(header, sent), **FLAGS})
    assert status == 200, body
    valid = read_csv(body["outputs"][0]["data"])
    assert list(valid[0]) == ["row_number", "store", "date", "horizon", "prediction"]
    expected_days = [(last + timedelta(days=h)).isoformat() for h in (1, 2, 3)]
    assert [(row["store"], row["date"], row["horizon"]) for row in valid] == [
        (store, day, str(h)) for store in ("Shibuya", "Umeda") for h, day in zip((1, 2, 3), expected_days)
    ]
    for row in valid:  # the origin: that store's row of the last day with sales
        assert sent[int(row["row_number"]) - 1][:2] == [last.isoformat(), row["store"]]

    # Triton's answer is the exported model's own answer for the same windows...
    predictor = TabularPredictor(onnx_bytes)
    metadata = {prop.key: prop.value for prop in onnx.load_from_string(onnx_bytes).metadata_props}
    forecast = forecast_windows(schema_from_json(metadata[METADATA_SCHEMA]), header, sent)
    local = predictor.predict(forecast.tensors, contributions=True)
    served = np.array([float(row["prediction"]) for row in valid])
    np.testing.assert_allclose(served, local["prediction"][:, 0], rtol=1e-5)
    # ...and close to what happened (noise sd 3).
    actual = {(row[1], row[0]): float(row[3]) for row in rows}
    errors = [abs(float(row["prediction"]) - actual[(row["store"], row["date"])]) for row in valid]
    assert max(errors) < 15, errors

    analysis = read_csv(body["outputs"][1]["data"])
    columns = schema_from_json(metadata[METADATA_SCHEMA]).columns
    names = [column.name for column in columns]
    for index, row in enumerate(analysis):
        assert float(row["base_value"]) == pytest.approx(float(local["contributions"][index, -1]), abs=1e-3)
        for rank in range(1, 11):
            column = columns[names.index(row[f"reason_{rank}_column"])]
            contribution = float(local["contributions"][index, names.index(column.name)])
            assert float(row[f"reason_{rank}_contribution"]) == pytest.approx(contribution, abs=1e-3)
            value = row[f"reason_{rank}_value"]
            if column.name == "target_time":
                assert value == valid[index]["date"]
            elif column.name == "store":
                assert value == valid[index]["store"]
            else:
                assert float(value) == pytest.approx(float(forecast.tensors[column.input_name][index, 0]), rel=1e-6)
    # The window mean, which the model adds to its trees' output, is a reason worth its value.
    assert all(row["reason_1_column"] == "sales:window_mean" for row in analysis)

    # pc, ad and nr apply to each forecast's origin row.
    flags = {"ar": False, "ad": True, "nc": False, "nr": True, "pc": "price"}
    status, body = await infer(prediction_one, classifier, {"pr": csv_base64(header, sent), **flags})
    assert status == 200 and len(body["outputs"]) == 1, body
    lines = list(csv.reader(io.StringIO(base64.b64decode(body["outputs"][0]["data"]).decode("utf-8"))))
    assert lines[0] == ["price", "store", "date", "horizon", "prediction", "date", "store", "sales"]
    for line, row in zip(lines[1:], valid):
        origin = sent[int(row["row_number"]) - 1]
        assert line == [
            origin[2],
            row["store"],
            row["date"],
            row["horizon"],
            row["prediction"],
            origin[0],
            origin[1],
            origin[3],
        ]


async def test_forecast_requests_that_cannot_make_windows_get_the_contract_error(prediction_one, sales_rows):
    header, rows = sales_rows
    data = ("\n".join(",".join(row) for row in [header, *rows[:150]]) + "\n").encode()
    model_id, _ = await train(prediction_one, data, {**CONFIG, "tsin": False})
    classifier, _ = await publish(prediction_one, model_id)
    sent = _request_rows(header, rows, date(2023, 4, 1), history_days=10, ahead=0)

    without_store = [[cell for i, cell in enumerate(row) if i != 1] for row in sent]
    status, body = await infer(
        prediction_one, classifier, {"pr": csv_base64(["date", "price", "sales"], without_store), **FLAGS}
    )
    assert status == 400 and body["code"] == 4001030104 and "'store'" in body["message"], body

    no_sales = [[*row[:3], ""] if row[1] == "Umeda" else row for row in sent]
    status, body = await infer(prediction_one, classifier, {"pr": csv_base64(header, no_sales), **FLAGS})
    assert status == 400 and "series 'Umeda' has no row with a value of 'sales'" in body["message"], body

    twice = [*sent, sent[0]]
    status, body = await infer(prediction_one, classifier, {"pr": csv_base64(header, twice), **FLAGS})
    assert status == 400 and "fall on the same time" in body["message"], body
