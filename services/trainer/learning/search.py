"""The parameter search: which LightGBM configuration the final model is trained with.

Optuna's TPE sampler (multivariate, seeded with the run's seed) proposes configurations from the
space in `suggest`; each one trains on the first validation split (the holdout, or fold 1 of k) with early
stopping, so the round count is found, not searched. Trial 0 is always DEFAULT, the
configuration used before there was a search: the report shows what the search bought, and
since the lowest validation loss wins (the earlier trial on a tie), the chosen model is never
worse on validation than the default.

Cheap first, more for the promising: a trial reports its best validation loss so far at
checkpoints of learning_rate × rounds (1, 2, 4, 8, ...: equal progress for a fast and a slow
learning rate, so a slow configuration is not judged on its first rounds) and Optuna's median
pruner stops it there when it is worse than the median of the earlier trials at the same
checkpoint. A pruned trial cannot be chosen.

The search ends at the first of:
- the time budget: trial 0 always finishes; a later trial still training at the deadline is
  stopped (boosting.BudgetSpent) and does not count;
- PATIENCE trials in a row without improving the best validation loss by IMPROVEMENT (relative),
  or by the loss's noise on few validation rows (NOISE): more search no longer helps, so small
  data sets finish in seconds;
- MAX_TRIALS trials.

Determinism: the same data, seed and thread count give the same trials and the same chosen
configuration as long as the search ends by its own rule (patience or MAX_TRIALS), not by the
clock; a search cut short by the budget is a prefix of that sequence whose length depends on the
machine. Optuna runs one trial at a time (LightGBM uses the threads).

The search sees the data only through `fit`, so cross-validation and the refit do not depend on it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import optuna

from services.trainer.learning.boosting import BudgetSpent, Candidate, OnRound, SplitFit
from services.trainer.learning.progress import Progress, between

optuna.logging.set_verbosity(optuna.logging.WARNING)

# The configuration trained before there was a search; LightGBM's own defaults for the rest.
DEFAULT: Candidate = {"num_leaves": 31, "learning_rate": 0.1, "min_data_in_leaf": 20}

PATIENCE = 15  # trials without a better validation loss before the search stops
IMPROVEMENT = 1e-3  # relative: a smaller gain does not reset the patience
# ... nor does one within the loss's sampling noise on few validation rows, taken as NOISE / √rows
# relative (a mean over n rows varies by ~1/√n): 60 rows need 1.3%, 10,000 rows 0.1%.
NOISE = 0.1
MAX_TRIALS = 200
# No pruning before learning_rate × rounds reaches 2, nor before this many trials have finished.
PRUNER_STARTUP_TRIALS = 5
PRUNER_WARMUP_CHECKPOINTS = 1

# Near-zero stand-in for "no L1/L2" on a log scale (LightGBM's default is 0).
NO_REGULARISATION = 1e-8
UNLIMITED_DEPTH = -1
DEPTHS = (UNLIMITED_DEPTH, *range(3, 13))

# fit(candidate, deadline, on_round): the candidate trained on the first split; BudgetSpent past the deadline.
FitFirstSplit = Callable[[Candidate, float | None, OnRound], SplitFit]


class Pruned(Exception):
    """The pruner stopped a trial: it was behind the earlier trials at the same checkpoint."""


@dataclass(frozen=True)
class SearchResult:
    chosen: Candidate
    first_split: SplitFit  # the chosen candidate's run on the first split
    tried: list[dict[str, object]]  # per trial, in order, for the report
    default_loss: float  # trial 0's (DEFAULT's) validation loss
    chosen_trial: int
    seconds: float  # the whole search

    def summary(self) -> dict[str, object]:
        """What the report shows next to the table of trials."""
        return {
            "trials": len(self.tried),
            "pruned": sum(1 for trial in self.tried if trial.get("pruned")),
            "default_validation_loss": self.default_loss,
            "chosen_validation_loss": self.first_split.validation_loss,
            "chosen_trial": self.chosen_trial,
            "seconds": round(self.seconds, 3),
        }


def search(
    fit: FitFirstSplit,
    *,
    time_budget_s: float,
    report: Progress,
    seed: int = 0,
    has_categoricals: bool = False,
    validation_rows: int = 0,
) -> SearchResult:
    """The best configuration found within `time_budget_s` (see the module doc).

    `validation_rows`: the first split's validation rows (0: unknown), which set the gain that counts.
    """
    improvement = max(IMPROVEMENT, NOISE / math.sqrt(validation_rows)) if validation_rows > 0 else IMPROVEMENT
    report("searching", 1, between("searching", "cross_validation", 0.0))
    started = time.monotonic()
    deadline = started + time_budget_s
    study = optuna.create_study(
        direction="minimize",
        sampler=optuna.samplers.TPESampler(seed=seed, multivariate=True),
        pruner=optuna.pruners.MedianPruner(
            n_startup_trials=PRUNER_STARTUP_TRIALS, n_warmup_steps=PRUNER_WARMUP_CHECKPOINTS
        ),
    )
    study.enqueue_trial(_default_point(has_categoricals))
    tried: list[dict[str, object]] = []
    best: tuple[float, int, Candidate, SplitFit] | None = None  # (loss, trial, candidate, run)
    default_loss = math.nan
    last_improved = 0
    for number in range(MAX_TRIALS):
        if number and (time.monotonic() >= deadline or number - last_improved > PATIENCE):
            break
        trial = study.ask()
        candidate = suggest(trial, has_categoricals)
        checkpoints = _Checkpoints(trial, candidate["learning_rate"])
        entry: dict[str, object] = {"trial": number, **candidate}
        try:
            run = fit(candidate, deadline if number else None, checkpoints)
        except BudgetSpent:
            study.tell(trial, state=optuna.trial.TrialState.FAIL)
            tried.append({**entry, "finished": False, "seconds": _since(started)})
            break
        except Pruned:
            study.tell(trial, state=optuna.trial.TrialState.PRUNED)
            tried.append(
                {
                    **entry,
                    "finished": False,
                    "pruned": True,
                    "validation_loss": checkpoints.best_loss,
                    "best_iteration": checkpoints.best_round,
                    "seconds": _since(started),
                }
            )
        else:
            study.tell(trial, run.validation_loss)
            tried.append(
                {
                    **entry,
                    "finished": True,
                    "validation_loss": run.validation_loss,
                    "best_iteration": run.best_iteration,
                    "seconds": _since(started),
                }
            )
            if number == 0:
                default_loss = run.validation_loss
            if best is None or run.validation_loss < best[0] - improvement * abs(best[0]):
                last_improved = number
            if best is None or run.validation_loss < best[0]:
                best = (run.validation_loss, number, candidate, run)
        report("searching", 1, between("searching", "cross_validation", min(1.0, _since(started) / time_budget_s)))
    assert best is not None  # trial 0 runs without a deadline and is never pruned (no earlier trials)
    _, chosen_trial, chosen, run = best
    return SearchResult(
        chosen=chosen,
        first_split=run,
        tried=tried,
        default_loss=default_loss,
        chosen_trial=chosen_trial,
        seconds=_since(started),
    )


def suggest(trial: optuna.Trial, has_categoricals: bool) -> Candidate:
    """One configuration from the search space, as LightGBM parameters (trial 0: DEFAULT, enqueued)."""
    candidate: Candidate = {
        "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.3, log=True),
        "num_leaves": trial.suggest_int("num_leaves", 4, 256, log=True),
        "max_depth": trial.suggest_categorical("max_depth", DEPTHS),
        "min_data_in_leaf": trial.suggest_int("min_data_in_leaf", 2, 200, log=True),
        "feature_fraction": trial.suggest_float("feature_fraction", 0.4, 1.0),
        "bagging_fraction": trial.suggest_float("bagging_fraction", 0.4, 1.0),
        "lambda_l1": trial.suggest_float("lambda_l1", NO_REGULARISATION, 10.0, log=True),
        "lambda_l2": trial.suggest_float("lambda_l2", NO_REGULARISATION, 10.0, log=True),
        "min_gain_to_split": trial.suggest_float("min_gain_to_split", 0.0, 1.0),
    }
    # Bagging only acts with a frequency; every round resamples, as LightGBM's docs suggest.
    candidate["bagging_freq"] = 1 if candidate["bagging_fraction"] < 1.0 else 0
    if has_categoricals:
        candidate["cat_l2"] = trial.suggest_float("cat_l2", 1.0, 100.0, log=True)
        candidate["cat_smooth"] = trial.suggest_float("cat_smooth", 1.0, 100.0, log=True)
    return candidate


def _default_point(has_categoricals: bool) -> dict[str, object]:
    """DEFAULT in the search space's terms: the rest at LightGBM's defaults."""
    point: dict[str, object] = {
        **DEFAULT,
        "max_depth": UNLIMITED_DEPTH,
        "feature_fraction": 1.0,
        "bagging_fraction": 1.0,
        "lambda_l1": NO_REGULARISATION,
        "lambda_l2": NO_REGULARISATION,
        "min_gain_to_split": 0.0,
    }
    if has_categoricals:
        point["cat_l2"] = 10.0
        point["cat_smooth"] = 10.0
    return point


class _Checkpoints:
    """A trial's on_round: reports its best loss at learning_rate × rounds = 1, 2, 4, ... and prunes."""

    def __init__(self, trial: optuna.Trial, learning_rate: float) -> None:
        self._trial = trial
        self._learning_rate = learning_rate
        self._checkpoint = 0
        self.best_loss = math.inf
        self.best_round = 0

    def __call__(self, round_number: int, loss: float) -> None:
        if loss < self.best_loss:
            self.best_loss, self.best_round = loss, round_number
        if round_number * self._learning_rate < 2.0**self._checkpoint:
            return
        self._trial.report(self.best_loss, self._checkpoint)
        self._checkpoint += 1
        if self._trial.should_prune():
            raise Pruned


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)
