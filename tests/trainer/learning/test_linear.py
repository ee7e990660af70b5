"""The blend's linear member: its inputs, its trees (equal to the linear model, with reasons that
sum), and its place in the blend (kept where the classes part along a slanted line, not where
they do not)."""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pytest

from services.tabular.column_types import ColumnType
from services.tabular.schema import ProblemType
from services.tabular.table import Table
from services.trainer.learning import linear
from services.trainer.learning.boosting import TrainingData
from services.trainer.learning.config import TrainingConfig
from services.trainer.learning.pipeline import train_model
from services.trainer.learning.validation import ValidationPlan

from .test_pipeline import _check_against_booster as check_against_booster

ROWS = 400
CATEGORY = 3  # the feature index of the categorical column in _features


def _features(rows: int, seed: int) -> np.ndarray:
    """Two numbers with missing values, a number of few values, a categorical code, a constant."""
    rng = np.random.default_rng(seed)
    matrix = np.column_stack(
        [
            rng.standard_normal(rows),
            rng.gamma(2.0, 3.0, rows),
            rng.integers(0, 5, rows).astype(np.float64),
            rng.integers(0, 4, rows).astype(np.float64),
            np.full(rows, 7.0),
        ]
    ).astype(np.float32)
    matrix[rng.random(rows) < 0.1, 0] = np.nan
    matrix[rng.random(rows) < 0.05, 1] = np.nan
    matrix[rng.random(rows) < 0.05, CATEGORY] = np.nan
    return matrix


