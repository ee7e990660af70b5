"""LightGBM on one run's feature matrix: its parameters, its binned datasets, one fit.

Under a single split (a holdout, an evaluation data set, the time-ordered holdout of
time-series mode) the histogram bins are computed from the split's training rows alone and the
validation rows are binned with them, so nothing about the validation rows shapes the models
they judge; k folds share bins computed once from all rows (cheaper, and every row is a
validation row of some fold anyway).

Labels are integer codes 0..K-1 in schema.class_labels order (the pipeline picks that order;
binary: 0 negative, 1 positive), so LightGBM's probability columns are already in that order.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import lightgbm as lgb
import numpy as np

from services.tabular.schema import ProblemType

MAX_ROUNDS = 1000
EARLY_STOPPING_ROUNDS = 30
# The parameters TrainedModel.parameters reports, besides the round counts.
REPORTED_PARAMETERS = ("objective", "num_leaves", "learning_rate", "min_data_in_leaf", "lambda_l2", "feature_fraction")

Candidate = dict[str, float]  # the searched parameters (num_leaves, learning_rate, ...)
# on_round(round, validation loss): called after every boosting round; may raise to stop the fit.
OnRound = Callable[[int, float], None]


class BudgetSpent(Exception):
    """The search's time budget ran out while a candidate was still training."""


@dataclass(frozen=True)
class BinnedSplit:
    train_rows: np.ndarray
    valid_rows: np.ndarray
    train_set: lgb.Dataset
    valid_set: lgb.Dataset


@dataclass(frozen=True)
class SplitFit:
    """One candidate trained on one split with early stopping."""

    best_iteration: int
    validation_loss: float  # the first metric (log loss / L2) at best_iteration
    predictions: np.ndarray  # the split's validation rows, as TrainedModel.oof_predictions holds them


class TrainingData:
    """The rows LightGBM learns from, binned into datasets as each step asks for them."""

    def __init__(
        self,
        features: np.ndarray,
        labels: np.ndarray,
        *,
        problem_type: ProblemType,
        n_classes: int,
        categorical_features: Sequence[int],
        imbalance: bool,
        seed: int,
        num_threads: int,
        shared_bins: bool,
    ) -> None:
        """`shared_bins`: k folds, binned once from all rows (see the module doc)."""
        self.features = features
        self.labels = labels
        self.problem_type = problem_type
        self.n_classes = n_classes
        self.imbalance = imbalance
        self.base = base_parameters(problem_type, n_classes, seed, num_threads)
        self._categorical = list(categorical_features)
        self._shared_bins = shared_bins
        self._all_rows: lgb.Dataset | None = None

    @property
    def rows(self) -> int:
        return len(self.labels)

    @property
    def categorical_features(self) -> list[int]:
        return list(self._categorical)

    def split(self, train_rows: np.ndarray, valid_rows: np.ndarray) -> BinnedSplit:
        if not self._shared_bins:
            train_set = self._dataset(np.asarray(train_rows))
            valid_set = self._dataset(np.asarray(valid_rows), reference=train_set)
            return BinnedSplit(train_rows, valid_rows, train_set, valid_set)
        every_row = self._binned_once()
        train_set = every_row.subset(_row_list(train_rows))
        if self.imbalance:
            train_set.construct()
            train_set.set_weight(class_weights(self.labels[train_rows], self.n_classes))
        return BinnedSplit(train_rows, valid_rows, train_set, every_row.subset(_row_list(valid_rows)))

    def fit(
        self,
        candidate: Candidate,
        split: BinnedSplit,
        deadline: float | None = None,
        on_round: OnRound | None = None,
    ) -> SplitFit:
        """Train with early stopping on the split's validation rows; BudgetSpent past `deadline`;
        `on_round` is told each round's validation loss (the search prunes there)."""
        params = candidate_parameters(self.base, candidate, len(split.train_rows))
        callbacks: list[Callable[..., Any]] = [
            lgb.early_stopping(EARLY_STOPPING_ROUNDS, first_metric_only=True, verbose=False)
        ]
        if deadline is not None or on_round is not None:
            callbacks.append(_watch(deadline, on_round))
        booster = lgb.train(
            params,
            split.train_set,
            MAX_ROUNDS,
            valid_sets=[split.valid_set],
            valid_names=["valid"],
            callbacks=callbacks,
        )
        best = max(booster.best_iteration, 1)
        score = float(booster.best_score["valid"][params["metric"]])
        predicted = predict(booster, self.features[split.valid_rows], self.problem_type, best)
        return SplitFit(best_iteration=best, validation_loss=score, predictions=predicted)

    def fit_final(self, candidate: Candidate, refit_rows: np.ndarray | None, rounds: int) -> lgb.Booster:
        """`rounds` rounds on all rows (`None`) or on the sorted `refit_rows`, no validation."""
        params = candidate_parameters(self.base, candidate, self.rows if refit_rows is None else len(refit_rows))
        return lgb.train(params, self._final_set(refit_rows), rounds)

    def _final_set(self, refit_rows: np.ndarray | None) -> lgb.Dataset:
        if refit_rows is None and self._all_rows is not None:  # k folds: all rows are binned already
            if self.imbalance:
                self._all_rows.set_weight(class_weights(self.labels, self.n_classes))
            return self._all_rows
        return self._dataset(refit_rows)

    def _binned_once(self) -> lgb.Dataset:
        if self._all_rows is None:
            self._all_rows = lgb.Dataset(
                self.features,
                label=self.labels,
                categorical_feature=self._categorical,
                params=dataset_parameters(self.base),
                free_raw_data=False,
            ).construct()
        return self._all_rows

    def _dataset(self, selected: np.ndarray | None, reference: lgb.Dataset | None = None) -> lgb.Dataset:
        """`selected` rows (None: all), binned on their own or, with `reference`, with its bins."""
        if selected is None:
            data, target = self.features, self.labels
        else:
            data, target = self.features[selected], self.labels[selected]
        weight = class_weights(target, self.n_classes) if self.imbalance and reference is None else None
        return lgb.Dataset(
            data,
            label=target,
            weight=weight,
            reference=reference,
            categorical_feature=self._categorical,
            params=dataset_parameters(self.base),
            free_raw_data=False,
        ).construct()


