"""Hand-built TrainingOutcomes: small, deterministic, with hostile and Japanese strings."""

from __future__ import annotations

import numpy as np

from services.tabular.column_types import ColumnType
from services.tabular.schema import InputColumn, ProblemType, TabularSchema
from services.trainer.learning.outcome import Importance, OutOfFoldRow, TrainingOutcome

HOSTILE = '<b>&"x'


def _columns(*names: str) -> tuple[InputColumn, ...]:
    return tuple(InputColumn(name, f"c{i}", ColumnType.FLOAT) for i, name in enumerate(names))


def _importance(*pairs: tuple[str, float]) -> tuple[Importance, ...]:
    total = sum(gain for _, gain in pairs)
    return tuple(Importance(column, gain, gain / total) for column, gain in pairs)


def _confusion(labels: tuple[str, ...], rows: tuple[OutOfFoldRow, ...]) -> tuple[tuple[int, ...], ...]:
    index = {label: i for i, label in enumerate(labels)}
    counts = [[0] * len(labels) for _ in labels]
    for row in rows:
        counts[index[row.actual]][index[row.predicted]] += 1
    return tuple(tuple(row) for row in counts)


def binary(rows: int = 240) -> TrainingOutcome:
    rng = np.random.default_rng(1)
    labels = ("no", "yes")
    truth = rng.random(rows) < 0.35
    score = np.clip(0.5 + (truth - 0.5) * 0.5 + rng.normal(0, 0.25, rows), 0.001, 0.999)
    score = np.round(score, 2)  # ties, as real probabilities have
    oof = tuple(
        OutOfFoldRow(
            row_number=i + 1,
            actual=labels[int(t)],
            predicted=labels[int(s >= 0.5)],
            probabilities=(float(1 - s), float(s)),
        )
        for i, (t, s) in enumerate(zip(truth, score))
    )
    schema = TabularSchema(
        ProblemType.BINARY_CLASSIFICATION,
        "解約",
        _columns("年齢", "plan", "=cmd|' /C calc'!A0"),
        class_labels=labels,
        positive_class="yes",
    )
    return TrainingOutcome(
        schema=schema,
        metrics={"log_loss": 0.41, "accuracy": 0.875, "auc": 0.9125, "precision": 0.8, "recall": 0.7, "f1": 0.75},
        confusion_matrix=_confusion(labels, oof),
        importance=_importance(("plan", 30.0), ("年齢", 60.0), ("=cmd|' /C calc'!A0", 10.0)),
        out_of_fold=oof,
        validation="5-fold cross-validation",
        chosen_parameters={"num_leaves": 31, "learning_rate": 0.05, "objective": "binary", "extra": [1, 2]},
        training_rows=rows,
        training_seconds=12.5,
    )


def multiclass(rows: int = 300) -> TrainingOutcome:
    rng = np.random.default_rng(2)
    labels = ("犬", HOSTILE, "cat")
    truth = rng.integers(0, 3, rows)
    logits = rng.normal(0, 1, (rows, 3))
    logits[np.arange(rows), truth] += 1.5
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    oof = tuple(
        OutOfFoldRow(
            row_number=i + 1,
            actual=labels[int(t)],
            predicted=labels[int(np.argmax(p))],
            probabilities=tuple(float(v) for v in p),
        )
        for i, (t, p) in enumerate(zip(truth, probabilities))
    )
    schema = TabularSchema(ProblemType.MULTI_CLASSIFICATION, "animal", _columns("weight", HOSTILE), class_labels=labels)
    return TrainingOutcome(
        schema=schema,
        metrics={"accuracy": 0.7, "auc": 0.85, "precision": 0.69, "recall": 0.7, "f1": 0.695, "log_loss": 0.7},
        confusion_matrix=_confusion(labels, oof),
        importance=_importance(("weight", 5.0), (HOSTILE, 15.0)),
        out_of_fold=oof,
        validation="holdout (20%)",
        chosen_parameters={"num_leaves": 15},
        training_rows=rows,
        training_seconds=75.0,
    )


def regression(rows: int = 3000) -> TrainingOutcome:
    rng = np.random.default_rng(3)
    actual = rng.normal(250_000, 60_000, rows)
    predicted = actual + rng.normal(0, 20_000, rows)
    oof = tuple(
        OutOfFoldRow(row_number=i + 1, actual=f"{a:.0f}", predicted=repr(float(p)))
        for i, (a, p) in enumerate(zip(actual, predicted))
    )
    schema = TabularSchema(ProblemType.REGRESSION, "price", _columns("area", "rooms"))
    return TrainingOutcome(
        schema=schema,
        metrics={"r2": 0.89, "rmse": 20_000.5, "mae": 16_000.25},
        confusion_matrix=(),
        importance=_importance(("area", 80.0), ("rooms", 20.0)),
        out_of_fold=oof,
        validation="5-fold cross-validation",
        chosen_parameters={"num_leaves": 63, "min_child_samples": 20},
        training_rows=rows,
        training_seconds=3.25,
    )
