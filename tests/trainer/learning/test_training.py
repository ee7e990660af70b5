from __future__ import annotations

import time

import numpy as np
import pytest

from services.tabular.schema import ProblemType
from services.trainer.learning import boosting, ensemble, search
from services.trainer.learning.boosting import class_weights
from services.trainer.learning.config import ConfigError
from services.trainer.learning.training import refit_rounds, train
from services.trainer.learning.validation import plan_validation

BINARY = ProblemType.BINARY_CLASSIFICATION
MULTI = ProblemType.MULTI_CLASSIFICATION
REGRESSION = ProblemType.REGRESSION


def _binary(rows: int, positive_share: float = 0.5, seed: int = 0):
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(rows, 5)).astype(np.float32)
    score = features[:, 0] + 0.5 * features[:, 1] + rng.normal(0, 0.5, rows)
    labels = (score > np.quantile(score, 1 - positive_share)).astype(np.int64)
    return features, labels


def _covers_every_row_once(plan, rows):
    """Once per repeat: each repeat's splits partition the rows."""
    per_repeat = len(plan.splits) // plan.repeats
    for repeat in range(plan.repeats):
        splits = plan.splits[repeat * per_repeat : (repeat + 1) * per_repeat]
        valid = np.concatenate([valid for _, valid in splits])
        assert sorted(valid.tolist()) == list(range(rows))
    for train_rows, valid_rows in plan.splits:
        assert not set(train_rows.tolist()) & set(valid_rows.tolist())


@pytest.mark.parametrize(
    "cv, rows, folds, repeats, holdout",
    [
        (0, 200, 5, 3, False),
        (0, 999, 5, 3, False),
        (0, 1_000, 5, 1, False),
        (0, 50_001, 1, 1, True),
        (-1, 300, 10, 3, False),
        (-1, 1_000, 5, 1, False),
        (1, 200, 1, 1, True),
        (3, 200, 3, 1, False),  # an explicit k is not repeated
    ],
)
def test_validation_plan_follows_cv(cv, rows, folds, repeats, holdout):
    labels = np.arange(rows) % 2
    plan = plan_validation(cv, labels, BINARY, seed=0)
    assert len(plan.splits) == folds * repeats and plan.repeats == repeats and plan.holdout is holdout
    assert len(plan.first_repeat) == folds
    if holdout:
        ((train_rows, valid_rows),) = plan.splits
        assert abs(len(valid_rows) - rows * 0.2) <= 1 and len(train_rows) + len(valid_rows) == rows
        assert "holdout" in plan.description
    else:
        _covers_every_row_once(plan, rows)
        repeated = f", repeated {repeats} times" if repeats > 1 else ""
        assert plan.description == f"{folds}-fold cross-validation{repeated}"
    if repeats > 1:  # each repeat shuffles anew
        assert not np.array_equal(plan.splits[0][1], plan.splits[folds][1])


def test_stratified_folds_and_small_classes():
    labels = np.array([0] * 90 + [1] * 7 + [2] * 3)
    plan = plan_validation(0, labels, MULTI, seed=0)  # auto shrinks k to the smallest class
    assert len(plan.first_repeat) == 3
    for _, valid in plan.splits:
        assert set(labels[valid].tolist()) == {0, 1, 2}
    with pytest.raises(ConfigError, match="class 'rare' has 3"):
        plan_validation(5, labels, MULTI, seed=0, class_names=["common", "some", "rare"])
    with pytest.raises(ConfigError, match="at least 2 rows of every class"):
        plan_validation(1, np.array([0] * 20 + [1]), BINARY, seed=0)
    with pytest.raises(ConfigError, match="need at least 50 rows"):
        plan_validation(50, np.arange(20, dtype=float), REGRESSION, seed=0)


def test_class_weights_balance_classes():
    labels = np.array([0] * 8 + [1] * 2)
    weights = class_weights(labels, 2)
    assert weights[0] == pytest.approx(10 / (2 * 8)) and weights[-1] == pytest.approx(10 / (2 * 2))
    assert weights[labels == 0].sum() == pytest.approx(weights[labels == 1].sum())


def _fit(features, labels, **kwargs):
    plan = plan_validation(kwargs.pop("cv", 0), labels, BINARY, seed=0)
    return train(
        features,
        labels,
        problem_type=BINARY,
        n_classes=2,
        categorical_features=(),
        validation=plan,
        **kwargs,
    )


