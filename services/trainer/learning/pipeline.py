"""CSV table + column types + settings → a verified ONNX model and the figures that describe it.

Order matters for consistency: the feature matrix LightGBM learns from is the output of the
exported preprocessing graph run on tensors built by services.tabular.tensors, exactly what
serving runs; before returning, the whole exported model is run on up to 1,000 training rows and
compared with the embedded booster.

Labels (schema.class_labels, the order of the `probabilities` columns): binary → [negative,
positive], so probabilities[:, 1] is P(tv); multiclass → sorted by value when every label reads
as a number ("2" before "10"), else by text.

An evaluation data set (`evaluation`, the job's eval file: the learning file's columns, target
included) replaces cross-validation: `cv` is ignored, the parameter search and early stopping
run on the one split "learning rows → evaluation rows", the metrics, confusion matrix and
out-of-fold rows are the evaluation rows' (numbered by their own data rows), and the final model
learns from the learning rows only: its preprocessing (categories, vocabularies), histogram bins
and trees never see an evaluation row. Class labels come from the learning rows.

Time-series mode (config.time_series) goes to services.trainer.learning.timeseries_training.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np

from services.tabular.cells import is_missing, normalise, parse_number
from services.tabular.column_types import ColumnType
from services.tabular.schema import ProblemType, TabularSchema
from services.tabular.table import Table
from services.tabular.tensors import MissingColumnsError, input_tensors
from services.trainer.learning import evaluation as evaluation_module
from services.trainer.learning.config import ConfigError, TrainingConfig
from services.trainer.learning.export import export_model, float32_exact
from services.trainer.learning.features import fit_features, select_columns
from services.trainer.learning.outcome import OutOfFoldRow, TrainingOutcome
from services.trainer.learning.predictor import TabularPredictor
from services.trainer.learning.training import PERCENT, Progress, ValidationPlan, plan_validation, train

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
    evaluation: Table | None = None,
    progress: Progress | None = None,
    num_threads: int = 2,
) -> tuple[TrainingOutcome, bytes]:
    """`evaluation`: the evaluation data set, used as the validation (see the module doc)."""
    if config.time_series is not None:
        # Imported here: the time-series pipeline builds on this module's verification.
        from services.trainer.learning.timeseries_training import train_time_series_model

        return train_time_series_model(
            table, types, config, evaluation=evaluation, progress=progress, num_threads=num_threads
        )
    started = time.perf_counter()
    report = progress or (lambda phase, fold, percent: None)
    report("preparing", 0, PERCENT["preparing"])
    problem_type = config.problem_type

    kept, targets = _targets(table, config)
    class_labels = _class_labels(targets, config)
    labels = _codes(targets, class_labels, config, "")

    rows = [table.rows[index] for index in kept]
    columns = select_columns(table.header, types, config.target)
    tensors = input_tensors(columns, table.header, rows)
    plan = fit_features(columns, tensors)
    features = plan.transform(tensors, num_threads=num_threads)
    learning_rows = len(rows)
    refit_rows = None
    if evaluation is None:
        validation = plan_validation(config.cv, labels, problem_type, config.seed, class_labels)
        all_features, all_labels = features, labels
    else:
        eval_kept, eval_targets = _targets(evaluation, config, source="the evaluation data")
        eval_labels = _codes(eval_targets, class_labels, config, "the evaluation data")
        eval_rows = [evaluation.rows[index] for index in eval_kept]
        try:
            eval_tensors = input_tensors(columns, evaluation.header, eval_rows)
        except MissingColumnsError as error:
            names = ", ".join(repr(name) for name in error.missing)
            raise ConfigError(f"the evaluation data lacks columns the model reads: {names}") from None
        eval_features = plan.transform(eval_tensors, num_threads=num_threads)
        all_features = np.vstack([features, eval_features])
        all_labels = np.concatenate([labels, eval_labels])
        learning = np.arange(learning_rows)
        validation = ValidationPlan(
            ((learning, np.arange(learning_rows, learning_rows + len(eval_rows))),),
            f"evaluation data set ({len(eval_rows)} rows)",
            holdout=True,
        )
        refit_rows = learning
    report("preparing", 0, PERCENT["searching"])

    model = train(
        all_features,
        all_labels,
        problem_type=problem_type,
        n_classes=len(class_labels),
        categorical_features=plan.categorical_features,
        validation=validation,
        imbalance=config.imbalance,
        time_budget_s=config.time_budget_s,
        seed=config.seed,
        num_threads=num_threads,
        progress=report,
        refit_rows=refit_rows,
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
    verify_export(onnx_bytes, tensors, features, booster, problem_type)

    actual = all_labels[model.oof_rows]
    predictions = model.oof_predictions
    metrics, predicted, confusion = figures(problem_type, actual, predictions, len(class_labels))
    # Out-of-fold positions index all_labels: the learning rows, then the evaluation rows.
    if evaluation is None:
        source, source_rows, first = table, kept, 0
    else:
        source, source_rows, first = evaluation, eval_kept, learning_rows
    target_index = source.index_of(config.target)
    out_of_fold = []
    for position, row in enumerate(model.oof_rows.tolist()):
        data_row = source_rows[row - first]
        out_of_fold.append(
            OutOfFoldRow(
                row_number=data_row + 1,
                actual=source.rows[data_row][target_index],
                predicted=class_labels[int(predicted[position])]
                if problem_type.is_classification
                else format(float(predicted[position]), ".10g"),
                probabilities=tuple(float(p) for p in predictions[position]) if problem_type.is_classification else (),
            )
        )
    outcome = TrainingOutcome(
        schema=schema,
        metrics=metrics,
        confusion_matrix=confusion,
        importance=evaluation_module.importance(
            booster, plan.feature_columns, [column.name for column in plan.input_columns]
        ),
        out_of_fold=tuple(out_of_fold),
        validation=validation.description,
        chosen_parameters={**model.parameters, "search": model.search},
        training_rows=learning_rows,
        training_seconds=time.perf_counter() - started,
    )
    report("exporting", 0, 100.0)
    return outcome, onnx_bytes


def figures(
    problem_type: ProblemType, actual: np.ndarray, predictions: np.ndarray, n_classes: int
) -> tuple[dict[str, float], np.ndarray, tuple[tuple[int, ...], ...]]:
    """Metrics, predicted classes (regression: the predictions) and the confusion matrix."""
    if problem_type.is_classification:
        metrics = evaluation_module.classification_metrics(actual, predictions, problem_type)
        predicted = evaluation_module.predicted_classes(predictions)
        confusion = evaluation_module.confusion_matrix(actual, predicted, n_classes)
        return metrics, predicted, confusion
    return evaluation_module.regression_metrics(actual, predictions), predictions, ()


def _codes(targets: list, class_labels: list[str], config: TrainingConfig, source: str) -> np.ndarray:
    if not config.problem_type.is_classification:
        return np.asarray(targets, dtype=np.float64)
    code = {label: index for index, label in enumerate(class_labels)}
    unknown = sorted(set(targets) - set(code))
    if unknown:  # only the evaluation data can have them: the labels come from the learning data
        shown = ", ".join(repr(value) for value in unknown[:5])
        known = ", ".join(repr(value) for value in class_labels)
        raise ConfigError(
            f"{source or 'the data'} has values of {config.target!r} that the learning data "
            f"never has: {shown}; the model can only predict {known}"
        )
    return np.array([code[value] for value in targets], dtype=np.int64)


def _targets(table: Table, config: TrainingConfig, *, source: str = "") -> tuple[list[int], list]:
    """Indices of rows with a target, and their targets (labels as text or numbers).

    `source` names a table other than the learning data in messages ("the evaluation data");
    the class checks of the config apply to the learning data only.
    """
    try:
        index = table.index_of(config.target)
    except KeyError:
        raise ConfigError(f"{source or 'the data'} has no column {config.target!r} to use as the target") from None
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
                    f"regression needs a number in every row of {config.target!r}; "
                    f"{source + ' ' if source else ''}data row {row_index + 1} has {cell!r}"
                )
            values.append(number)
        kept.append(row_index)
    if source:
        if not values:
            raise ConfigError(f"the target column {config.target!r} has no values in {source}")
    elif config.problem_type.is_classification:
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


def verify_export(
    onnx_bytes: bytes,
    tensors: Mapping[str, np.ndarray],
    features: np.ndarray,
    booster,
    problem_type: ProblemType,
    offset: np.ndarray | None = None,
) -> None:
    """The exported model against the booster on up to VERIFY_ROWS rows.

    `offset` (regression): per row, what the graph adds to the trees' output (the time-series
    window mean, see timeseries_training).
    """
    rows = len(features)
    sample = np.unique(np.linspace(0, rows - 1, min(rows, VERIFY_ROWS)).astype(np.int64))
    predictor = TabularPredictor(onnx_bytes)
    result = predictor.predict({name: array[sample] for name, array in tensors.items()})
    served = result[predictor.output_name].astype(np.float64)
    native = np.asarray(booster.predict(features[sample]), dtype=np.float64)
    if problem_type is ProblemType.BINARY_CLASSIFICATION:
        native = np.column_stack([1.0 - native, native])
    elif problem_type is ProblemType.REGRESSION:
        if offset is not None:
            native = native + np.asarray(offset, dtype=np.float64)[sample]
        native = native.reshape(-1, 1)
    if served.shape != native.shape:
        raise ExportError(f"exported model answers shape {served.shape}, LightGBM {native.shape}")
    allowed = VERIFY_TOLERANCE * np.maximum(1.0, np.abs(native))
    worst = np.abs(served - native) - allowed
    if not np.all(worst <= 0):
        difference = float(np.max(np.abs(served - native)))
        raise ExportError(f"the exported ONNX model differs from LightGBM by up to {difference:.3g} on training rows")
