"""Figures of a trained model from its out-of-fold predictions, and importance per input column.

Metrics are measured only on predictions by models that did not see the row, so they estimate
the quality on new data. A metric that the rows cannot define (AUC when the validation rows hold
one class only, R² on a single row) is left out rather than reported as NaN, which JSON and
the result CSV cannot carry.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import lightgbm as lgb
import numpy as np
from sklearn import metrics as skm

from services.tabular.schema import ProblemType
from services.trainer.learning.outcome import Importance


def predicted_classes(probabilities: np.ndarray) -> np.ndarray:
    """Argmax; for binary that is P(positive) ≥ 0.5 with ties to the negative class."""
    return np.argmax(probabilities, axis=1)


def classification_metrics(
    actual: np.ndarray, probabilities: np.ndarray, problem_type: ProblemType
) -> dict[str, float]:
    n_classes = probabilities.shape[1]
    labels = list(range(n_classes))
    predicted = predicted_classes(probabilities)
    out: dict[str, float] = {"accuracy": float(skm.accuracy_score(actual, predicted))}
    if problem_type is ProblemType.BINARY_CLASSIFICATION:
        if len(np.unique(actual)) == 2:
            out["auc"] = float(skm.roc_auc_score(actual, probabilities[:, 1]))
        average = {"average": "binary", "pos_label": 1}
    else:
        aucs = [
            skm.roc_auc_score(actual == code, probabilities[:, code])
            for code in labels
            if 0 < int(np.sum(actual == code)) < len(actual)
        ]
        if aucs:
            out["auc"] = float(np.mean(aucs))  # macro one-vs-rest over classes present
        average = {"average": "macro", "labels": labels}
    out["precision"] = float(skm.precision_score(actual, predicted, zero_division=0, **average))
    out["recall"] = float(skm.recall_score(actual, predicted, zero_division=0, **average))
    out["f1"] = float(skm.f1_score(actual, predicted, zero_division=0, **average))
    clipped = np.clip(probabilities, 1e-15, 1.0)
    clipped = clipped / clipped.sum(axis=1, keepdims=True)
    out["log_loss"] = float(skm.log_loss(actual, clipped, labels=labels))
    return out


def regression_metrics(actual: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    out = {
        "rmse": float(math.sqrt(skm.mean_squared_error(actual, predicted))),
        "mae": float(skm.mean_absolute_error(actual, predicted)),
    }
    if len(actual) >= 2 and np.ptp(actual) > 0:
        out["r2"] = float(skm.r2_score(actual, predicted))
    return out


def confusion_matrix(actual: np.ndarray, predicted: np.ndarray, n_classes: int) -> tuple[tuple[int, ...], ...]:
    """counts[actual][predicted], classes in schema.class_labels order."""
    matrix = skm.confusion_matrix(actual, predicted, labels=list(range(n_classes)))
    return tuple(tuple(int(count) for count in row) for row in matrix)


def importance(
    booster: lgb.Booster, feature_columns: Sequence[int], column_names: Sequence[str]
) -> tuple[Importance, ...]:
    """LightGBM's total gain, summed over the features made from each input column."""
    gains = booster.feature_importance(importance_type="gain")
    per_column = np.zeros(len(column_names))
    np.add.at(per_column, np.asarray(feature_columns, dtype=np.int64), gains)
    total = float(per_column.sum())
    order = sorted(range(len(column_names)), key=lambda index: (-per_column[index], index))
    return tuple(
        Importance(
            column=column_names[index],
            gain=float(per_column[index]),
            share=float(per_column[index] / total) if total > 0 else 0.0,
        )
        for index in order
    )
