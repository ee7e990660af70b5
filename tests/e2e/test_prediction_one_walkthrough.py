"""The README's Prediction One walkthrough (examples/prediction_one/walkthrough.py) runs unchanged."""

from __future__ import annotations

import asyncio
import csv
import io

from examples.prediction_one import walkthrough


async def test_the_readme_walkthrough_trains_publishes_and_predicts_with_reasons(prediction_one, tmp_path):
    base_url = str(prediction_one.training.client.make_url("")).rstrip("/")
    secret_key = await prediction_one.training.secret_key()
    outputs = await asyncio.to_thread(walkthrough.main, base_url, secret_key, tmp_path / "result", 0.2)
    assert (tmp_path / "result" / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    valid = list(csv.DictReader(io.StringIO(outputs["prediction_valid.csv"])))
    analysis = list(csv.DictReader(io.StringIO(outputs["prediction_analysis.csv"])))
    assert len(valid) == 1 and valid[0]["prediction"] in ("yes", "no")
    assert len(analysis) == 1 and analysis[0]["reason_1_column"]
