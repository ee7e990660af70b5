"""The parameter search: which candidate the final model is trained with.

CANDIDATES are tried in order on the first validation split (the holdout, or fold 1 of k) with
early stopping, until `time_budget_s` is spent: the first candidate always finishes, a later one
still training when the budget runs out is dropped. The lowest validation loss wins (the
earlier candidate on a tie). The search sees the data only through `fit`, so another strategy
can replace it without touching cross-validation or the refit.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from services.trainer.learning.boosting import BudgetSpent, Candidate, SplitFit
from services.trainer.learning.progress import PERCENT, Progress

CANDIDATES: tuple[Candidate, ...] = (
    {"num_leaves": 31, "learning_rate": 0.1, "min_data_in_leaf": 20},
    {"num_leaves": 15, "learning_rate": 0.1, "min_data_in_leaf": 50, "lambda_l2": 1.0},
    {"num_leaves": 63, "learning_rate": 0.05, "min_data_in_leaf": 10, "feature_fraction": 0.8},
)

# fit(candidate, deadline): the candidate trained on the first split; BudgetSpent past the deadline.
FitFirstSplit = Callable[[Candidate, float | None], SplitFit]


@dataclass(frozen=True)
class SearchResult:
    chosen: Candidate
    first_split: SplitFit  # the chosen candidate's run on the first split
    tried: list[dict[str, object]]  # per candidate tried, for the report


def search(fit: FitFirstSplit, *, time_budget_s: float, report: Progress) -> SearchResult:
    report("searching", 1, PERCENT["searching"])
    deadline = time.monotonic() + time_budget_s
    tried: list[dict[str, object]] = []
    finished: list[tuple[float, int, SplitFit]] = []  # (validation loss, candidate number, run)
    for number, candidate in enumerate(CANDIDATES):
        if number and time.monotonic() >= deadline:
            break
        try:
            run = fit(candidate, deadline if number else None)
        except BudgetSpent:
            tried.append({**candidate, "finished": False})
            break
        finished.append((run.validation_loss, number, run))
        tried.append(
            {
                **candidate,
                "finished": True,
                "validation_loss": run.validation_loss,
                "best_iteration": run.best_iteration,
            }
        )
        span = PERCENT["cross_validation"] - PERCENT["searching"]
        report("searching", 1, PERCENT["searching"] + span * (number + 1) / len(CANDIDATES))
    _, chosen_number, run = min(finished, key=lambda item: (item[0], item[1]))
    return SearchResult(chosen=CANDIDATES[chosen_number], first_split=run, tried=tried)
