"""A blend of the search's best configurations, kept only where the out-of-fold rows say it pays.

After the search and the chosen configuration's cross-validation, while the time budget lasts,
a linear model (linear.py) and the next best finished trials (RUNNERS_UP) are cross-validated on
every split too. Their out-of-fold raw scores and the chosen one's are weighted by greedy ensemble
selection (blend.select_weights) on the out-of-fold rows (a row validated by several splits, as
under repeated folds, has the mean of their predictions). The blend is kept when its out-of-fold
loss is at least MIN_GAIN (relative) below the chosen configuration's alone; each member is then
refit (a configuration with its own rounds, the median of its folds'; the linear model by its own
`refit`) and the members merge into one LightGBM model (blend.merge_boosters), so the export, the
serving and the reasons stay those of one model.

Losses are the validation metric of the search (log loss, or the mean squared error), computed
on the blend's raw scores: the weights act where the merged model adds its trees.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
from scipy.special import expit, log_softmax, softmax

from services.tabular.schema import ProblemType
from services.trainer.learning.blend import merge_boosters, select_weights
from services.trainer.learning.boosting import BudgetSpent, Candidate, SplitFit, TrainingData, empty_predictions
from services.trainer.learning.search import SearchResult
from services.trainer.learning.validation import ValidationPlan

RUNNERS_UP = 2
MIN_GAIN = 0.002
_CLIP = 1e-15


# refit(rows, template): a member's final model on `rows` (None: all), as a booster with the
# template's header, for members that are not a LightGBM configuration (linear.py).
Refit = Callable[[np.ndarray | None, lgb.Booster], lgb.Booster]


@dataclass(frozen=True)
class Member:
    trial: int
    candidate: Candidate
    oof_predictions: np.ndarray  # on the plan's out-of-fold rows, as TrainedModel holds them
    best_iterations: list[int]  # per split
    refit: Refit | None = None  # None: a LightGBM configuration, refit with its folds' rounds
    name: str = ""  # how the report names a member that is not a search trial


@dataclass(frozen=True)
class Blend:
    members: tuple[Member, ...]
    weights: np.ndarray
    oof_predictions: np.ndarray  # the blend's, as TrainedModel holds them
    loss: float  # the blend's out-of-fold loss
    single_loss: float  # the chosen configuration's alone

    def summary(self) -> dict[str, object]:
        """What the report says of the blend."""
        return {
            "members": [
                {
                    "trial": member.trial,
                    "weight": round(float(weight), 4),
                    **({"name": member.name} if member.name else {}),
                }
                for member, weight in zip(self.members, self.weights)
            ],
            "out_of_fold_loss": self.loss,
            "chosen_alone_out_of_fold_loss": self.single_loss,
        }


def runners_up(searched: SearchResult, count: int = RUNNERS_UP) -> list[tuple[int, Candidate]]:
    """The best finished trials after the chosen one, by validation loss (the earlier on a tie),
    each a configuration not already listed."""
    finished = [
        tried for tried in searched.tried if tried.get("finished") and tried.get("trial") != searched.chosen_trial
    ]
    finished.sort(key=lambda tried: (_number(tried["validation_loss"]), _number(tried["trial"])))
    picked: list[tuple[int, Candidate]] = []
    seen = [searched.chosen]
    for tried in finished:
        candidate = {key: _number(value) for key, value in tried.items() if key in searched.chosen}
        if candidate in seen:
            continue
        seen.append(candidate)
        picked.append((int(_number(tried["trial"])), candidate))
        if len(picked) == count:
            break
    return picked


def _number(value: object) -> float:
    """A trial's figure as it was (an int stays one: LightGBM takes num_leaves=101, not 101.0)."""
    if not isinstance(value, (int, float)):
        raise TypeError(f"a trial's figure is not a number: {value!r}")
    return value


def cross_validated(
    data: TrainingData,
    validation: ValidationPlan,
    trial: int,
    candidate: Candidate,
    *,
    known: Sequence[SplitFit] = (),
    deadline: float | None = None,
    on_fold: Callable[[int, int], None] = lambda fold, folds: None,
) -> Member:
    """`candidate` on every split, `known` holding its runs on the first ones already; BudgetSpent
    past `deadline`. on_fold(fold, folds) before each split it fits. A row validated in several
    splits (repeated folds) has the mean of their predictions."""
    oof = OutOfFold(np.zeros_like(empty_predictions(data.rows, data.problem_type, data.n_classes)))
    best_iterations = []
    folds = len(validation.splits)
    for fold, (train_rows, valid_rows) in enumerate(validation.splits):
        if fold < len(known):
            run = known[fold]
        else:
            if deadline is not None and time.monotonic() >= deadline:
                raise BudgetSpent
            on_fold(fold, folds)
            run = data.fit(candidate, data.split(train_rows, valid_rows), deadline)
        oof.add(valid_rows, run.predictions)
        best_iterations.append(run.best_iteration)
    return Member(trial, candidate, oof.means(out_of_fold_rows(validation)), best_iterations)


