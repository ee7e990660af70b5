"""End to end: Table → train_model → ONNX, checked against the LightGBM booster it embeds."""

from __future__ import annotations

import json

import numpy as np
import onnx
import onnxruntime as ort
import pytest

from services.tabular import predictor
from services.tabular import schema as schema_module
from services.tabular.predictor import TabularPredictor
from services.tabular.schema import ProblemType
from services.tabular.table import Table
from services.tabular.tensors import input_tensors
from services.trainer.learning import export_check
from services.trainer.learning.config import ConfigError, TrainingConfig
from services.trainer.learning.export import schema_from_json
from services.trainer.learning.export_check import ExportError
from services.trainer.learning.pipeline import train_model

from .data import MIXED_TYPES, mixed_table, sklearn_table

BINARY = ProblemType.BINARY_CLASSIFICATION
MULTI = ProblemType.MULTI_CLASSIFICATION
REGRESSION = ProblemType.REGRESSION
HELD_OUT = 40


def _split(table: Table, held_out: int = HELD_OUT) -> tuple[Table, list[tuple[str, ...]]]:
    rng = np.random.default_rng(5)
    order = rng.permutation(len(table.rows))
    train_rows = [table.rows[index] for index in sorted(order[held_out:])]
    test_rows = [table.rows[index] for index in sorted(order[:held_out])]
    return Table(table.header, train_rows), test_rows


