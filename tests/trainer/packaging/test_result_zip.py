from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta, timezone

from services.trainer.packaging.csv_files import evaluation_raw_data_csv, metrics_csv
from services.trainer.packaging.result_zip import build_result_zip
from tests.trainer.packaging import outcomes

ONNX = b"\x08\x07ONNX-model-bytes" * 50
JST = timezone(timedelta(hours=9))
CREATED = datetime(2025, 3, 4, 9, 30, 15, tzinfo=JST)


def build(outcome) -> bytes:
    return build_result_zip(outcome, ONNX, model_name="churn", created_at=CREATED)


def test_classification_zip_entries_in_fixed_order_and_deflated():
    outcome = outcomes.binary()
    with zipfile.ZipFile(io.BytesIO(build(outcome))) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == [
            "metrics.csv",
            "confusion_matrix.csv",
            "analysis_summary.csv",
            "evaluation_raw_data.csv",
            "model.onnx",
            "report.html",
        ]
        infos = archive.infolist()
        assert {info.compress_type for info in infos} == {zipfile.ZIP_DEFLATED}
        assert {info.date_time for info in infos} == {(2025, 3, 4, 0, 30, 14)}  # UTC; zip keeps even seconds
        assert archive.read("model.onnx") == ONNX
        assert archive.read("metrics.csv") == metrics_csv(outcome)
        assert archive.read("evaluation_raw_data.csv") == evaluation_raw_data_csv(outcome)
        assert archive.read("report.html").decode("utf-8").startswith("<!DOCTYPE html>")


def test_regression_zip_has_no_confusion_matrix():
    with zipfile.ZipFile(io.BytesIO(build(outcomes.regression(rows=20)))) as archive:
        assert archive.namelist() == [
            "metrics.csv",
            "analysis_summary.csv",
            "evaluation_raw_data.csv",
            "model.onnx",
            "report.html",
        ]


def test_same_inputs_give_the_same_bytes():
    outcome = outcomes.multiclass()
    assert build(outcome) == build(outcome)


def test_times_before_1980_are_clamped():
    early = datetime(1970, 1, 1)
    data = build_result_zip(outcomes.regression(rows=3), ONNX, model_name="m", created_at=early)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)
