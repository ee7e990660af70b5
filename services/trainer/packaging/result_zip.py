"""The zip behind `result_url` (Prediction One §3.5), built in memory.

Entries, in this order: `metrics.csv`, `confusion_matrix.csv` (classification only),
`analysis_summary.csv`, `evaluation_raw_data.csv`, `model.onnx`, `report.html`. The first three
CSV names are what Prediction One's desktop CLI writes, so scripts written against it find them;
the rest are ours. Building twice from the same inputs gives the same bytes: fixed order, every
entry stamped with `created_at` (in UTC when it carries a zone) and the same permissions, so the
stored archive can be compared or hashed.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

from services.trainer.learning.outcome import TrainingOutcome
from services.trainer.packaging.csv_files import (
    analysis_summary_csv,
    confusion_matrix_csv,
    evaluation_raw_data_csv,
    metrics_csv,
)
from services.trainer.packaging.report_html import render_report

_ZIP_EPOCH = datetime(1980, 1, 1)  # the earliest time a zip entry can carry


def build_result_zip(
    outcome: TrainingOutcome,
    onnx_model: bytes,
    *,
    model_name: str,
    created_at: datetime,
    trainer_seconds: float | None = None,
) -> bytes:
    """The whole archive as bytes (a few MB at most: the model and one row per training row)."""
    entries = result_entries(
        outcome, onnx_model, model_name=model_name, created_at=created_at, trainer_seconds=trainer_seconds
    )
    stamp = _zip_time(created_at)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def result_entries(
    outcome: TrainingOutcome,
    onnx_model: bytes,
    *,
    model_name: str,
    created_at: datetime,
    trainer_seconds: float | None = None,
) -> list[tuple[str, bytes]]:
    """(name, content) in archive order; separate so callers can list or serve single files."""
    entries = [("metrics.csv", metrics_csv(outcome))]
    if outcome.schema.problem_type.is_classification:
        entries.append(("confusion_matrix.csv", confusion_matrix_csv(outcome)))
    entries += [
        ("analysis_summary.csv", analysis_summary_csv(outcome)),
        ("evaluation_raw_data.csv", evaluation_raw_data_csv(outcome)),
        ("model.onnx", onnx_model),
        (
            "report.html",
            render_report(
                outcome, model_name=model_name, created_at=created_at, trainer_seconds=trainer_seconds
            ).encode("utf-8"),
        ),
    ]
    return entries


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    moment = max(moment, _ZIP_EPOCH)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