def _run(onnx_bytes: bytes, tensors: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    session = ort.InferenceSession(onnx_bytes, providers=["CPUExecutionProvider"])
    output = session.get_outputs()[0].name
    result, features = session.run([output, "features"], tensors)
    return result, features


def _check_against_booster(onnx_bytes: bytes, header, rows, problem_type: ProblemType) -> TabularPredictor:
    """ONNX output == booster on the graph's features; contributions == pred_contrib per column."""
    served = TabularPredictor(onnx_bytes)
    schema = schema_from_json(served_metadata(onnx_bytes)[predictor.METADATA_SCHEMA])
    tensors = input_tensors(schema.columns, header, rows)
    result, features = _run(onnx_bytes, tensors)
    booster = served.booster
    native = booster.predict(features)
    if problem_type is BINARY:
        assert result.shape == (len(rows), 2)
        np.testing.assert_allclose(result[:, 1], native, rtol=0, atol=1e-5)
        np.testing.assert_allclose(result.sum(axis=1), 1.0, atol=1e-6)
    elif problem_type is MULTI:
        assert result.shape == (len(rows), len(schema.class_labels))
        np.testing.assert_allclose(result, native, rtol=0, atol=1e-5)
    else:
        assert result.shape == (len(rows), 1)
        # float32 output: 1e-5 relative to the value past 1 (export_check.VERIFY_TOLERANCE).
        np.testing.assert_allclose(result[:, 0], native, rtol=1e-5, atol=1e-5)

    answer = served.predict(tensors, contributions=True)
    np.testing.assert_allclose(answer[served.output_name], result, rtol=1e-6, atol=1e-6)  # thread count
    contributions = answer[schema_module.CONTRIBUTIONS_OUTPUT]
    assert contributions.shape == (len(rows), len(schema.columns) + 1)
    assert contributions.dtype == np.float32
    raw = booster.predict(features, pred_contrib=True)
    width = features.shape[1] + 1
    if problem_type is MULTI:
        chosen = np.argmax(result, axis=1)
        raw = raw.reshape(len(rows), -1, width)[np.arange(len(rows)), chosen]
        raw_score = booster.predict(features, raw_score=True)[np.arange(len(rows)), chosen]
    elif problem_type is BINARY:
        # The reasons of the predicted class: a negative answer's are the positive class's, negated.
        sign = np.where(np.argmax(result, axis=1) == 1, 1.0, -1.0)
        raw = raw * sign[:, None]
        raw_score = booster.predict(features, raw_score=True) * sign
    else:
        raw_score = booster.predict(features, raw_score=True)
    owners = json.loads(served_metadata(onnx_bytes)[predictor.METADATA_FEATURES])["columns"]
    expected = np.zeros((len(rows), len(schema.columns) + 1))
    for feature, column in enumerate(owners):
        expected[:, column] += raw[:, feature]
    expected[:, -1] = raw[:, -1]
    np.testing.assert_allclose(contributions, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(contributions.sum(axis=1), raw_score, rtol=1e-4, atol=1e-4)
    return served


def served_metadata(onnx_bytes: bytes) -> dict[str, str]:
    model = onnx.load_from_string(onnx_bytes)
    return {entry.key: entry.value for entry in model.metadata_props}


@pytest.mark.parametrize(
    "name, problem_type, positive",
    [("breast_cancer", BINARY, "malignant"), ("iris", MULTI, None), ("diabetes", REGRESSION, None)],
)
def test_bundled_data_sets(name, problem_type, positive):
    table, types = sklearn_table(name)
    train_table, held_out = _split(table)
    config = TrainingConfig("target", problem_type, positive)
    outcome, onnx_bytes = train_model(train_table, types, config)
    _check_against_booster(onnx_bytes, table.header, held_out, problem_type)

    assert outcome.training_rows == len(train_table.rows)
    assert outcome.validation == "5-fold cross-validation, repeated 3 times"  # under 1,000 rows
    assert len(outcome.out_of_fold) == len(train_table.rows)  # every row, under CV
    assert [row.row_number for row in outcome.out_of_fold] == list(range(1, len(train_table.rows) + 1))
    assert outcome.schema.target_column == "target"
    assert [c.input_name for c in outcome.schema.columns] == [f"c{i}" for i in range(len(types))]
    assert sum(item.share for item in outcome.importance) == pytest.approx(1.0)
    gains = [item.gain for item in outcome.importance]
    assert gains == sorted(gains, reverse=True)
    if problem_type is BINARY:
        assert outcome.schema.class_labels == ("benign", "malignant")  # [negative, positive]
        assert outcome.schema.positive_class == "malignant"
        assert set(outcome.metrics) == {"auc", "accuracy", "precision", "recall", "f1", "log_loss"}
        assert outcome.metrics["auc"] > 0.95
        first = outcome.out_of_fold[0]
        assert first.actual == train_table.rows[0][-1] and first.predicted in outcome.schema.class_labels
        assert len(first.probabilities) == 2
    elif problem_type is MULTI:
        assert outcome.schema.class_labels == ("setosa", "versicolor", "virginica")
        assert outcome.metrics["accuracy"] > 0.85
        assert len(outcome.confusion_matrix) == 3
        assert sum(map(sum, outcome.confusion_matrix)) == len(train_table.rows)
    else:
        assert set(outcome.metrics) == {"rmse", "mae", "r2"}
        assert outcome.metrics["r2"] > 0.2
        assert outcome.confusion_matrix == ()
        float(outcome.out_of_fold[0].predicted)


@pytest.fixture(scope="module")
def mixed_models():
    """One model per problem type on the mixed table (held-out rows kept aside)."""
    models = {}
    for kind, problem_type, positive in (
        ("binary", BINARY, "yes"),
        ("multi", MULTI, None),
        ("regression", REGRESSION, None),
    ):
        table = mixed_table(kind=kind)
        train_table, held_out = _split(table, 60)
        config = TrainingConfig("target", problem_type, positive, cv=2, seed=1)
        models[kind] = (table, held_out, problem_type, *train_model(train_table, MIXED_TYPES, config))
    return models


@pytest.mark.parametrize("kind", ["binary", "multi", "regression"])
def test_every_column_type_exports_exactly(mixed_models, kind):
    table, held_out, problem_type, outcome, onnx_bytes = mixed_models[kind]
    assert [c.name for c in outcome.schema.columns] == ["age", "income", "city", "signup", "comment"]
    # Rows the model never saw, plus unseen categories, words, scripts and missing cells.
    strange = [
        ("x", "30", "500", "Naha", "2031-05-05", "never seen words here", ""),
        ("x", "", "", "", "", "", ""),
        ("x", "abc", "1,000,000", "tokyo", "1950-02-28 23:00:00", "素晴らしい", ""),
    ]
    served = _check_against_booster(onnx_bytes, table.header, held_out + strange, problem_type)
    booster_text = served.booster.model_to_string()
    if kind == "binary":
        assert outcome.metrics["accuracy"] > 0.75
        assert "num_cat=0" in booster_text and any(
            line.startswith("num_cat=") and line != "num_cat=0" for line in booster_text.split("\n")
        ), "expected LightGBM categorical splits on the city column"
    importance = {item.column: item.share for item in outcome.importance}
    assert set(importance) == {"age", "income", "city", "signup", "comment"}
    assert importance["comment"] > 0.05


def test_model_metadata_and_serving_shapes(mixed_models):
    table, held_out, _, outcome, onnx_bytes = mixed_models["binary"]
    metadata = served_metadata(onnx_bytes)
    assert schema_from_json(metadata[predictor.METADATA_SCHEMA]) == outcome.schema
    features = json.loads(metadata[predictor.METADATA_FEATURES])
    assert len(features["names"]) == len(features["columns"])
    assert "signup:weekday" in features["names"] and "comment:tokens" in features["names"]
    model = onnx.load_from_string(onnx_bytes)
    assert [output.name for output in model.graph.output] == ["probabilities", "features"]
    for value in list(model.graph.input) + list(model.graph.output):
        assert value.type.tensor_type.shape.dim[0].dim_param == "batch"

    served = TabularPredictor(onnx_bytes)
    tensors = input_tensors(outcome.schema.columns, table.header, held_out)
    batch = served.predict(tensors)["probabilities"]
    one_by_one = np.vstack(
        [
            served.predict(input_tensors(outcome.schema.columns, table.header, [row]))["probabilities"]
            for row in held_out
        ]
    )
    np.testing.assert_allclose(batch, one_by_one, atol=1e-7)
    # Triton hands string tensors over as bytes.
    as_bytes = {
        name: np.array([value.encode() for value in array.ravel()], dtype=object).reshape(array.shape)
        if array.dtype == object
        else array
        for name, array in tensors.items()
    }
    np.testing.assert_array_equal(served.predict(as_bytes)["probabilities"], batch)
    empty = served.predict({name: array[:0] for name, array in tensors.items()}, contributions=True)
    assert empty["probabilities"].shape == (0, 2) and empty["contributions"].shape == (0, 6)


def test_predictor_constants_mirror_schema():
    assert predictor.PROBABILITIES_OUTPUT == schema_module.PROBABILITIES_OUTPUT
    assert predictor.PREDICTION_OUTPUT == schema_module.PREDICTION_OUTPUT
    assert predictor.CONTRIBUTIONS_OUTPUT == schema_module.CONTRIBUTIONS_OUTPUT
    assert predictor.BINARY_CLASSIFICATION == schema_module.ProblemType.BINARY_CLASSIFICATION.value
    source = open(predictor.__file__, encoding="utf-8").read()
    assert "from services" not in source and "import services" not in source


def test_missing_targets_are_dropped_and_holdout_rows_reported():
    table = mixed_table(rows=200, kind="binary")
    rows = list(table.rows)
    rows[3] = rows[3][:-1] + ("",)
    rows[10] = rows[10][:-1] + ("NA",)
    outcome, _ = train_model(Table(table.header, rows), MIXED_TYPES, TrainingConfig("target", BINARY, "yes", cv=1))
    assert outcome.training_rows == 198
    assert "holdout" in outcome.validation
    assert abs(len(outcome.out_of_fold) - 198 * 0.2) <= 1
    numbers = {row.row_number for row in outcome.out_of_fold}
    assert not numbers & {4, 11}
    for row in outcome.out_of_fold:
        assert row.actual == rows[row.row_number - 1][-1]


def test_data_errors_are_config_errors():
    table = mixed_table(rows=60, kind="regression")
    rows = list(table.rows)
    rows[2] = rows[2][:-1] + ("lots",)
    with pytest.raises(ConfigError, match="data row 3 has 'lots'"):
        train_model(Table(table.header, rows), MIXED_TYPES, TrainingConfig("target", REGRESSION))
    with pytest.raises(ConfigError, match="no column 'nope'"):
        train_model(table, MIXED_TYPES, TrainingConfig("nope", REGRESSION))
    binary = mixed_table(rows=60, kind="binary")
    with pytest.raises(ConfigError, match="'maybe' is not among"):
        train_model(binary, MIXED_TYPES, TrainingConfig("target", BINARY, "maybe"))
    few_yes = [row[:-1] + ("yes" if index < 3 else "no",) for index, row in enumerate(binary.rows)]
    with pytest.raises(ConfigError, match="class 'yes' has 3"):
        train_model(Table(binary.header, few_yes), MIXED_TYPES, TrainingConfig("target", BINARY, "yes", cv=4))


def test_export_is_verified(monkeypatch):
    monkeypatch.setattr(export_check, "VERIFY_TOLERANCE", -1.0)
    table, types = sklearn_table("iris")
    with pytest.raises(ExportError, match="differs from LightGBM"):
        train_model(table, types, TrainingConfig("target", MULTI, cv=2))


def test_progress_phases_in_order():
    table, types = sklearn_table("iris")
    calls = []
    train_model(table, types, TrainingConfig("target", MULTI, cv=3), progress=lambda *call: calls.append(call))
    phases = []
    for phase, _, _ in calls:
        if not phases or phases[-1] != phase:
            phases.append(phase)
    assert phases == ["preparing", "searching", "cross_validation", "fitting", "exporting"]
    assert calls[-1] == ("exporting", 0, 100.0)
