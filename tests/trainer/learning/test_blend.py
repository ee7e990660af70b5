"""Blends of LightGBM models merged into one model: raw scores, probabilities and reasons equal
the weighted blend of the members', for binary, multiclass and regression, with categoricals."""

from __future__ import annotations

from types import SimpleNamespace

import lightgbm as lgb
import numpy as np
import pytest

from services.tabular.schema import ProblemType
from services.trainer.learning import ensemble, training
from services.trainer.learning.blend import merge_boosters, select_weights
from services.trainer.learning.config import TrainingConfig
from services.trainer.learning.pipeline import train_model
from services.trainer.learning.validation import ValidationPlan

from .data import sklearn_table
from .test_pipeline import _check_against_booster as check_against_booster
from .test_pipeline import _split as split_for_test

ROWS = 600


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    numbers = rng.standard_normal((ROWS, 4))
    numbers[rng.random((ROWS, 4)) < 0.05] = np.nan  # missing values take LightGBM's default branches
    category = rng.integers(0, 6, ROWS).astype(np.float64)
    return np.column_stack([numbers, category]), rng.random(ROWS)


def _boosters(objective: dict, labels: np.ndarray, features: np.ndarray) -> list[lgb.Booster]:
    settings = (
        {"num_leaves": 7, "learning_rate": 0.1, "min_data_in_leaf": 20},
        {"num_leaves": 31, "learning_rate": 0.05, "min_data_in_leaf": 5, "lambda_l2": 1.0},
        {"num_leaves": 3, "learning_rate": 0.3, "min_data_in_leaf": 40, "feature_fraction": 0.8},
    )
    return [
        lgb.train(
            {**objective, **extra, "verbose": -1, "seed": 0, "num_threads": 1},
            lgb.Dataset(features, labels, categorical_feature=[4]),
            num_boost_round=rounds,
        )
        for extra, rounds in zip(settings, (30, 60, 15))
    ]


@pytest.mark.parametrize(
    ("objective", "labels_of"),
    [
        ({"objective": "binary"}, lambda f, u: (np.nan_to_num(f[:, 0]) + (f[:, 4] == 2) + u > 1.0).astype(float)),
        ({"objective": "multiclass", "num_class": 3}, lambda f, u: np.digitize(np.nan_to_num(f[:, 1]) + u, [0, 1.0])),
        ({"objective": "regression"}, lambda f, u: 3 * np.nan_to_num(f[:, 2]) + f[:, 4] + u),
    ],
    ids=["binary", "multiclass", "regression"],
)
def test_a_merged_model_answers_as_the_weighted_blend_of_its_members(objective, labels_of):
    features, noise = _data()
    boosters = _boosters(objective, labels_of(features, noise), features)
    weights = [0.5, 0.3, 0.2]
    merged = merge_boosters(boosters, weights)

    expected_raw = sum(w * b.predict(features, raw_score=True) for w, b in zip(weights, boosters))
    np.testing.assert_allclose(merged.predict(features, raw_score=True), expected_raw, rtol=0, atol=1e-9)
    contributions = merged.predict(features, pred_contrib=True)
    classes = objective.get("num_class", 1)
    per_class = contributions.reshape(ROWS, classes, -1).sum(axis=2)
    np.testing.assert_allclose(per_class.reshape(expected_raw.shape), expected_raw, atol=1e-9)
    assert merged.num_trees() == sum(b.num_trees() for b in boosters)


def test_models_of_different_problems_are_not_blended():
    features, noise = _data()
    binary = _boosters({"objective": "binary"}, (noise > 0.5).astype(float), features)[0]
    regression = _boosters({"objective": "regression"}, noise, features)[0]
    with pytest.raises(ValueError, match="objective"):
        merge_boosters([binary, regression], [0.5, 0.5])


def test_greedy_selection_keeps_the_better_member_and_is_deterministic():
    truth = np.linspace(-1, 1, 50)
    good, poor, other = truth + 0.01, truth + 1.0, -truth

    def squared(blend: np.ndarray) -> float:
        return float(np.mean((blend - truth) ** 2))

    weights = select_weights([poor, good, other], squared)
    assert weights.argmax() == 1 and weights.sum() == pytest.approx(1.0)
    assert squared(sum(w * m for w, m in zip(weights, [poor, good, other]))) <= squared(good)
    np.testing.assert_array_equal(weights, select_weights([poor, good, other], squared))