class OutOfFold:
    """Sums of each row's predictions over the splits that validate it, and their count."""

    def __init__(self, zeros: np.ndarray) -> None:
        """`zeros`: one row of zeros per data row, shaped as the predictions."""
        self._sums = zeros
        self._counts = np.zeros(len(zeros), dtype=np.int64)

    def add(self, rows: np.ndarray, predictions: np.ndarray) -> None:
        self._sums[rows] += predictions
        self._counts[rows] += 1

    def means(self, rows: np.ndarray) -> np.ndarray:
        """The mean per row of `rows` (each validated at least once)."""
        counts = self._counts[rows]
        return self._sums[rows] / (counts[:, None] if self._sums.ndim > 1 else counts)


def out_of_fold_rows(validation: ValidationPlan) -> np.ndarray:
    """Every row some split validates, once, ascending."""
    return np.unique(np.concatenate([valid for _, valid in validation.splits]))


def blend_if_better(
    data: TrainingData, validation: ValidationPlan, chosen: Member, others: list[Member]
) -> Blend | None:
    """The weighted blend of `chosen` and `others`, or None when it is not MIN_GAIN better (the
    blend may be one of `others` alone: a linear member can beat every tree configuration)."""
    if not others:
        return None
    members = (chosen, *others)
    labels = data.labels[out_of_fold_rows(validation)]
    raws = [raw_scores(member.oof_predictions, data.problem_type) for member in members]

    def loss(raw: np.ndarray) -> float:
        return raw_loss(raw, labels, data.problem_type)

    weights = select_weights(raws, loss)
    blended = sum(weight * raw for weight, raw in zip(weights, raws))
    assert isinstance(blended, np.ndarray)
    single = loss(raws[0])
    blend_loss = loss(blended)
    if weights[0] == 1.0 or blend_loss > single * (1.0 - MIN_GAIN):
        return None
    return Blend(members, weights, predictions_of(blended, data.problem_type), blend_loss, single)


def refit_blend(
    data: TrainingData,
    blend: Blend,
    chosen_booster: lgb.Booster,
    refit_rows: np.ndarray | None,
    rounds_of: Callable[[list[int]], int],
) -> lgb.Booster:
    """The members with a weight merged into one model: the chosen configuration's refit as given,
    a member with its own `refit` by it, each other one refit with `rounds_of(its folds' best
    iterations)` rounds."""
    boosters, weights = [], []
    for member, weight in zip(blend.members, blend.weights):
        if weight <= 0:
            continue
        if member is blend.members[0]:
            boosters.append(chosen_booster)
        elif member.refit is not None:
            boosters.append(member.refit(refit_rows, chosen_booster))
        else:
            boosters.append(data.fit_final(member.candidate, refit_rows, rounds_of(member.best_iterations)))
        weights.append(float(weight))
    return merge_boosters(boosters, weights)


def raw_scores(predictions: np.ndarray, problem_type: ProblemType) -> np.ndarray:
    """What a model's trees add up to, from its predictions: log-odds, log-probabilities (softmax
    ignores the per-row constant this leaves), or the values themselves."""
    if problem_type is ProblemType.BINARY_CLASSIFICATION:
        positive = np.clip(predictions[:, 1], _CLIP, 1.0 - _CLIP)
        return np.log(positive) - np.log1p(-positive)
    if problem_type is ProblemType.MULTI_CLASSIFICATION:
        return np.log(np.clip(predictions, _CLIP, 1.0))
    return np.asarray(predictions, dtype=np.float64)


def predictions_of(raw: np.ndarray, problem_type: ProblemType) -> np.ndarray:
    """raw_scores' inverse, shaped as TrainedModel holds predictions."""
    if problem_type is ProblemType.BINARY_CLASSIFICATION:
        positive = expit(raw)
        return np.column_stack([1.0 - positive, positive])
    if problem_type is ProblemType.MULTI_CLASSIFICATION:
        return softmax(raw, axis=1)
    return raw


def raw_loss(raw: np.ndarray, labels: np.ndarray, problem_type: ProblemType) -> float:
    """The search's metric: log loss of the probabilities the raw scores give, or the mean squared error."""
    if problem_type is ProblemType.BINARY_CLASSIFICATION:
        # -log(sigmoid(z)) for the positives, -log(1 - sigmoid(z)) for the others, without overflow.
        signed = np.where(labels.astype(np.int64) == 1, raw, -raw)
        return float(np.mean(np.logaddexp(0.0, -signed)))
    if problem_type is ProblemType.MULTI_CLASSIFICATION:
        log_probabilities = log_softmax(raw, axis=1)
        return float(-np.mean(log_probabilities[np.arange(len(labels)), labels.astype(np.int64)]))
    return float(np.mean((raw - labels) ** 2))
