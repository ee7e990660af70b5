"""LightGBM on the feature matrix in three steps: search, cross-validation, refit.

1. `search` (search.py) searches the configurations on the first validation split (the
   holdout, or fold 1 of k) within the time budget and keeps the best.
2. `cross_validate` runs the chosen configuration on the remaining folds, which gives every row
   an out-of-fold prediction (under a holdout: the holdout rows only).
3. `refit` trains the final model on all rows (or on `refit_rows` only: with an evaluation data
   set, its rows are the validation and never train the final model) with that configuration
   and the median of the folds' best iteration counts (`refit_rounds`: one odd fold does not
   move it, where a mean would).

The splits come from validation.py; how rows are binned and one model is fitted, from
boosting.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np

from services.tabular.schema import ProblemType
from services.trainer.learning.boosting import (
    REPORTED_PARAMETERS,
    BinnedSplit,
    Candidate,
    SplitFit,
    TrainingData,
    candidate_parameters,
    empty_predictions,
)
from services.trainer.learning.progress import PERCENT, Progress, between, silent
from services.trainer.learning.search import OnRound, SearchResult, search
from services.trainer.learning.validation import ValidationPlan


@dataclass
class TrainedModel:
    booster: lgb.Booster  # refit on all rows
    validation: ValidationPlan
    oof_rows: np.ndarray  # row indices that have an out-of-fold prediction, ascending
    # classification: [len(oof_rows), n_classes] probabilities; regression: [len(oof_rows)]
    oof_predictions: np.ndarray
    parameters: dict[str, object]  # the chosen configuration and the final round count
    search: list[dict[str, object]] = field(default_factory=list)  # per trial of the search
    search_summary: dict[str, object] = field(default_factory=dict)  # SearchResult.summary()


@dataclass(frozen=True)
class CrossValidation:
    oof_rows: np.ndarray  # every validation row of every split, ascending
    oof_predictions: np.ndarray  # per oof_rows, as TrainedModel holds them
    best_iterations: list[int]  # per split


def train(
    features: np.ndarray,
    labels: np.ndarray,
    *,
    problem_type: ProblemType,
    n_classes: int,
    categorical_features: Sequence[int],
    validation: ValidationPlan,
    imbalance: bool = False,
    time_budget_s: float = 20.0,
    seed: int = 0,
    num_threads: int = 2,
    progress: Progress | None = None,
    refit_rows: np.ndarray | None = None,
) -> TrainedModel:
    """`refit_rows`: the rows the final model learns from (default: all rows)."""
    report = progress or silent
    data = TrainingData(
        features,
        labels,
        problem_type=problem_type,
        n_classes=n_classes,
        categorical_features=categorical_features,
        imbalance=imbalance,
        seed=seed,
        num_threads=num_threads,
        shared_bins=len(validation.splits) > 1,
    )
    searched = search(
        _FirstSplit(data, validation).fit,
        time_budget_s=time_budget_s,
        report=report,
        seed=seed,
        has_categoricals=len(categorical_features) > 0,
        validation_rows=len(validation.splits[0][1]),
    )
    folds = cross_validate(data, validation, searched, report)
    booster, parameters = refit(data, searched.chosen, folds.best_iterations, refit_rows, report)
    return TrainedModel(
        booster=booster,
        validation=validation,
        oof_rows=folds.oof_rows,
        oof_predictions=folds.oof_predictions,
        parameters=parameters,
        search=searched.tried,
        search_summary=searched.summary(),
    )


def cross_validate(
    data: TrainingData, validation: ValidationPlan, searched: SearchResult, report: Progress
) -> CrossValidation:
    """The chosen candidate on every split after the first, whose run the search made."""
    oof = empty_predictions(data.rows, data.problem_type, data.n_classes)
    oof[validation.splits[0][1]] = searched.first_split.predictions
    best_iterations = [searched.first_split.best_iteration]
    folds = len(validation.splits)
    report("cross_validation", 1, PERCENT["cross_validation"])  # fold 1 is the search's
    for fold in range(1, folds):
        report("cross_validation", fold + 1, between("cross_validation", "fitting", fold / folds))
        train_rows, valid_rows = validation.splits[fold]
        run = data.fit(searched.chosen, data.split(train_rows, valid_rows))
        oof[valid_rows] = run.predictions
        best_iterations.append(run.best_iteration)
    oof_rows = np.sort(np.concatenate([valid for _, valid in validation.splits]))
    return CrossValidation(oof_rows=oof_rows, oof_predictions=oof[oof_rows], best_iterations=best_iterations)


def refit(
    data: TrainingData,
    chosen: Candidate,
    best_iterations: list[int],
    refit_rows: np.ndarray | None,
    report: Progress,
) -> tuple[lgb.Booster, dict[str, object]]:
    """The final model, with `refit_rounds` rounds, and what it was fitted with."""
    rounds = refit_rounds(best_iterations)
    report("fitting", 0, PERCENT["fitting"])
    final_rows = None if refit_rows is None else np.sort(np.asarray(refit_rows, dtype=np.int64))
    booster = data.fit_final(chosen, final_rows, rounds)
    final_count = data.rows if final_rows is None else len(final_rows)
    fitted = candidate_parameters(data.base, chosen, final_count)
    parameters: dict[str, object] = {
        **{key: value for key, value in fitted.items() if key in REPORTED_PARAMETERS or key in chosen},
        "num_iterations": rounds,
        "fold_best_iterations": best_iterations,
        "class_weighting": "balanced" if data.imbalance else "none",
    }
    return booster, parameters


def refit_rounds(best_iterations: Sequence[int]) -> int:
    """The median of the splits' best round counts (rounded, at least 1): robust to one odd fold."""
    return max(1, int(round(float(np.median(best_iterations)))))


class _FirstSplit:
    """The search's split, binned on its first fit so that binning counts against the time budget."""

    def __init__(self, data: TrainingData, validation: ValidationPlan) -> None:
        self._data = data
        self._rows = validation.splits[0]
        self._binned: BinnedSplit | None = None

    def fit(self, candidate: Candidate, deadline: float | None, on_round: OnRound) -> SplitFit:
        if self._binned is None:
            self._binned = self._data.split(*self._rows)
        return self._data.fit(candidate, self._binned, deadline, on_round)
