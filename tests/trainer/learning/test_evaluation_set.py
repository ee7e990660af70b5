"""An evaluation data set as the validation: figures from its rows only, a final model that never
saw them, and the worker's loading of the eval file."""

from __future__ import annotations

import re

import lightgbm as lgb
import numpy as np
import onnx
import pytest

from services.tabular.predictor import TabularPredictor
from services.tabular.schema import ProblemType
from services.tabular.table import Table
from services.tabular.tensors import input_tensors
from services.trainer.jobs.protocol import JobSpec
from services.trainer.jobs.training_inputs import load_training_job
from services.trainer.learning import boosting, evaluation
from services.trainer.learning.config import ConfigError, TrainingConfig
from services.trainer.learning.features import fit_features, select_columns
from services.trainer.learning.pipeline import train_model
from services.trainer.tabular_proto import config_to_dict
from torii.v1 import tabular_pb2

from .data import MIXED_TYPES, mixed_table

BINARY = ProblemType.BINARY_CLASSIFICATION
REGRESSION = ProblemType.REGRESSION


def _learn_and_eval(kind: str = "regression") -> tuple[Table, Table]:
    return mixed_table(rows=400, seed=0, kind=kind), mixed_table(rows=150, seed=1, kind=kind)


def _skewed(table: Table) -> Table:
    """The rows with ages and incomes far outside any learning row, and a new city."""
    rows = []
    for index, row in enumerate(table.rows):
        age = str(int(row[1]) + 1000) if row[1] else ""
        income = str(float(row[2].replace(",", "")) * 1000) if row[2] not in ("", "NA") else row[2]
        city = "Atlantis" if index % 3 == 0 else row[3]
        rows.append((row[0], age, income, city) + row[4:])
    return Table(table.header, rows)


@pytest.mark.parametrize("cv", [0, 5])
def test_metrics_come_from_the_evaluation_rows(cv):
    learn, evaluate = _learn_and_eval("regression")
    rows = list(evaluate.rows)
    rows[7] = rows[7][:-1] + ("",)  # no target: not evaluated, later rows keep their numbers
    evaluate = Table(evaluate.header, rows)
    outcome, onnx_bytes = train_model(
        learn, MIXED_TYPES, TrainingConfig("target", REGRESSION, cv=cv), evaluation=evaluate
    )

    assert outcome.validation == "evaluation data set (149 rows)"  # cv does not apply
    assert outcome.training_rows == 400
    numbers = [row.row_number for row in outcome.out_of_fold]
    assert numbers == [number for number in range(1, 151) if number != 8]
    for row in outcome.out_of_fold:
        assert row.actual == evaluate.rows[row.row_number - 1][-1]
    actual = np.array([float(row.actual) for row in outcome.out_of_fold])
    predicted = np.array([float(row.predicted) for row in outcome.out_of_fold])
    expected = evaluation.regression_metrics(actual, predicted)
    for name, value in expected.items():
        assert outcome.metrics[name] == pytest.approx(value, rel=1e-6)
    assert outcome.metrics["r2"] > 0.5
    # The predictions are the final model's own on those rows (it learned from the learning
    # rows only, with the iteration count the evaluation rows chose).
    served = TabularPredictor(onnx_bytes)
    kept = [evaluate.rows[number - 1] for number in numbers]
    answer = served.predict(input_tensors(outcome.schema.columns, evaluate.header, kept))["prediction"][:, 0]
    np.testing.assert_allclose(answer, predicted, rtol=1e-5, atol=1e-4)
    assert outcome.chosen_parameters["fold_best_iterations"] == [outcome.chosen_parameters["num_iterations"]]


def test_the_final_model_never_saw_the_evaluation_rows():
    learn, evaluate = _learn_and_eval("binary")
    evaluate = _skewed(evaluate)
    config = TrainingConfig("target", BINARY, "yes", seed=2)
    outcome, onnx_bytes = train_model(learn, MIXED_TYPES, config, evaluation=evaluate)
    assert outcome.validation == "evaluation data set (150 rows)"
    assert len(outcome.out_of_fold) == 150 and sum(map(sum, outcome.confusion_matrix)) == 150

    # Preprocessing: the categories are the learning rows' only.
    model = onnx.load_from_string(onnx_bytes)
    keys = [
        list(attribute.strings)
        for node in model.graph.node
        if node.op_type == "LabelEncoder"
        for attribute in node.attribute
        if attribute.name == "keys_strings"
    ]
    assert any(b"Tokyo" in k for k in keys) and not any(b"Atlantis" in k for k in keys)
    # Bins: the booster's feature ranges are the learning rows' (ages here stop below 80).
    booster = TabularPredictor(onnx_bytes).booster
    infos = re.search(r"^feature_infos=(.*)$", booster.model_to_string(), re.M).group(1).split()
    assert float(infos[0].strip("[]").split(":")[1]) < 100

    # Exactly the model that the learning rows alone give with the chosen settings.
    columns = select_columns(learn.header, MIXED_TYPES, "target")
    rows = [row for row in learn.rows if row[-1]]
    plan = fit_features(columns, input_tensors(columns, learn.header, rows))
    features = plan.transform(input_tensors(columns, learn.header, rows))
    labels = np.array([1 if row[-1] == "yes" else 0 for row in rows])
    chosen = outcome.chosen_parameters
    trials, summary = chosen["search"], chosen["search_summary"]
    assert isinstance(trials, list) and isinstance(summary, dict)
    trial = trials[summary["chosen_trial"]]
    outcome_keys = {"trial", "finished", "pruned", "validation_loss", "best_iteration", "seconds"}
    candidate = {key: value for key, value in trial.items() if key not in outcome_keys}
    base = boosting.base_parameters(BINARY, 2, config.seed, 2)
    alone = lgb.train(
        boosting.candidate_parameters(base, candidate, len(rows)),
        lgb.Dataset(
            features,
            label=labels,
            categorical_feature=list(plan.categorical_features),
            params=boosting.dataset_parameters(base),
        ),
        chosen["num_iterations"],
    )
    np.testing.assert_allclose(booster.predict(features), alone.predict(features), rtol=0, atol=1e-12)