def class_weights(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Per-row weights n / (K · n_class) ("balanced"): every class weighs the same in total."""
    counts = np.bincount(labels.astype(np.int64), minlength=n_classes).astype(np.float64)
    present = counts > 0
    per_class = np.zeros(n_classes)
    per_class[present] = len(labels) / (present.sum() * counts[present])
    return per_class[labels.astype(np.int64)]


def base_parameters(problem_type: ProblemType, n_classes: int, seed: int, num_threads: int) -> dict[str, Any]:
    """What every model of a run shares: objective, metric, seed, threads, binning."""
    params: dict[str, Any] = {
        "verbosity": -1,
        "seed": seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": num_threads,
        "max_bin": 255,
        "feature_pre_filter": False,
    }
    if problem_type is ProblemType.BINARY_CLASSIFICATION:
        params.update(objective="binary", metric="binary_logloss")
    elif problem_type is ProblemType.MULTI_CLASSIFICATION:
        params.update(objective="multiclass", metric="multi_logloss", num_class=n_classes)
    else:
        params.update(objective="regression", metric="l2")
    return params


def dataset_parameters(base: dict[str, Any]) -> dict[str, Any]:
    keys = ("verbosity", "max_bin", "feature_pre_filter", "seed", "num_threads", "deterministic")
    return {key: base[key] for key in keys}


def candidate_parameters(base: dict[str, Any], candidate: Candidate, rows: int) -> dict[str, Any]:
    """`candidate` over `base`, fitted to a training set of `rows` rows."""
    params = {**base, **candidate}
    # Small data: leaves and category groups must still be able to form.
    params["min_data_in_leaf"] = int(max(1, min(candidate["min_data_in_leaf"], rows // 10)))
    params["min_data_per_group"] = int(max(1, min(100, rows // 20)))
    params["cat_smooth"] = candidate.get("cat_smooth", 10.0)
    return params


def predict(booster: lgb.Booster, features: np.ndarray, problem_type: ProblemType, rounds: int) -> np.ndarray:
    """Classification: [rows, n_classes] probabilities (binary too); regression: [rows] values."""
    # Dense features give dense predictions (lightgbm's sparse answers are for sparse input).
    raw = np.asarray(booster.predict(features, num_iteration=rounds))
    if problem_type is ProblemType.BINARY_CLASSIFICATION:
        return np.column_stack([1.0 - raw, raw])
    return raw


def _row_list(rows: np.ndarray) -> list[int]:
    """Row numbers as Dataset.subset is typed to take them; it sorts them into a list anyway."""
    return np.asarray(rows, dtype=np.int32).tolist()


def empty_predictions(rows: int, problem_type: ProblemType, n_classes: int) -> np.ndarray:
    """NaN predictions for `rows` rows, shaped as `predict` returns them."""
    if problem_type.is_classification:
        return np.full((rows, n_classes), math.nan)
    return np.full(rows, math.nan)


def _watch(deadline: float | None, on_round: OnRound | None) -> Callable[[Any], None]:
    """After each round (and after early stopping's check): the deadline, then `on_round`."""

    def callback(env: Any) -> None:
        if deadline is not None and time.monotonic() >= deadline:
            raise BudgetSpent
        if on_round is not None:
            on_round(env.iteration + 1, float(env.evaluation_result_list[0][2]))

    callback.order = 40  # type: ignore[attr-defined]  # early stopping's is 30
    return callback