def test_imbalance_weighting_changes_the_model():
    rng = np.random.default_rng(0)
    features = rng.normal(size=(600, 3)).astype(np.float32)
    labels = (rng.random(600) < 0.1).astype(np.int64)  # 10% positives, no signal
    plain = _fit(features, labels, cv=1)
    weighted = _fit(features, labels, cv=1, imbalance=True)
    assert plain.parameters["class_weighting"] == "none"
    assert weighted.parameters["class_weighting"] == "balanced"
    # Unweighted, the model predicts the 10% prior; balanced weights pull it toward 50%.
    assert plain.booster.predict(features).mean() < 0.15
    assert weighted.booster.predict(features).mean() > 0.18
    assert weighted.oof_predictions[:, 1].mean() > plain.oof_predictions[:, 1].mean() + 0.05


def test_cross_validation_gives_every_row_an_out_of_fold_prediction():
    features, labels = _binary(300)
    seen = []
    model = _fit(features, labels, cv=3, progress=lambda *call: seen.append(call))
    assert model.oof_rows.tolist() == list(range(300))
    assert model.oof_predictions.shape == (300, 2) and not np.isnan(model.oof_predictions).any()
    assert len(model.parameters["fold_best_iterations"]) == 3
    phases = [phase for phase, _, _ in seen]
    assert phases.index("searching") < phases.index("cross_validation") < phases.index("fitting")
    assert [fold for phase, fold, _ in seen if phase == "cross_validation"] == [1, 2, 3]
    percents = [percent for _, _, percent in seen]
    assert percents == sorted(percents)


def test_repeated_folds_give_each_row_the_mean_of_its_repeats_and_the_refit_every_splits_median():
    features, labels = _binary(300)
    model = _fit(features, labels, cv=0)  # auto, under 1,000 rows: 5 folds, 3 times
    assert model.validation.repeats == 3 and len(model.validation.splits) == 15
    assert model.oof_rows.tolist() == list(range(300))  # each row once, not once per repeat
    iterations = model.parameters["fold_best_iterations"]
    assert len(iterations) == 15 and model.parameters["num_iterations"] == refit_rounds(iterations)
    np.testing.assert_allclose(model.oof_predictions.sum(axis=1), 1.0)
    assert model.search_summary["judged_on"] == "every fold of the first repeat"


def test_out_of_fold_means_average_the_splits_that_validate_a_row():
    oof = ensemble.OutOfFold(np.zeros((4, 2)))
    oof.add(np.array([0, 1]), np.array([[0.2, 0.8], [0.6, 0.4]]))
    oof.add(np.array([1, 2]), np.array([[0.4, 0.6], [0.5, 0.5]]))
    np.testing.assert_allclose(oof.means(np.array([0, 1, 2])), [[0.2, 0.8], [0.5, 0.5], [0.5, 0.5]])
    values = ensemble.OutOfFold(np.zeros(3))
    values.add(np.array([0, 2]), np.array([1.0, 3.0]))
    values.add(np.array([0]), np.array([2.0]))
    np.testing.assert_allclose(values.means(np.array([0, 2])), [1.5, 3.0])


def test_holdout_predicts_only_holdout_rows():
    features, labels = _binary(300)
    model = _fit(features, labels, cv=1)
    assert len(model.oof_rows) == 60 and model.oof_predictions.shape == (60, 2)


def test_time_budget_stops_the_search(monkeypatch):
    fast = {"num_leaves": 7, "learning_rate": 0.3, "min_data_in_leaf": 20}
    # No early stop in sight: only the budget ends this one.
    slow = {"num_leaves": 63, "learning_rate": 0.0001, "min_data_in_leaf": 5}
    monkeypatch.setattr(search, "suggest", lambda trial, _: dict(fast if trial.number == 0 else slow))
    monkeypatch.setattr(boosting, "MAX_ROUNDS", 100_000)
    features, labels = _binary(3_000)
    plan = plan_validation(1, labels, BINARY, seed=0)
    started = time.monotonic()
    model = train(
        features,
        labels,
        problem_type=BINARY,
        n_classes=2,
        categorical_features=(),
        validation=plan,
        time_budget_s=0.5,
    )
    elapsed = time.monotonic() - started
    assert [entry["finished"] for entry in model.search] == [True, False]
    assert model.parameters["learning_rate"] == 0.3  # the finished candidate is kept
    assert elapsed < 3.0


def test_same_seed_same_model():
    features, labels = _binary(300)
    first = _fit(features, labels, cv=2, seed=7)
    second = _fit(features, labels, cv=2, seed=7)
    assert first.booster.model_to_string() == second.booster.model_to_string()
