"""Held-out scores of the AutoML benchmark, their bootstrap standard errors, and the verdict rule.

A classifier's answer is a probability table (one column per class label, as text); a regressor's
a column of values. Both Torii and FLAML are scored from these alone, with the same rule (the
predicted class is the most probable one), so neither gains from how it words its labels.

Primary scores, higher is better: ROC AUC (binary, the positive class's probability), accuracy
(multi-class), R² (regression). Secondary, lower is better: log loss (classification), RMSE
(regression). The standard errors come from one seeded bootstrap of the held-out rows, the same
resamples for both, so the difference has its own paired SE.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn import metrics

from bench.automl_sets import Task

RESAMPLES = 1000
BOOTSTRAP_SEED = 7


@dataclass(frozen=True)
class Answer:
    """One model's predictions for the held-out rows: `probabilities` (classification) or `values`."""

    probabilities: pd.DataFrame | None = None
    values: np.ndarray | None = None


@dataclass(frozen=True)
class Comparison:
    torii: float
    flaml: float
    torii_se: float
    flaml_se: float
    difference_se: float  # SE of torii - flaml over the same resamples
    torii_secondary: float
    flaml_secondary: float

    @property
    def at_or_above(self) -> bool:
        """The verdict rule: Torii's score is at least FLAML's minus one SE of the difference."""
        return self.torii >= self.flaml - self.difference_se

    @property
    def relative(self) -> float:
        """(Torii - FLAML) / |FLAML|."""
        return (self.torii - self.flaml) / abs(self.flaml) if self.flaml else float("nan")


def primary_name(task: Task) -> str:
    return {Task.BINARY: "AUC", Task.MULTICLASS: "accuracy", Task.REGRESSION: "R2"}[task]


def secondary_name(task: Task) -> str:
    return "RMSE" if task is Task.REGRESSION else "log loss"


def _normalised(probabilities: pd.DataFrame, labels: list[str]) -> np.ndarray:
    """The columns in `labels`' order (0 for a class the model never saw), each row summing to 1."""
    table = probabilities.reindex(columns=labels, fill_value=0.0).to_numpy(dtype=float)
    table = np.clip(table, 0.0, None)
    sums = table.sum(axis=1, keepdims=True)
    return np.divide(table, sums, out=np.full_like(table, 1.0 / len(labels)), where=sums > 0)


def _primary(task: Task, truth: np.ndarray, predicted: np.ndarray, labels: list[str]) -> float:
    """`predicted`: normalised probabilities in `labels`' order, or the values."""
    if task is Task.REGRESSION:
        return float(metrics.r2_score(truth, predicted))
    if task is Task.BINARY:
        return float(metrics.roc_auc_score(truth == labels[1], predicted[:, 1]))
    return float(metrics.accuracy_score(truth, np.asarray(labels)[predicted.argmax(axis=1)]))


def _secondary(task: Task, truth: np.ndarray, predicted: np.ndarray, labels: list[str]) -> float:
    if task is Task.REGRESSION:
        return float(np.sqrt(metrics.mean_squared_error(truth, predicted)))
    return float(metrics.log_loss(truth, predicted, labels=labels))


def labels_of(task: Task, truth: pd.Series, positive: str | None) -> list[str]:
    """The class labels in scoring order: for binary the positive class last (its column is scored)."""
    labels = sorted(str(label) for label in truth.unique())
    if task is Task.BINARY:
        if positive not in labels:
            raise ValueError(f"the positive class {positive!r} is not among the held-out labels {labels}")
        labels = [label for label in labels if label != positive] + [positive]
    return labels


def compare(
    task: Task,
    truth: pd.Series,
    torii: Answer,
    flaml: Answer,
    positive: str | None = None,
    resamples: int = RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Comparison:
    """Both answers scored on the held-out rows, with bootstrap SEs (resamples lacking a class that
    the score needs, e.g. an AUC with one class only, are drawn again)."""
    if task is Task.REGRESSION:
        labels: list[str] = []
        expected = truth.to_numpy(dtype=float)
        answers = [np.asarray(answer.values, dtype=float) for answer in (torii, flaml)]
    else:
        labels = labels_of(task, truth, positive)
        expected = truth.astype(str).to_numpy()
        answers = [_normalised(answer.probabilities, labels) for answer in (torii, flaml)]
    if any(len(answer) != len(expected) for answer in answers):
        raise ValueError(f"{[len(a) for a in answers]} predictions for {len(expected)} held-out rows")
    full = [_primary(task, expected, answer, labels) for answer in answers]
    rng = np.random.default_rng(seed)
    samples = np.empty((resamples, 2))
    drawn = 0
    while drawn < resamples:
        rows = rng.integers(0, len(expected), len(expected))
        if task is Task.BINARY and len(np.unique(expected[rows])) < 2:
            continue
        samples[drawn] = [_primary(task, expected[rows], answer[rows], labels) for answer in answers]
        drawn += 1
    return Comparison(
        torii=full[0],
        flaml=full[1],
        torii_se=float(samples[:, 0].std(ddof=1)),
        flaml_se=float(samples[:, 1].std(ddof=1)),
        difference_se=float((samples[:, 0] - samples[:, 1]).std(ddof=1)),
        torii_secondary=_secondary(task, expected, answers[0], labels),
        flaml_secondary=_secondary(task, expected, answers[1], labels),
    )
