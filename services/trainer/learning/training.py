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

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np

from services.tabular.schema import ProblemType
from services.trainer.learning import ensemble, linear
from services.trainer.learning.boosting import (
    REPORTED_PARAMETERS,
    BinnedSplit,
    BudgetSpent,
    Candidate,
    SplitFit,
    TrainingData,
    candidate_parameters,
)
from services.trainer.learning.progress import PERCENT, Progress, between, silent
from services.trainer.learning.search import OnRound, SearchResult, search
from services.trainer.learning.validation import ValidationPlan

# Up to this many rows (and with k folds), the search judges each configuration on every fold (of
# the first repeat, where folds are repeated: the chosen one and the blend's members see them all).
SEARCH_EVERY_FOLD_ROWS = 5_000
# Below this many feature cells (rows x features) LightGBM runs on one thread. A training worker
# waits passively between OpenMP regions (jobs.runner), and LightGBM opens several per leaf, so on
# this 2-vCPU VM two threads lost at every size measured (100 rounds, OMP_WAIT_POLICY=PASSIVE):
# 1.2 s against 0.67 s at 100k rows x 20, 2.04 s against 1.82 s at 100k x 60, 11.9 s against 4.8 s
# for digits' 1,347 x 64 x 10 classes (wine's 178 rows: 14.9 s against 1.2 s for the whole job).
SINGLE_THREAD_CELLS = 10_000_000
# The search's part of the time budget; the rest is for cross-validating the chosen configuration
# and the blend's runners-up on the folds the search did not judge, and their refits.
SEARCH_SHARE = 0.75
# How far past the budget the blend's refits may end (the chosen one's refit always runs).
REFIT_GRACE_S = 2.0


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
    deadline = time.monotonic() + time_budget_s
    if features.size < SINGLE_THREAD_CELLS:
        num_threads = 1
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
    judged = _SearchSplits(data, validation)
    searched = search(
        judged.fit,
        time_budget_s=time_budget_s * SEARCH_SHARE,
        report=report,
        seed=seed,
        has_categoricals=len(categorical_features) > 0,
        validation_rows=judged.validation_rows,
    )
    folds = cross_validate(data, validation, searched, judged.runs_of(searched.chosen), report)
    blend = _blend(data, validation, searched, judged, folds, deadline)
    refit_started = time.monotonic()
    booster, parameters = refit(data, searched.chosen, folds.best_iterations, refit_rows, report)
    summary = {**searched.summary(), "judged_on": judged.description(validation)}
    oof_predictions = folds.oof_predictions
    if blend is not None and not _refits_in_time(blend, time.monotonic() - refit_started, deadline):
        summary["ensemble_dropped"] = "its members' refits would not fit in the time budget"
        blend = None
    if blend is not None:
        final_rows = None if refit_rows is None else np.sort(np.asarray(refit_rows, dtype=np.int64))
        booster = ensemble.refit_blend(data, blend, booster, final_rows, refit_rounds)
        oof_predictions = blend.oof_predictions
        summary["ensemble"] = blend.summary()
    return TrainedModel(
        booster=booster,
        validation=validation,
        oof_rows=folds.oof_rows,
        oof_predictions=oof_predictions,
        parameters=parameters,
        search=searched.tried,
        search_summary=summary,
    )


def _refits_in_time(blend: ensemble.Blend, refit_seconds: float, deadline: float) -> bool:
    """Whether refitting the blend's other members, each about as long as the chosen one's refit,
    ends within the budget (with REFIT_GRACE of it to spare, the refit coming after the budget)."""
    others = sum(1 for weight in blend.weights[1:] if weight > 0)
    return time.monotonic() + others * refit_seconds <= deadline + REFIT_GRACE_S


