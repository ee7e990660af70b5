"""Tabular mode: CSV table + column types + settings → the LearningProblem of one row per example.

The model's input columns are the typed, not ignored columns other than the target
(features.select_columns); rows without a target are left out. Labels: targets.py.

An evaluation data set (`evaluation`, the job's eval file: the learning file's columns, target
included) replaces cross-validation: `cv` is ignored, the parameter search and early stopping
run on the one split "learning rows → evaluation rows", the metrics, confusion matrix and
out-of-fold rows are the evaluation rows' (numbered by their own data rows), and the final model
learns from the learning rows only: its preprocessing (categories, vocabularies), histogram bins
and trees never see an evaluation row. Class labels come from the learning rows.

The exported model is verified on the learning rows (model_building).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np

from services.tabular.column_types import ColumnType
from services.tabular.schema import InputColumn, ProblemType, TabularSchema
from services.tabular.table import Table
from services.tabular.tensors import MissingColumnsError, input_tensors
from services.trainer.learning import evaluation as evaluation_module
from services.trainer.learning.config import ConfigError, TrainingConfig
from services.trainer.learning.features import FeaturePlan, fit_features, select_columns
from services.trainer.learning.model_building import ExportCheck, Figures, LearningProblem, build_model
from services.trainer.learning.outcome import OutOfFoldRow, TrainingOutcome
from services.trainer.learning.progress import Progress
from services.trainer.learning.targets import class_order, label_codes, target_rows
from services.trainer.learning.training import TrainedModel
from services.trainer.learning.validation import ValidationPlan, plan_validation


def train_tabular_model(
    table: Table,
    types: Mapping[str, ColumnType],
    config: TrainingConfig,
    *,
    evaluation: Table | None = None,
    progress: Progress | None = None,
    num_threads: int = 2,
) -> tuple[TrainingOutcome, bytes]:
    """`evaluation`: the evaluation data set, used as the validation (see the module doc)."""
    return build_model(
        lambda: _prepare(table, types, config, evaluation, num_threads),
        time_budget_s=config.time_budget_s,
        seed=config.seed,
        progress=progress,
        num_threads=num_threads,
    )


@dataclass(frozen=True)
class _ValidatedRows:
    """The rows whose out-of-fold predictions the outcome lists, and where they sit."""

    table: Table  # the learning data, or the evaluation data
    data_rows: list[int]  # per training row of this table: its 0-based data row
    first: int  # the training row index of this table's first kept row


@dataclass(frozen=True)
class _PreparedTable:
    problem: LearningProblem
    class_labels: list[str]
    validated: _ValidatedRows
    learning_rows: int

    def figures(self, model: TrainedModel, booster: lgb.Booster) -> Figures:
        problem = self.problem
        predictions = model.oof_predictions
        actual = problem.labels[model.oof_rows]
        metrics, predicted, confusion = figures(problem.problem_type, actual, predictions, len(self.class_labels))
        input_names = [column.name for column in problem.plan.input_columns]
        return Figures(
            metrics=metrics,
            confusion_matrix=confusion,
            importance=evaluation_module.importance(booster, problem.plan.feature_columns, input_names),
            out_of_fold=self._out_of_fold(model.oof_rows, predicted, predictions),
            chosen_parameters={**model.parameters, "search": model.search, "search_summary": model.search_summary},
            training_rows=self.learning_rows,
        )

    def _out_of_fold(
        self, oof_rows: np.ndarray, predicted: np.ndarray, predictions: np.ndarray
    ) -> tuple[OutOfFoldRow, ...]:
        # Out-of-fold positions index the training rows: the learning rows, then the evaluation rows.
        classification = self.problem.problem_type.is_classification
        validated = self.validated
        target_index = validated.table.index_of(self.problem.schema.target_column)
        out_of_fold = []
        for position, row in enumerate(oof_rows.tolist()):
            data_row = validated.data_rows[row - validated.first]
            out_of_fold.append(
                OutOfFoldRow(
                    row_number=data_row + 1,
                    actual=validated.table.rows[data_row][target_index],
                    predicted=self.class_labels[int(predicted[position])]
                    if classification
                    else format(float(predicted[position]), ".10g"),
                    probabilities=tuple(float(p) for p in predictions[position]) if classification else (),
                )
            )
        return tuple(out_of_fold)


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


def _prepare(
    table: Table,
    types: Mapping[str, ColumnType],
    config: TrainingConfig,
    evaluation: Table | None,
    num_threads: int,
) -> _PreparedTable:
    kept, targets = target_rows(table, config)
    class_labels = class_order(targets, config)
    labels = label_codes(targets, class_labels, config, "")
    rows = [table.rows[index] for index in kept]
    columns = select_columns(table.header, types, config.target)
    tensors = input_tensors(columns, table.header, rows)
    plan = fit_features(columns, tensors)
    features = plan.transform(tensors, num_threads=num_threads)
    if evaluation is None:
        validation = plan_validation(config.cv, labels, config.problem_type, config.seed, class_labels)
        all_features, all_labels, refit_rows = features, labels, None
        validated = _ValidatedRows(table, kept, first=0)
    else:
        eval_kept, eval_features, eval_labels = _evaluation_rows(
            evaluation, config, class_labels, columns, plan, num_threads
        )
        all_features = np.vstack([features, eval_features])
        all_labels = np.concatenate([labels, eval_labels])
        refit_rows = np.arange(len(rows))
        validation = ValidationPlan(
            ((refit_rows, np.arange(len(rows), len(rows) + len(eval_kept))),),
            f"evaluation data set ({len(eval_kept)} rows)",
            holdout=True,
        )
        validated = _ValidatedRows(evaluation, eval_kept, first=len(rows))
    problem = LearningProblem(
        plan=plan,
        features=all_features,
        labels=all_labels,
        problem_type=config.problem_type,
        n_classes=len(class_labels),
        validation=validation,
        schema=_schema(config, plan, class_labels),
        check=ExportCheck(tensors, features),
        imbalance=config.imbalance,
        refit_rows=refit_rows,
    )
    return _PreparedTable(problem, class_labels, validated, learning_rows=len(rows))


def _evaluation_rows(
    evaluation: Table,
    config: TrainingConfig,
    class_labels: list[str],
    columns: Sequence[InputColumn],
    plan: FeaturePlan,
    num_threads: int,
) -> tuple[list[int], np.ndarray, np.ndarray]:
    """The evaluation data's kept rows (0-based data rows), features and labels."""
    eval_kept, eval_targets = target_rows(evaluation, config, source="the evaluation data")
    eval_labels = label_codes(eval_targets, class_labels, config, "the evaluation data")
    eval_rows = [evaluation.rows[index] for index in eval_kept]
    try:
        eval_tensors = input_tensors(columns, evaluation.header, eval_rows)
    except MissingColumnsError as error:
        names = ", ".join(repr(name) for name in error.missing)
        raise ConfigError(f"the evaluation data lacks columns the model reads: {names}") from None
    return eval_kept, plan.transform(eval_tensors, num_threads=num_threads), eval_labels


def _schema(config: TrainingConfig, plan: FeaturePlan, class_labels: list[str]) -> TabularSchema:
    binary = config.problem_type is ProblemType.BINARY_CLASSIFICATION
    return TabularSchema(
        problem_type=config.problem_type,
        target_column=config.target,
        columns=plan.input_columns,
        class_labels=tuple(class_labels),
        positive_class=(config.positive_label or "") if binary else "",
    )
