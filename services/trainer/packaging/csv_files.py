"""The CSV documents of the result zip.

Format, chosen for the people who open them: UTF-8 with a byte-order mark (Excel, notably
Japanese Excel, otherwise reads UTF-8 as Shift_JIS and garbles labels), CRLF line ends (what
Excel writes, and what Prediction One's desktop CLI output looks like), comma separated, RFC 4180
quoting. Every file is a single table with one header row, so `csv`/pandas read it without
options beyond the encoding `utf-8-sig`.

Numbers are written with Python's shortest round-trip `repr`, so a program reading the file gets
back the exact float the trainer computed. Text cells that Excel would run as a formula
(starting with = + - @, tab or CR, and not a number) get a leading apostrophe, the OWASP
"CSV injection" guard: column names and labels come from uploaded data.

The confusion matrix is its own file, `confusion_matrix.csv` (classification only), rather than
a second block inside `metrics.csv`: two tables in one file defeat every CSV reader.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping, Sequence

from services.trainer.learning.outcome import TrainingOutcome

ENCODING = "utf-8-sig"
METRIC_ORDER = ("auc", "accuracy", "precision", "recall", "f1", "log_loss", "rmse", "mae", "r2")
PARAMETER_PREFIX = "parameter."
CONFUSION_CORNER = "actual \\ predicted"

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def metrics_csv(outcome: TrainingOutcome) -> bytes:
    """`metric,value`: run facts first, then the metrics, then `parameter.<name>` rows.

    One key/value table keeps it machine-readable; the facts (validation method, row count)
    belong next to the figures because the figures mean little without them.
    """
    schema = outcome.schema
    rows: list[tuple[str, str]] = [
        ("problem_type", schema.problem_type.value),
        ("target_column", text_cell(schema.target_column)),
    ]
    if schema.positive_class:
        rows.append(("positive_class", text_cell(schema.positive_class)))
    rows += [
        ("validation", text_cell(outcome.validation)),
        ("training_rows", str(outcome.training_rows)),
        ("training_seconds", number_cell(outcome.training_seconds)),
    ]
    rows += [(name, number_cell(value)) for name, value in ordered_metrics(outcome.metrics)]
    rows += [
        (text_cell(PARAMETER_PREFIX + name), parameter_cell(value))
        for name, value in sorted(outcome.chosen_parameters.items())
    ]
    return _document(("metric", "value"), rows)


def confusion_matrix_csv(outcome: TrainingOutcome) -> bytes:
    """Counts as a square table: one row per actual label, one column per predicted label.

    The matrix shape (not long `actual,predicted,count` rows) because that is what people read
    in Excel; the first column and the header still make it unambiguous for a program.
    """
    labels = outcome.schema.class_labels
    header = (CONFUSION_CORNER, *(text_cell(label) for label in labels))
    rows = [
        (text_cell(label), *(str(count) for count in counts)) for label, counts in zip(labels, outcome.confusion_matrix)
    ]
    return _document(header, rows)


def analysis_summary_csv(outcome: TrainingOutcome) -> bytes:
    """`rank,column,importance,share`: importance is LightGBM's total gain, share its fraction."""
    ranked = sorted(outcome.importance, key=lambda item: -item.gain)
    rows = [
        (str(rank), text_cell(item.column), number_cell(item.gain), number_cell(item.share))
        for rank, item in enumerate(ranked, start=1)
    ]
    return _document(("rank", "column", "importance", "share"), rows)


def evaluation_raw_data_csv(outcome: TrainingOutcome) -> bytes:
    """One row per out-of-fold prediction; classification adds `probability_<label>` columns."""
    labels = outcome.schema.class_labels if outcome.schema.problem_type.is_classification else ()
    details = list(dict.fromkeys(name for row in outcome.out_of_fold for name, _ in row.details))
    header = (
        "row_number",
        "actual",
        "predicted",
        *(text_cell(f"probability_{label}") for label in labels),
        *(text_cell(name) for name in details),
    )
    rows = []
    for row in outcome.out_of_fold:
        probabilities = [number_cell(p) for p in row.probabilities[: len(labels)]]
        probabilities += [""] * (len(labels) - len(probabilities))
        given = dict(row.details)
        extra = [text_cell(given.get(name, "")) for name in details]
        rows.append((str(row.row_number), text_cell(row.actual), text_cell(row.predicted), *probabilities, *extra))
    return _document(header, rows)


def ordered_metrics(metrics: Mapping[str, float]) -> list[tuple[str, float]]:
    """The known metrics in a fixed, readable order, then any others alphabetically."""
    known = [(name, metrics[name]) for name in METRIC_ORDER if name in metrics]
    others = sorted((name, value) for name, value in metrics.items() if name not in METRIC_ORDER)
    return known + others


def number_cell(value: float | int) -> str:
    """Exact round-trip text; empty for NaN/inf, which spreadsheets cannot hold as numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    value = float(value)
    return repr(value) if math.isfinite(value) else ""


def parameter_cell(value: object) -> str:
    """Parameters are mixed types: numbers exactly, text guarded, anything else as JSON."""
    if value is None:
        return ""
    if isinstance(value, (bool, int, float)):
        return number_cell(value)
    if isinstance(value, str):
        return text_cell(value)
    return text_cell(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))


def text_cell(value: str) -> str:
    """`value`, with an apostrophe in front when Excel would otherwise run it as a formula."""
    if value.startswith(_FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _document(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(ENCODING)