def _labels(features: np.ndarray, problem_type: ProblemType, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    numbers = np.nan_to_num(features)
    score = (
        numbers[:, 0]
        + 0.3 * numbers[:, 1]
        - 0.5 * numbers[:, 2]
        + (numbers[:, CATEGORY] == 2)
        + rng.logistic(size=len(features))
    )
    if problem_type is ProblemType.REGRESSION:
        return score
    if problem_type is ProblemType.BINARY_CLASSIFICATION:
        return (score > np.median(score)).astype(np.float64)
    return np.digitize(score, np.quantile(score, [1 / 3, 2 / 3])).astype(np.float64)


def _data(problem_type: ProblemType, features: np.ndarray, labels: np.ndarray, imbalance: bool = False) -> TrainingData:
    return TrainingData(
        features,
        labels,
        problem_type=problem_type,
        n_classes=3 if problem_type is ProblemType.MULTI_CLASSIFICATION else 2,
        categorical_features=[CATEGORY],
        imbalance=imbalance,
        seed=0,
        num_threads=1,
        shared_bins=True,
    )


def _template(data: TrainingData) -> lgb.Booster:
    """A small booster of the same problem, whose header the linear trees take."""
    return data.fit_final({"num_leaves": 4, "learning_rate": 0.1, "min_data_in_leaf": 20}, None, 2)


PROBLEMS = [ProblemType.BINARY_CLASSIFICATION, ProblemType.MULTI_CLASSIFICATION, ProblemType.REGRESSION]


@pytest.mark.parametrize("problem_type", PROBLEMS, ids=["binary", "multiclass", "regression"])
def test_the_linear_trees_answer_as_the_linear_model_and_their_reasons_sum_to_it(problem_type):
    features = _features(ROWS, seed=1)
    data = _data(
        problem_type, features, _labels(features, problem_type, seed=2), imbalance=problem_type.is_classification
    )
    booster = linear.linear_booster(data, 1.0, None, _template(data))

    inputs = linear.LinearInputs(features, [CATEGORY])
    fitted = linear.fit_linear(data, np.arange(ROWS), inputs.design(features), 1.0)
    unseen = _features(50, seed=3)
    unseen[0, CATEGORY] = 9.0  # a code the training rows never held: as a missing one
    unseen[1, 0], unseen[2, 1] = 1e6, -1e6  # far outside the training range: the outermost bins
    unseen[3, :] = np.nan
    unseen[4, 0], unseen[5, 1] = np.inf, -np.inf  # as a missing value, and into the first bin
    expected = fitted.raw(inputs.design(unseen), problem_type)
    raw = booster.predict(unseen, raw_score=True)
    np.testing.assert_allclose(raw, expected, rtol=0, atol=1e-9)
    as_missing = unseen[:1].copy()
    as_missing[0, CATEGORY] = np.nan
    np.testing.assert_allclose(raw[:1], booster.predict(as_missing, raw_score=True), rtol=0, atol=1e-12)

    classes = 3 if problem_type is ProblemType.MULTI_CLASSIFICATION else 1
    contributions = booster.predict(unseen, pred_contrib=True).reshape(len(unseen), classes, -1)
    np.testing.assert_allclose(contributions.sum(axis=2).reshape(raw.shape), raw, atol=1e-9)
    assert np.all(contributions[:, :, 4] == 0.0)  # the constant feature is no input and no reason
    # The trees' feature importance follows the coefficients: the categorical code's is not 0.
    assert booster.feature_importance("gain")[CATEGORY] > 0 and booster.feature_importance("gain")[4] == 0


def test_inputs_are_standardised_values_one_hot_codes_and_zero_for_missing():
    features = np.array([[1.0, 0.0], [2.0, 1.0], [3.0, np.nan], [np.nan, 1.0]], dtype=np.float32)
    inputs = linear.LinearInputs(features, categorical=[1])
    design = inputs.design(features)
    values = np.array([1.0, 2.0, 3.0])
    standardised = (values - values.mean()) / values.std()
    np.testing.assert_allclose(design[:3, 0], standardised)
    assert design[3, 0] == 0.0  # a missing number is the training mean
    one_hot = np.array([[1, 0], [0, 1], [0, 0], [0, 1]], dtype=np.float64)
    np.testing.assert_allclose(design[:, 1:], (one_hot - one_hot.mean(axis=0)) / one_hot.std(axis=0))


def test_many_distinct_values_are_binned_by_quantile_with_no_empty_bin():
    values = np.random.default_rng(0).standard_normal(5_000).astype(np.float32)[:, None]
    inputs = linear.LinearInputs(values, categorical=[])
    (feature,) = inputs.features
    assert len(feature.thresholds) + 1 <= linear.MAX_BINS
    assert np.all(feature.counts > 0)
    assert len(np.unique(inputs.design(values))) == len(feature.counts)


def test_nothing_to_fit_is_not_applicable():
    constant = np.column_stack([np.full(30, 2.0), np.full(30, np.nan)]).astype(np.float32)
    with pytest.raises(linear.NotApplicable):
        linear.LinearInputs(constant, categorical=[1])


def _slanted_table(rows: int, seed: int, slanted: bool) -> tuple[Table, dict[str, ColumnType]]:
    """Two numbers; the class is which side of the line x + y = 0 a row lies (slanted), or whether
    x and y share a sign (no line separates that)."""
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal(rows), rng.standard_normal(rows)
    positive = (x + y + 0.3 * rng.standard_normal(rows) > 0) if slanted else (x * y > 0)
    body = [(f"{a:.5f}", f"{b:.5f}", "yes" if label else "no") for a, b, label in zip(x, y, positive)]
    return Table(("x", "y", "target"), body), {"x": ColumnType.FLOAT, "y": ColumnType.FLOAT}


def _linear_weight(outcome) -> float:
    blended = outcome.chosen_parameters["search_summary"].get("ensemble", {"members": []})
    return sum(member["weight"] for member in blended["members"] if member["trial"] == linear.LINEAR_TRIAL)


def test_the_blend_takes_the_linear_member_where_a_slanted_line_parts_the_classes_and_exports_it():
    table, types = _slanted_table(600, seed=4, slanted=True)
    held_out = list(_slanted_table(100, seed=5, slanted=True)[0].rows)
    config = TrainingConfig("target", ProblemType.BINARY_CLASSIFICATION, "yes", time_budget_s=10.0)
    outcome, onnx_bytes = train_model(table, types, config)
    summary = outcome.chosen_parameters["search_summary"]
    assert _linear_weight(outcome) > 0.3
    assert summary["ensemble"]["out_of_fold_loss"] < 0.95 * summary["ensemble"]["chosen_alone_out_of_fold_loss"]
    assert any(member.get("name", "").startswith("linear model") for member in summary["ensemble"]["members"])
    check_against_booster(onnx_bytes, table.header, held_out, ProblemType.BINARY_CLASSIFICATION)


def test_the_blend_leaves_the_linear_member_out_where_no_line_parts_the_classes():
    table, types = _slanted_table(600, seed=6, slanted=False)
    config = TrainingConfig("target", ProblemType.BINARY_CLASSIFICATION, "yes", time_budget_s=10.0)
    outcome, _ = train_model(table, types, config)
    assert _linear_weight(outcome) == 0.0


def test_the_linear_member_is_not_applicable_when_a_split_lacks_a_class():
    features = _features(40, seed=7)
    labels = np.zeros(40)
    labels[:2] = 1.0
    data = _data(ProblemType.BINARY_CLASSIFICATION, features, labels)
    negatives = np.arange(2, 40)  # training rows of one class only
    design = linear.LinearInputs(features[negatives], [CATEGORY]).design(features[negatives])
    with pytest.raises(linear.NotApplicable, match="lack a class"):
        linear.fit_linear(data, negatives, design, 1.0)


def test_the_refit_learns_its_bins_and_weights_from_the_refit_rows_only():
    features = _features(300, seed=8)
    features[200:, 0] += 1000.0  # rows the refit must not see (an evaluation data set's)
    labels = _labels(features, ProblemType.REGRESSION, seed=9)
    data = _data(ProblemType.REGRESSION, features, labels)
    learning = np.arange(200)
    booster = linear.linear_booster(data, 1.0, learning, _template(data))
    dumped = booster.dump_model()["tree_info"]

    def thresholds(node):
        if "split_index" not in node:
            return []
        own = [node["threshold"]] if node["split_feature"] == 0 else []
        return own + thresholds(node["left_child"]) + thresholds(node["right_child"])

    found = [value for tree in dumped for value in thresholds(tree["tree_structure"]) if value < 1e30]
    assert found and max(found) < 10.0
    alone = linear.LinearInputs(features[learning], [CATEGORY])
    fitted = linear.fit_linear(data, learning, alone.design(features[learning]), 1.0)
    np.testing.assert_allclose(
        booster.predict(features[learning], raw_score=True),
        fitted.raw(alone.design(features[learning]), data.problem_type),
        atol=1e-9,
    )


def test_a_multiclass_model_past_its_work_bound_is_not_applicable_where_a_binary_one_is(monkeypatch):
    features = _features(ROWS, seed=10)
    plan_rows = np.arange(ROWS)
    plan = ValidationPlan(((plan_rows[100:], plan_rows[:100]),), "holdout", holdout=True)
    monkeypatch.setattr(linear, "MAX_CLASS_CELLS", ROWS * 8)  # fewer than rows x inputs x 3 classes
    multi = _data(ProblemType.MULTI_CLASSIFICATION, features, _labels(features, ProblemType.MULTI_CLASSIFICATION, 11))
    with pytest.raises(linear.NotApplicable):
        linear.cross_validated(multi, plan)
    binary = _data(
        ProblemType.BINARY_CLASSIFICATION, features, _labels(features, ProblemType.BINARY_CLASSIFICATION, 11)
    )
    assert linear.cross_validated(binary, plan).oof_predictions.shape == (100, 2)
