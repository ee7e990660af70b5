"""The inference answer's CSV files (contract §3.11; its columns are Torii's choice, documented in
the README): `prediction_valid.csv` and, with `ar`, `prediction_analysis.csv`.

prediction_valid.csv: [pc column] [row_number] then, for classification, `prediction` (the label,
left out with nc) and `probability_<label>` per class; for regression `prediction`; then, with ad,
every input column as sent (but the pc column, already leftmost). prediction_analysis.csv:
[pc column] [row_number], `base_value` (the
model's average raw score) and, for the strongest reasons first, `reason_<k>_column`,
`reason_<k>_value`, `reason_<k>_contribution`: each input column's signed contribution to the raw
score (log-odds of the predicted class; the value itself for regression). UTF-8, no BOM, LF.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from services.tabular.schema import TabularSchema

MAX_REASONS = 10


@dataclass(frozen=True)
class Options:
    reasons: bool  # ar
    add_inputs: bool  # ad
    no_class: bool  # nc
    no_row_numbers: bool  # nr
    pin_column: str  # pc: "" for none


def number_text(value: float) -> str:
    """The shortest text that reads back as the same float32."""
    if not np.isfinite(value):
        return ""
    return np.format_float_positional(np.float32(value), unique=True, trim="-")


def write_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def lead_cells(options: Options, header: Sequence[str], row: Sequence[str], number: int) -> list[str]:
    lead = []
    if options.pin_column:
        lead.append(row[header.index(options.pin_column)])
    if not options.no_row_numbers:
        lead.append(str(number))
    return lead


def lead_titles(options: Options) -> list[str]:
    return ([options.pin_column] if options.pin_column else []) + ([] if options.no_row_numbers else ["row_number"])


def prediction_valid(
    schema: TabularSchema, options: Options, header: Sequence[str], rows: Sequence[Sequence[str]], answer: np.ndarray
) -> bytes:
    labels = schema.class_labels
    titles = lead_titles(options)
    if schema.problem_type.is_classification:
        if not options.no_class:
            titles.append("prediction")
        titles.extend(f"probability_{label}" for label in labels)
    else:
        titles.append("prediction")
    copied = [i for i, name in enumerate(header) if name != options.pin_column] if options.add_inputs else []
    titles.extend(header[i] for i in copied)
    lines = [titles]
    for index, row in enumerate(rows):
        line = lead_cells(options, header, row, index + 1)
        values = answer[index]
        if schema.problem_type.is_classification:
            if not options.no_class:
                line.append(labels[int(np.argmax(values))])
            line.extend(number_text(value) for value in values)
        else:
            line.append(number_text(values[0]))
        line.extend(row[i] for i in copied)
        lines.append(line)
    return write_csv(lines)


def prediction_analysis(
    schema: TabularSchema,
    options: Options,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    contributions: np.ndarray,
) -> bytes:
    columns = schema.columns
    names = [column.name for column in columns]
    positions = [header.index(column.name) for column in columns]
    lines = [analysis_titles(options, len(columns))]
    for index, row in enumerate(rows):
        line = lead_cells(options, header, row, index + 1)
        line.extend(reason_cells(contributions[index], names, [row[position] for position in positions]))
        lines.append(line)
    return write_csv(lines)


def analysis_titles(options: Options, column_count: int) -> list[str]:
    titles = lead_titles(options) + ["base_value"]
    for rank in range(1, min(MAX_REASONS, column_count) + 1):
        titles.extend((f"reason_{rank}_column", f"reason_{rank}_value", f"reason_{rank}_contribution"))
    return titles


def reason_cells(contributions: np.ndarray, names: Sequence[str], values: Sequence[str]) -> list[str]:
    """The base value, then the strongest reasons: column, its value, its signed contribution."""
    cells = [number_text(contributions[-1])]
    strongest = np.argsort(-np.abs(contributions[:-1]), kind="stable")[: min(MAX_REASONS, len(names))]
    for column_index in strongest:
        cells.extend((names[column_index], values[column_index], number_text(contributions[column_index])))
    return cells
