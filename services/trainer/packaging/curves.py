"""ROC and precision-recall curves from out-of-fold probabilities, for the report's charts.

Computed here with numpy (the same construction as scikit-learn's `roc_curve`,
`precision_recall_curve` and `average_precision_score`: one point per distinct score) so that
packaging needs nothing beyond numpy. Curves are thinned to at most `MAX_POINTS` points: the
page stays small and a chart cannot show more anyway; the areas are computed before thinning.

Multiclass: one-vs-rest, one curve per class; the macro AUC is the mean of the per-class AUCs
(scikit-learn's `roc_auc_score(multi_class="ovr", average="macro")`). A class whose rows are all
positive or all negative has no curve (its AUC is undefined) and is left out of the mean.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from services.trainer.learning.outcome import OutOfFoldRow

MAX_POINTS = 200


@dataclass(frozen=True)
class Curve:
    label: str  # the class this curve treats as positive
    x: tuple[float, ...]  # ROC: false positive rate; PR: recall
    y: tuple[float, ...]  # ROC: true positive rate; PR: precision
    area: float  # ROC: AUC; PR: average precision
    positives: int
    rows: int


@dataclass(frozen=True)
class ClassCurves:
    roc: tuple[Curve, ...]  # schema.class_labels order, classes without a curve left out
    pr: tuple[Curve, ...]

    @property
    def macro_auc(self) -> float:
        return float(np.mean([curve.area for curve in self.roc])) if self.roc else float("nan")


def class_curves(rows: Sequence[OutOfFoldRow], labels: Sequence[str], only: Sequence[str] | None = None) -> ClassCurves:
    """One-vs-rest curves for `only` (default: every label) from rows that carry probabilities.

    Rows whose probability count does not match the labels are skipped rather than guessed at.
    """
    usable = [row for row in rows if len(row.probabilities) == len(labels)]
    if not usable or not labels:
        return ClassCurves((), ())
    probabilities = np.array([row.probabilities for row in usable], dtype=np.float64)
    actual = np.array([row.actual for row in usable], dtype=object)
    roc: list[Curve] = []
    pr: list[Curve] = []
    for index, label in enumerate(labels):
        if only is not None and label not in only:
            continue
        truth = actual == label
        positives = int(truth.sum())
        if positives == 0 or positives == truth.size:
            continue
        scores = probabilities[:, index]
        roc.append(_roc(label, truth, scores))
        pr.append(_precision_recall(label, truth, scores))
    return ClassCurves(tuple(roc), tuple(pr))


def _cumulative_counts(truth: np.ndarray, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """True and false positives when predicting positive at or above each distinct score."""
    order = np.argsort(-scores, kind="mergesort")
    scores = scores[order]
    truth = truth[order]
    last_of_each_score = np.r_[np.flatnonzero(np.diff(scores)), truth.size - 1]
    true_positives = np.cumsum(truth)[last_of_each_score].astype(np.float64)
    false_positives = (last_of_each_score + 1) - true_positives
    return true_positives, false_positives


def _roc(label: str, truth: np.ndarray, scores: np.ndarray) -> Curve:
    tp, fp = _cumulative_counts(truth, scores)
    tpr = np.r_[0.0, tp] / tp[-1]
    fpr = np.r_[0.0, fp] / fp[-1]
    auc = float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))
    x, y = thin(fpr, tpr)
    return Curve(label, x, y, auc, int(tp[-1]), int(truth.size))


def _precision_recall(label: str, truth: np.ndarray, scores: np.ndarray) -> Curve:
    tp, fp = _cumulative_counts(truth, scores)
    precision = tp / (tp + fp)
    recall = tp / tp[-1]
    average_precision = float(np.sum(np.diff(np.r_[0.0, recall]) * precision))
    # Start at recall 0 with precision 1, as scikit-learn does, so the line starts at the left.
    x, y = thin(np.r_[0.0, recall], np.r_[1.0, precision])
    return Curve(label, x, y, average_precision, int(tp[-1]), int(truth.size))


def thin(x: np.ndarray, y: np.ndarray, limit: int = MAX_POINTS) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """At most `limit` evenly spaced points, always keeping the first and the last."""
    if x.size > limit:
        keep = np.unique(np.round(np.linspace(0, x.size - 1, limit)).astype(int))
        x, y = x[keep], y[keep]
    return tuple(float(v) for v in x), tuple(float(v) for v in y)
