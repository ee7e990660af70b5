from __future__ import annotations

import csv
import io
from dataclasses import replace

from services.tabular.column_types import ColumnType
from services.tabular.schema import InputColumn, ProblemType, TabularSchema
from services.trainer.learning.outcome import Importance, OutOfFoldRow, TrainingOutcome
from services.trainer.packaging.csv_files import (
    analysis_summary_csv,
    confusion_matrix_csv,
    evaluation_raw_data_csv,
    metrics_csv,
)
from tests.trainer.packaging import outcomes


def tiny_binary() -> TrainingOutcome:
    schema = TabularSchema(
        ProblemType.BINARY_CLASSIFICATION,
        "解約",
        (InputColumn("年齢", "c0", ColumnType.INTEGER), InputColumn("=SUM(A1)", "c1", ColumnType.STRING)),
        class_labels=("no", "yes, really"),
        positive_class="yes, really",
    )
    return TrainingOutcome(
        schema=schema,
        metrics={"f1": 0.5, "auc": 0.75, "custom": 1.0, "accuracy": 2 / 3},
        confusion_matrix=((1, 1), (0, 1)),
        importance=(Importance("=SUM(A1)", 10.0, 0.25), Importance("年齢", 30.0, 0.75)),
        out_of_fold=(
            OutOfFoldRow(2, "no", "no", (0.9, 0.1)),
            OutOfFoldRow(3, "no", "yes, really", (0.25, 0.75)),
            OutOfFoldRow(5, "yes, really", "yes, really", (0.4, 0.6)),
        ),
        validation="3-fold cross-validation",
        chosen_parameters={"num_leaves": 7, "learning_rate": 0.1, "boosting": "gbdt", "flag": True, "none": None},
        training_rows=3,
        training_seconds=1.5,
    )


def parse(document: bytes) -> list[list[str]]:
    assert document.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for Excel"
    text = document.decode("utf-8-sig")
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", ""), "every line ends with CRLF"
    return list(csv.reader(io.StringIO(text, newline="")))


def test_metrics_csv_holds_run_facts_then_metrics_then_parameters():
    assert parse(metrics_csv(tiny_binary())) == [
        ["metric", "value"],
        ["problem_type", "binary_classification"],
        ["target_column", "解約"],
        ["positive_class", "yes, really"],
        ["validation", "3-fold cross-validation"],
        ["training_rows", "3"],
        ["training_seconds", "1.5"],
        ["auc", "0.75"],
        ["accuracy", repr(2 / 3)],
        ["f1", "0.5"],
        ["custom", "1.0"],
        ["parameter.boosting", "gbdt"],
        ["parameter.flag", "true"],
        ["parameter.learning_rate", "0.1"],
        ["parameter.none", ""],
        ["parameter.num_leaves", "7"],
    ]


def test_metrics_csv_for_regression_has_no_positive_class():
    rows = parse(metrics_csv(outcomes.regression(rows=10)))
    names = [name for name, _ in rows]
    assert "positive_class" not in names
    assert names[6:9] == ["rmse", "mae", "r2"]
    assert dict(rows)["parameter.min_child_samples"] == "20"


def test_confusion_matrix_csv_is_a_square_table_with_labels():
    assert parse(confusion_matrix_csv(tiny_binary())) == [
        ["actual \\ predicted", "no", "yes, really"],
        ["no", "1", "1"],
        ["yes, really", "0", "1"],
    ]


def test_analysis_summary_ranks_by_gain_and_guards_formulas():
    assert parse(analysis_summary_csv(tiny_binary())) == [
        ["rank", "column", "importance", "share"],
        ["1", "年齢", "30.0", "0.75"],
        ["2", "'=SUM(A1)", "10.0", "0.25"],
    ]


def test_evaluation_raw_data_has_one_probability_column_per_label():
    assert parse(evaluation_raw_data_csv(tiny_binary())) == [
        ["row_number", "actual", "predicted", "probability_no", "probability_yes, really"],
        ["2", "no", "no", "0.9", "0.1"],
        ["3", "no", "yes, really", "0.25", "0.75"],
        ["5", "yes, really", "yes, really", "0.4", "0.6"],
    ]


def test_evaluation_raw_data_for_regression_has_no_probabilities():
    outcome = outcomes.regression(rows=3)
    rows = parse(evaluation_raw_data_csv(outcome))
    assert rows[0] == ["row_number", "actual", "predicted"]
    assert rows[1:] == [[str(r.row_number), r.actual, r.predicted] for r in outcome.out_of_fold]


def test_negative_numbers_are_not_mistaken_for_formulas():
    outcome = tiny_binary()
    outcome = replace(
        outcome, out_of_fold=(OutOfFoldRow(1, "-1", "+2", (0.5, 0.5)), OutOfFoldRow(2, "-x", "@y", (1.0, 0.0)))
    )
    rows = parse(evaluation_raw_data_csv(outcome))
    assert rows[1][:3] == ["1", "-1", "+2"]
    assert rows[2][:3] == ["2", "'-x", "'@y"]


def test_non_finite_numbers_are_empty_cells():
    outcome = replace(tiny_binary(), metrics={"log_loss": float("inf")}, chosen_parameters={})
    assert parse(metrics_csv(outcome))[-1] == ["log_loss", ""]


def test_evaluation_rows_may_carry_named_details():
    outcome = outcomes.regression(rows=10)
    rows = (
        OutOfFoldRow(3, "10", "11.5", details=(("horizon", "1"), ("target_row_number", "4"))),
        OutOfFoldRow(3, "12", "11.0", details=(("horizon", "2"), ("target_row_number", "5"))),
    )
    text = evaluation_raw_data_csv(replace(outcome, out_of_fold=rows)).decode("utf-8-sig")
    assert text.splitlines() == [
        "row_number,actual,predicted,horizon,target_row_number",
        "3,10,11.5,1,4",
        "3,12,11.0,2,5",
    ]
