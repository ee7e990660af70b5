"""The steps every model kind shares: train, make float32-exact, export, verify, outcome.

A model kind (tabular_training, timeseries_training) prepares a LearningProblem (the feature
matrix and labels the trees learn, how they are validated, the schema the model carries) and
says what its trained model's figures are; `build_model` does the rest in one order for all:

1. prepare (the kind's), reported as "preparing";
2. training.train: search, cross-validation, refit;
3. export.float32_exact, then export.export_model (preprocessing graph + trees);
4. export_check.verify_export: the exported model against the booster on training rows;
5. the kind's figures, and the TrainingOutcome.

Order matters for consistency: the feature matrix LightGBM learns from is the output of the
exported preprocessing graph run on tensors built by services.tabular.tensors, exactly what
serving runs, and nothing leaves here before the whole exported model has been checked.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

import lightgbm as lgb
import numpy as np

from services.tabular.schema import ProblemType, TabularSchema
from services.trainer.learning.export import export_model, float32_exact
from services.trainer.learning.export_check import verify_export
from services.trainer.learning.features import FeaturePlan
from services.trainer.learning.outcome import Importance, OutOfFoldRow, TrainingOutcome
from services.trainer.learning.progress import PERCENT, Progress, silent
from services.trainer.learning.training import TrainedModel, train
from services.trainer.learning.validation import ValidationPlan


@dataclass(frozen=True)
class ExportCheck:
    """The rows the exported model is compared with the booster on (export_check)."""

    tensors: Mapping[str, np.ndarray]  # the model's inputs
    features: np.ndarray  # their feature matrix, as the booster reads it
    offset: np.ndarray | None = None  # regression: what the graph adds to the trees, per row


@dataclass(frozen=True)
class LearningProblem:
    """What a model kind hands to the shared steps."""

    plan: FeaturePlan
    features: np.ndarray  # every row training sees (validation rows included)
    labels: np.ndarray  # what the trees learn, per row of `features`
    problem_type: ProblemType
    n_classes: int  # 0 for regression
    validation: ValidationPlan
    schema: TabularSchema
    check: ExportCheck
    imbalance: bool = False  # balanced class weights
    refit_rows: np.ndarray | None = None  # the rows the final model learns from (None: all)
    offset_input: str = ""  # regression: an input the graph adds to the trees' output


@dataclass(frozen=True)
class Figures:
    """What a model kind reports about its trained model."""

    metrics: dict[str, float]
    confusion_matrix: tuple[tuple[int, ...], ...]
    importance: tuple[Importance, ...]
    out_of_fold: tuple[OutOfFoldRow, ...]
    chosen_parameters: dict[str, object]
    training_rows: int


class PreparedModel(Protocol):
    """A model kind's prepared data: the problem to learn, and how to describe the result."""

    @property
    def problem(self) -> LearningProblem: ...

    def figures(self, model: TrainedModel, booster: lgb.Booster) -> Figures:
        """`booster`: the float32-exact booster that the exported model embeds."""
        ...


def build_model(
    prepare: Callable[[], PreparedModel],
    *,
    time_budget_s: float,
    seed: int,
    progress: Progress | None = None,
    num_threads: int = 2,
) -> tuple[TrainingOutcome, bytes]:
    """The outcome and the verified ONNX model's bytes (see the module doc)."""
    started = time.perf_counter()
    report = progress or silent
    report("preparing", 0, PERCENT["preparing"])
    prepared = prepare()
    problem = prepared.problem
    report("preparing", 0, PERCENT["searching"])

    model = train(
        problem.features,
        problem.labels,
        problem_type=problem.problem_type,
        n_classes=problem.n_classes,
        categorical_features=problem.plan.categorical_features,
        validation=problem.validation,
        imbalance=problem.imbalance,
        # The budget counts from here: reading and encoding a large table takes seconds of it.
        time_budget_s=max(0.0, time_budget_s - (time.perf_counter() - started)),
        seed=seed,
        num_threads=num_threads,
        progress=report,
        refit_rows=problem.refit_rows,
    )

    report("exporting", 0, PERCENT["exporting"])
    booster = float32_exact(model.booster)
    onnx_bytes = export_model(problem.plan, booster, problem.schema, offset_input=problem.offset_input)
    check = problem.check
    verify_export(onnx_bytes, check.tensors, check.features, booster, problem.problem_type, offset=check.offset)

    figures = prepared.figures(model, booster)
    outcome = TrainingOutcome(
        schema=problem.schema,
        metrics=figures.metrics,
        confusion_matrix=figures.confusion_matrix,
        importance=figures.importance,
        out_of_fold=figures.out_of_fold,
        validation=problem.validation.description,
        chosen_parameters=figures.chosen_parameters,
        training_rows=figures.training_rows,
        training_seconds=time.perf_counter() - started,
    )
    report("exporting", 0, 100.0)
    return outcome, onnx_bytes