def test_evaluation_data_errors():
    learn, evaluate = _learn_and_eval("binary")
    config = TrainingConfig("target", BINARY, "yes")
    no_target = Table(evaluate.header[:-1] + ("label",), evaluate.rows)
    with pytest.raises(ConfigError, match="the evaluation data has no column 'target'"):
        train_model(learn, MIXED_TYPES, config, evaluation=no_target)
    no_city = Table(tuple("town" if name == "city" else name for name in evaluate.header), evaluate.rows)
    with pytest.raises(ConfigError, match="the evaluation data lacks columns the model reads: 'city'"):
        train_model(learn, MIXED_TYPES, config, evaluation=no_city)
    maybe = Table(evaluate.header, [row[:-1] + ("maybe",) for row in evaluate.rows])
    with pytest.raises(
        ConfigError, match="the evaluation data has values of 'target' that the learning data never has: 'maybe'"
    ):
        train_model(learn, MIXED_TYPES, config, evaluation=maybe)
    empty = Table(evaluate.header, [row[:-1] + ("",) for row in evaluate.rows])
    with pytest.raises(ConfigError, match="no values in the evaluation data"):
        train_model(learn, MIXED_TYPES, config, evaluation=empty)
    # One class only is fine: the figures that need both are left out.
    only_no = Table(evaluate.header, [row for row in evaluate.rows if row[-1] == "no"])
    outcome, _ = train_model(learn, MIXED_TYPES, config, evaluation=only_no)
    assert "auc" not in outcome.metrics and "accuracy" in outcome.metrics


def _csv(table: Table) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.header)
    writer.writerows(table.rows)
    return buffer.getvalue().encode("utf-8")


def _spec(tmp_path, learn: bytes, evaluate: bytes | None) -> JobSpec:
    (tmp_path / "learn.csv").write_bytes(learn)
    if evaluate is not None:
        (tmp_path / "eval.csv").write_bytes(evaluate)
    message = tabular_pb2.TrainingConfig(target_column="target", problem_type=tabular_pb2.PROBLEM_TYPE_REGRESSION)
    return JobSpec(
        learn_path=str(tmp_path / "learn.csv"),
        learn_extension="csv",
        eval_path=str(tmp_path / "eval.csv") if evaluate is not None else "",
        eval_extension="csv" if evaluate is not None else "",
        config=config_to_dict(message),
        model_name="m",
        output_dir=str(tmp_path),
        time_budget_s=2.0,
        num_threads=1,
        nice=0,
    )


def test_the_worker_reads_the_eval_file(tmp_path):
    learn, evaluate = _learn_and_eval("regression")
    inputs = load_training_job(_spec(tmp_path, _csv(learn), _csv(evaluate)))
    assert inputs.evaluation is not None
    assert inputs.evaluation.header == learn.header and len(inputs.evaluation.rows) == 150
    assert inputs.evaluation.rows[0] == evaluate.rows[0]
    alone = load_training_job(_spec(tmp_path, _csv(learn), None))
    assert alone.table.rows == learn.rows and alone.config.target == "target" and alone.evaluation is None
    outcome, _ = train_model(inputs.table, inputs.types, inputs.config, evaluation=inputs.evaluation)
    assert outcome.validation == "evaluation data set (150 rows)"

    # A column of the learning file missing from the eval file is named.
    header = tuple("town" if name == "income" else name for name in evaluate.header)
    with pytest.raises(ValueError, match="the evaluation data lacks columns of the learning data: 'income'"):
        load_training_job(_spec(tmp_path, _csv(learn), _csv(Table(header, evaluate.rows))))
    header = evaluate.header[:-1] + ("y",)
    with pytest.raises(ValueError, match="lacks columns of the learning data: 'target'"):
        load_training_job(_spec(tmp_path, _csv(learn), _csv(Table(header, evaluate.rows))))
