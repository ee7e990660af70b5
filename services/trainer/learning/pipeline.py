"""CSV table + column types + settings → a verified ONNX model and the figures that describe it.

Order matters for consistency: the feature matrix LightGBM learns from is the output of the
exported preprocessing graph run on tensors built by services.tabular.tensors, exactly what
serving runs; before returning, the whole exported model is run on up to 1,000 training rows and
compared with the embedded booster.

Labels (schema.class_labels, the order of the `probabilities` columns): binary → [negative,
positive], so probabilities[:, 1] is P(tv); multiclass → sorted by value when every label reads
as a number ("2" before "10"), else by text.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np

from services.tabular.cells import is_missing, normalise, parse_number
from services.tabular.column_types import ColumnType
from services.tabular.schema import ProblemType, TabularSchema
from services.tabular.table import Table
from services.tabular.tensors import input_tensors
from services.trainer.learning import evaluation
from services.trainer.learning.config import ConfigError, TrainingConfig
from services.trainer.learning.export import export_model, float32_exact
from services.trainer.learning.features import fit_features, select_columns
from services.trainer.learning.outcome import OutOfFoldRow, TrainingOutcome
from services.trainer.learning.predictor import TabularPredictor
from services.trainer.learning.training import PERCENT, Progress, plan_validation, train

VERIFY_ROWS = 1_000
# Allowed |ONNX − LightGBM|: 1e-5 on probabilities; on a regression value 1e-5 relative to its
# size past 1, since a float32 output near 300 is itself only exact to about 1.5e-5.
VERIFY_TOLERANCE = 1e-5


class ExportError(RuntimeError):
    """The exported ONNX model disagrees with the booster it was made from."""


def train_model(
    table: Table,
    types: Mapping[str, ColumnType],
    config: TrainingConfig,
    *,
    progress: Progress | None = None,
    num_threads: int = 2,
) -> tuple[TrainingOutcome, bytes]:
    started = time.perf_counter()
    report = progress or (lambda phase, fold, percent: None)
    report("preparing", 0, PERCENT["preparing"])
    problem_type = config.problem_type

    kept, targets = _targets(table, config)
    class_labels = _class_labels(targets, config)
    if problem_type.is_classification:
        code = {label: index for index, label in enumerate(class_labels)}
        labels = np.array([code[value] for value in targets], dtype=np.int64)
    else:
        labels = np.asarray(targets, dtype=np.float64)

    rows = [table.rows[index] for index in kept]
    columns = select_columns(table.header, types, config.target)
    tensors = input_tensors(columns, table.header, rows)
    plan = fit_features(columns, tensors)
    features = plan.transform(tensors, num_threads=num_threads)
    validation = plan_validation(config.cv, labels, problem_type, config.seed, class_labels)
    report("preparing", 0, PERCENT["searching"])

    model = train(
        features,
        labels,
        problem_type=problem_type,
        n_classes=len(class_labels),
        categorical_features=plan.categorical_features,
        validation=validation,
        imbalance=config.imbalance,
        time_budget_s=config.time_budget_s,
        seed=config.seed,
        num_threads=num_threads,
        progress=report,
    )

    report("exporting", 0, PERCENT["exporting"])
    booster = float32_exact(model.booster)
    binary = problem_type is ProblemType.BINARY_CLASSIFICATION
    schema = TabularSchema(
        problem_type=problem_type,
        target_column=config.target,
        columns=plan.input_columns,
        class_labels=tuple(class_labels),
        positive_class=(config.positive_label or "") if binary else "",
    )
    onnx_bytes = export_model(plan, booster, schema)
    _verify(onnx_bytes, tensors, features, booster, problem_type)

    actual = labels[model.oof_rows]
    predictions = model.oof_predictions
    if problem_type.is_classification:
        metrics = evaluation.classification_metrics(actual, predictions, problem_type)
        predicted = evaluation.predicted_classes(predictions)
        confusion = evaluation.confusion_matrix(actual, predicted, len(class_labels))
    else:
        metrics = evaluation.regression_metrics(actual, predictions)
        predicted = predictions
        confusion = ()
    target_index = table.index_of(config.target)
    out_of_fold = tuple(
        OutOfFoldRow(
            row_number=kept[row] + 1,
            actual=table.rows[kept[row]][target_index],
            predicted=class_labels[int(predicted[position])]
            if problem_type.is_classification
            else format(float(predicted[position]), ".10g"),
            probabilities=tuple(float(p) for p in predictions[position])
            if problem_type.is_classification
            else (),
        )
        for position, row in enumerate(model.oof_rows.tolist())
    )
    outcome = TrainingOutcome(
        schema=schema,
        metrics=metrics,
        confusion_matrix=confusion,
        importance=evaluation.importance(
            booster, plan.feature_columns, [column.name for column in plan.input_columns]
        ),
        out_of_fold=out_of_fold,
        validation=validation.description,
        chosen_parameters={**model.parameters, "search": model.search},
        training_rows=len(rows),
        training_seconds=time.perf_counter() - started,
    )
    report("exporting", 0, 100.0)
    return outcome, onnx_bytes


def _targets(table: Table, config: TrainingConfig) -> tuple[list[int], list]:
    """Indices of rows with a target, and their targets (labels as text or numbers)."""
    try:
        index = table.index_of(config.target)
    except KeyError:
        raise ConfigError(f"the data has no column {config.target!r} to use as the target") from None
    kept: list[int] = []
    values: list = []
    for row_index, row in enumerate(table.rows):
        cell = row[index]
        if is_missing(cell):
            continue
        if config.problem_type.is_classification:
            values.append(normalise(cell))
        else:
            number = parse_number(cell)
            if number is None:
                raise ConfigError(
                    f"regression needs a number in every row of {config.target!r}; data row "
                    f"{row_index + 1} has {cell!r}"
                )
            values.append(number)
        kept.append(row_index)
    if config.problem_type.is_classification:
        config.check_target_values(values)
    elif not values:
        raise ConfigError(f"the target column {config.target!r} has no values")
    return kept, values


def _class_labels(targets: list, config: TrainingConfig) -> list[str]:
    if not config.problem_type.is_classification:
        return []
    distinct = set(targets)
    if config.problem_type is ProblemType.BINARY_CLASSIFICATION:
        positive = config.positive_label
        (negative,) = distinct - {positive}
        return [negative, positive]
    numbers = {label: parse_number(label) for label in distinct}
    if all(value is not None for value in numbers.values()):
        return sorted(distinct, key=lambda label: (numbers[label], label))
    return sorted(distinct)


def _verify(
    onnx_bytes: bytes,
    tensors: Mapping[str, np.ndarray],
    features: np.ndarray,
    booster,
    problem_type: ProblemType,
) -> None:
    rows = len(features)
    sample = np.unique(np.linspace(0, rows - 1, min(rows, VERIFY_ROWS)).astype(np.int64))
    predictor = TabularPredictor(onnx_bytes)
    result = predictor.predict({name: array[sample] for name, array in tensors.items()})
    served = result[predictor.output_name].astype(np.float64)
    native = np.asarray(booster.predict(features[sample]), dtype=np.float64)
    if problem_type is ProblemType.BINARY_CLASSIFICATION:
        native = np.column_stack([1.0 - native, native])
    elif problem_type is ProblemType.REGRESSION:
        native = native.reshape(-1, 1)
    if served.shape != native.shape:
        raise ExportError(f"exported model answers shape {served.shape}, LightGBM {native.shape}")
    allowed = VERIFY_TOLERANCE * np.maximum(1.0, np.abs(native))
    worst = np.abs(served - native) - allowed
    if not np.all(worst <= 0):
        difference = float(np.max(np.abs(served - native)))
        raise ExportError(
            f"the exported ONNX model differs from LightGBM by up to {difference:.3g} on training rows"
        )