@pytest.mark.parametrize(
    ("name", "problem_type", "positive"),
    [("breast_cancer", ProblemType.BINARY_CLASSIFICATION, "malignant"), ("diabetes", ProblemType.REGRESSION, None)],
)
def test_a_kept_blend_exports_one_model_whose_answers_and_reasons_equal_the_native_ones(
    monkeypatch, name, problem_type, positive
):
    monkeypatch.setattr(ensemble, "MIN_GAIN", -1.0)  # keep any blend of two or more members
    table, types = sklearn_table(name)
    train_table, held_out = split_for_test(table)
    outcome, onnx_bytes = train_model(train_table, types, TrainingConfig("target", problem_type, positive))

    blended = outcome.chosen_parameters["search_summary"]["ensemble"]
    assert len([member for member in blended["members"] if member["weight"] > 0]) >= 2
    assert sum(member["weight"] for member in blended["members"]) == pytest.approx(1.0)
    check_against_booster(onnx_bytes, table.header, held_out, problem_type)


def _two_fold_regression(seed: int):
    """A random target in two folds of 100 rows: (its rng, the labels, the data, the plan)."""
    rng = np.random.default_rng(seed)
    labels = rng.standard_normal(200)
    data = SimpleNamespace(labels=labels, problem_type=ProblemType.REGRESSION)
    halves = (np.arange(100), np.arange(100, 200))
    plan = ValidationPlan(((halves[1], halves[0]), (halves[0], halves[1])), "2-fold", holdout=False)
    return rng, labels, data, plan


def test_a_blend_is_kept_only_when_it_beats_the_chosen_configuration_out_of_fold():
    rng, labels, data, plan = _two_fold_regression(seed=3)
    noise, other_noise = rng.standard_normal(200), rng.standard_normal(200)
    chosen = ensemble.Member(1, {}, labels + noise, [10, 10])
    independent = ensemble.Member(2, {}, labels + other_noise, [10, 10])  # averaging halves the noise
    echo = ensemble.Member(3, {}, labels + 1.01 * noise, [10, 10])  # the same errors, a little larger

    kept = ensemble.blend_if_better(data, plan, chosen, [independent])
    assert kept is not None and kept.loss < 0.7 * kept.single_loss
    np.testing.assert_allclose(kept.weights, [0.52, 0.48], atol=0.1)
    assert ensemble.blend_if_better(data, plan, chosen, [echo]) is None


def test_a_blend_may_be_another_member_alone_when_it_beats_the_chosen_configuration():
    rng, labels, data, plan = _two_fold_regression(seed=4)
    poor = ensemble.Member(1, {}, labels + rng.standard_normal(200), [10, 10])
    close = ensemble.Member(-1, {}, labels + 0.01 * rng.standard_normal(200), [], name="linear model (strength 1)")
    kept = ensemble.blend_if_better(data, plan, poor, [close])
    assert kept is not None and kept.weights.tolist() == [0.0, 1.0]
    assert kept.summary()["members"][1] == {"trial": -1, "weight": 1.0, "name": "linear model (strength 1)"}


def test_a_blend_whose_refits_would_overrun_the_budget_is_dropped(monkeypatch):
    monkeypatch.setattr(ensemble, "MIN_GAIN", -1.0)  # a blend is found...
    monkeypatch.setattr(training, "REFIT_GRACE_S", -1e6)  # ...but its refits can never end in time
    table, types = sklearn_table("breast_cancer")
    config = TrainingConfig("target", ProblemType.BINARY_CLASSIFICATION, "malignant")
    outcome, onnx_bytes = train_model(table, types, config)
    summary = outcome.chosen_parameters["search_summary"]
    assert "ensemble" not in summary and "would not fit in the time budget" in summary["ensemble_dropped"]
    assert onnx_bytes


def test_a_small_table_trains_on_one_thread(monkeypatch):
    threads = []
    real = training.TrainingData

    def recording(*args, **kwargs):
        threads.append(kwargs["num_threads"])
        return real(*args, **kwargs)

    monkeypatch.setattr(training, "TrainingData", recording)
    monkeypatch.setattr(training, "SINGLE_THREAD_CELLS", 1_000)  # the real bound is millions of cells
    for rows in (100, 251):  # 4 features: under and over the bound
        features, labels = _data()[0][:, :4], np.arange(rows) % 2
        features = np.resize(features, (rows, 4))
        plan = ValidationPlan(((np.arange(rows // 2, rows), np.arange(rows // 2)),), "holdout", holdout=True)
        training.train(
            features,
            labels.astype(np.float64),
            problem_type=ProblemType.BINARY_CLASSIFICATION,
            n_classes=2,
            categorical_features=[],
            validation=plan,
            time_budget_s=0.5,
            num_threads=2,
        )
    assert threads == [1, 2]