def _blend(
    data: TrainingData,
    validation: ValidationPlan,
    searched: SearchResult,
    judged: _SearchSplits,
    folds: CrossValidation,
    deadline: float,
) -> ensemble.Blend | None:
    """A linear model and the search's runners-up cross-validated while the budget lasts, blended
    with the chosen configuration when that is better out of fold (ensemble.py, linear.py). The
    linear model comes first: it is cheap, and unlike a runner-up it errs differently from the trees."""
    chosen = ensemble.Member(searched.chosen_trial, searched.chosen, folds.oof_predictions, folds.best_iterations)
    others = []
    try:
        others.append(linear.cross_validated(data, validation, deadline))
    except (linear.NotApplicable, BudgetSpent):
        pass
    for trial, candidate in ensemble.runners_up(searched):
        try:
            known = judged.runs_of(candidate)
            others.append(ensemble.cross_validated(data, validation, trial, candidate, known=known, deadline=deadline))
        except BudgetSpent:
            break
    return ensemble.blend_if_better(data, validation, chosen, others)


def cross_validate(
    data: TrainingData, validation: ValidationPlan, searched: SearchResult, known: list[SplitFit], report: Progress
) -> CrossValidation:
    """The chosen candidate on every split; `known`: its runs on the first splits, from the search."""
    known = known or [searched.first_split]
    folds = len(validation.splits)

    def fold_started(fold: int, _folds: int) -> None:
        report("cross_validation", fold + 1, between("cross_validation", "fitting", fold / folds))

    for fold in range(len(known)):  # the search's folds, done already
        fold_started(fold, folds)
    member = ensemble.cross_validated(
        data, validation, searched.chosen_trial, searched.chosen, known=known, on_fold=fold_started
    )
    return CrossValidation(
        oof_rows=ensemble.out_of_fold_rows(validation),
        oof_predictions=member.oof_predictions,
        best_iterations=member.best_iterations,
    )


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


class _SearchSplits:
    """The splits the search judges a configuration on, binned on its first fit so that binning
    counts against the time budget: the first split, or every fold (of the first repeat) of a small
    data set (SEARCH_EVERY_FOLD_ROWS), where one fold's loss is mostly noise and a search on it picks
    configurations that fit that fold. The pruner watches the first split alone. The runs of the
    best few configurations are kept: cross-validation and the blend need not fit them again."""

    def __init__(self, data: TrainingData, validation: ValidationPlan) -> None:
        self._data = data
        self.every_fold = len(validation.first_repeat) > 1 and data.rows <= SEARCH_EVERY_FOLD_ROWS
        self._rows = validation.first_repeat if self.every_fold else validation.splits[:1]
        self._binned: list[BinnedSplit] = []
        self._kept: list[tuple[float, int, Candidate, list[SplitFit]]] = []  # (loss, order, candidate, runs)
        self._fitted = 0

    def description(self, validation: ValidationPlan) -> str:
        """What the report says the search judged on."""
        if not self.every_fold:
            return "the first split"
        return "every fold" if validation.repeats == 1 else "every fold of the first repeat"

    @property
    def validation_rows(self) -> int:
        return sum(len(valid) for _, valid in self._rows)

    def fit(self, candidate: Candidate, deadline: float | None, on_round: OnRound) -> SplitFit:
        """The first split's run, with the mean validation loss over the judged splits."""
        if not self._binned:
            self._binned = [self._data.split(*rows) for rows in self._rows]
        runs = [self._data.fit(candidate, self._binned[0], deadline, on_round)]
        runs += [self._data.fit(candidate, split, deadline) for split in self._binned[1:]]
        loss = float(np.mean([run.validation_loss for run in runs]))
        self._keep(loss, candidate, runs)
        return SplitFit(runs[0].best_iteration, loss, runs[0].predictions)

    def runs_of(self, candidate: Candidate) -> list[SplitFit]:
        """The kept runs of `candidate` on the judged splits (the first ones of the plan), or none."""
        return next((runs for _, _, kept, runs in self._kept if kept == candidate), [])

    def _keep(self, loss: float, candidate: Candidate, runs: list[SplitFit]) -> None:
        # The search's order: the lower loss, the earlier trial on a tie.
        self._fitted += 1
        self._kept.append((loss, self._fitted, dict(candidate), runs))
        self._kept.sort(key=lambda kept: (kept[0], kept[1]))
        del self._kept[1 + ensemble.RUNNERS_UP :]
