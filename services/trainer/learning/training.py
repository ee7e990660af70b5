"""LightGBM on the feature matrix: validation plan, a small parameter search, the final refit.

The search tries CANDIDATES in order on the first validation split (the holdout, or fold 1 of
k) with early stopping, until `time_budget_s` is spent: the first candidate always finishes, a
later one still training when the budget runs out is dropped. The best candidate (validation
log loss / L2) then runs on the remaining folds, which gives every row an out-of-fold
prediction (under a holdout: the holdout rows only). The final model is refit on all rows (or
on `refit_rows` only: with an evaluation data set, its rows are the validation and never train
the final model) with that candidate and the mean of the folds' best iteration counts.

Under a single split (a holdout, an evaluation data set, the time-ordered holdout of
time-series mode) the histogram bins are computed from the split's training rows alone and the
validation rows are binned with them, so nothing about the validation rows shapes the models
they judge; k folds share bins computed once from all rows (cheaper, and every row is a
validation row of some fold anyway).

Labels are integer codes 0..K-1 in schema.class_labels order (the pipeline picks that order;
binary: 0 negative, 1 positive), so LightGBM's probability columns are already in that order.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
from sklearn.model_selection import KFold, ShuffleSplit, StratifiedKFold, StratifiedShuffleSplit

from services.tabular.schema import ProblemType
from services.trainer.learning.config import MAX_FOLDS, ConfigError

Progress = Callable[[str, int, float], None]

# Auto validation: k-fold up to this many rows, a single holdout above (CV's cost grows with k
# and 5 folds of 100k rows would not fit the time a user expects for a first model).
AUTO_CV_MAX_ROWS = 50_000
AUTO_FOLDS = 5
# cv = -1: more folds for small data, where one split's estimate is noisy.
AUTO_K_SMALL_ROWS = 1_000
AUTO_K_SMALL = 10
HOLDOUT_SHARE = 0.2
# Rows every validation fold holds at least (the automatic k shrinks to fit, an explicit k that
# does not fit is refused): a fold's early stopping and its share of the out-of-fold figures
# should rest on more than a couple of predictions, and k (at most config.MAX_FOLDS) stays
# within rows / 5, so the folds' cost cannot outgrow the data.
MIN_ROWS_PER_FOLD = 5
MAX_ROUNDS = 1000
EARLY_STOPPING_ROUNDS = 30

CANDIDATES: tuple[dict[str, float], ...] = (
    {"num_leaves": 31, "learning_rate": 0.1, "min_data_in_leaf": 20},
    {"num_leaves": 15, "learning_rate": 0.1, "min_data_in_leaf": 50, "lambda_l2": 1.0},
    {"num_leaves": 63, "learning_rate": 0.05, "min_data_in_leaf": 10, "feature_fraction": 0.8},
)

# Progress percentages at which each phase starts (the pipeline reports the others).
PERCENT = {"preparing": 0.0, "searching": 10.0, "cross_validation": 50.0, "fitting": 80.0, "exporting": 90.0}


@dataclass(frozen=True)
class ValidationPlan:
    splits: tuple[tuple[np.ndarray, np.ndarray], ...]  # (training rows, validation rows)
    description: str  # for TrainingOutcome.validation
    holdout: bool


@dataclass
class TrainedModel:
    booster: lgb.Booster  # refit on all rows
    validation: ValidationPlan
    oof_rows: np.ndarray  # row indices that have an out-of-fold prediction, ascending
    # classification: [len(oof_rows), n_classes] probabilities; regression: [len(oof_rows)]
    oof_predictions: np.ndarray
    parameters: dict[str, object]  # the chosen candidate and the final round count
    search: list[dict[str, object]] = field(default_factory=list)  # per candidate tried


class _BudgetSpent(Exception):
    pass


def plan_validation(
    cv: int,
    labels: np.ndarray,
    problem_type: ProblemType,
    seed: int,
    class_names: Sequence[str] = (),
) -> ValidationPlan:
    """Splits per `cv` (0 auto, -1 CV with automatic k, 1 holdout, k ≥ 2 folds).

    Auto (0): 5-fold CV up to AUTO_CV_MAX_ROWS rows, else one 80/20 holdout. -1: 10 folds under
    1,000 rows, else 5. Classification splits are stratified; under 0 and -1 the fold count
    shrinks to the smallest class's row count and to rows / MIN_ROWS_PER_FOLD (never below 2),
    an explicit k larger than either is an error.
    """
    rows = len(labels)
    classification = problem_type.is_classification
    smallest: tuple[int, str] | None = None  # (rows, class name)
    if classification:
        codes, counts = np.unique(labels, return_counts=True)
        position = int(np.argmin(counts))
        code = int(codes[position])
        name = class_names[code] if code < len(class_names) else str(code)
        smallest = (int(counts[position]), name)
    if cv == 1 or (cv == 0 and rows > AUTO_CV_MAX_ROWS):
        return _holdout(labels, classification, smallest, seed)
    if cv in (0, -1):
        folds = AUTO_FOLDS if cv == 0 or rows >= AUTO_K_SMALL_ROWS else AUTO_K_SMALL
        folds = min(folds, max(2, rows // MIN_ROWS_PER_FOLD), rows)
        if smallest is not None:
            if smallest[0] < 2:
                raise _too_few(smallest, 2, "cross-validation")
            folds = min(folds, smallest[0])
    else:
        folds = cv
        if folds > rows:
            raise ConfigError(f"cv={folds} folds need at least {folds} rows; the data has {rows}")
        if folds > MAX_FOLDS:
            raise ConfigError(f"cv must be a fold count of 2 to {MAX_FOLDS}, not {folds}")
        if rows < folds * MIN_ROWS_PER_FOLD:
            fitting = rows // MIN_ROWS_PER_FOLD
            choice = f"at most {fitting} folds, or " if fitting >= 2 else ""
            raise ConfigError(
                f"cv={folds} folds need at least {folds * MIN_ROWS_PER_FOLD} rows ({MIN_ROWS_PER_FOLD} "
                f"in each fold); the data has {rows}: choose {choice}cv=1 for one holdout split"
            )
        if smallest is not None and folds > smallest[0]:
            raise _too_few(smallest, folds, f"{folds}-fold cross-validation")
    if folds < 2:
        raise ConfigError(f"cross-validation needs at least 2 rows; the data has {rows}")
    splitter = (
        StratifiedKFold(folds, shuffle=True, random_state=seed)
        if classification
        else KFold(folds, shuffle=True, random_state=seed)
    )
    splits = tuple((np.sort(train), np.sort(valid)) for train, valid in splitter.split(np.zeros(rows), labels))
    return ValidationPlan(splits, f"{folds}-fold cross-validation", holdout=False)


def _too_few(smallest: tuple[int, str], needed: int, what: str) -> ConfigError:
    count, name = smallest
    return ConfigError(
        f"{what} needs at least {needed} rows of every class; class {name!r} has "
        f"{count} (choose fewer folds or collect more rows of that class)"
    )


def _holdout(labels: np.ndarray, classification: bool, smallest: tuple[int, str] | None, seed: int) -> ValidationPlan:
    rows = len(labels)
    if rows < 5:
        raise ConfigError(f"a holdout split needs at least 5 rows; the data has {rows}")
    if smallest is not None and smallest[0] < 2:
        raise _too_few(smallest, 2, "a holdout split")
    test_size = HOLDOUT_SHARE
    if classification:
        classes = len(np.unique(labels))
        test_size = max(test_size, classes / rows)  # at least one row of every class
        splitter = StratifiedShuffleSplit(1, test_size=test_size, random_state=seed)
    else:
        splitter = ShuffleSplit(1, test_size=test_size, random_state=seed)
    train, valid = next(splitter.split(np.zeros(rows), labels))
    percent = round(100 * len(valid) / rows)
    return ValidationPlan(
        ((np.sort(train), np.sort(valid)),),
        f"holdout ({percent}% of rows, no cross-validation)",
        holdout=True,
    )


def class_weights(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Per-row weights n / (K · n_class) ("balanced"): every class weighs the same in total."""
    counts = np.bincount(labels.astype(np.int64), minlength=n_classes).astype(np.float64)
    present = counts > 0
    per_class = np.zeros(n_classes)
    per_class[present] = len(labels) / (present.sum() * counts[present])
    return per_class[labels.astype(np.int64)]


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
    report = progress or (lambda phase, fold, percent: None)
    rows = len(labels)
    base = _base_parameters(problem_type, n_classes, seed, num_threads)
    categorical = list(categorical_features)

    def dataset(selected: np.ndarray | None, reference: lgb.Dataset | None = None) -> lgb.Dataset:
        data, target = (features, labels) if selected is None else (features[selected], labels[selected])
        weight = class_weights(target, n_classes) if imbalance and reference is None else None
        return lgb.Dataset(
            data,
            label=target,
            weight=weight,
            reference=reference,
            categorical_feature=categorical,
            params=_dataset_parameters(base),
            free_raw_data=False,
        ).construct()

    single_split = len(validation.splits) == 1
    shared: list[lgb.Dataset] = []  # all rows, binned once, for k folds

    def split_sets(train_rows, valid_rows) -> tuple[lgb.Dataset, lgb.Dataset]:
        if single_split:
            train_set = dataset(np.asarray(train_rows))
            return train_set, dataset(np.asarray(valid_rows), reference=train_set)
        if not shared:
            shared.append(
                lgb.Dataset(
                    features,
                    label=labels,
                    categorical_feature=categorical,
                    params=_dataset_parameters(base),
                    free_raw_data=False,
                ).construct()
            )
        train_set = shared[0].subset(np.asarray(train_rows, dtype=np.int32))
        if imbalance:
            train_set.construct()
            train_set.set_weight(class_weights(labels[train_rows], n_classes))
        return train_set, shared[0].subset(np.asarray(valid_rows, dtype=np.int32))

    sets: dict[int, tuple[lgb.Dataset, lgb.Dataset]] = {}

    def fit(candidate: dict, train_rows, valid_rows, deadline: float | None, fold: int):
        params = _parameters(base, candidate, len(train_rows))
        if fold not in sets:
            sets[fold] = split_sets(train_rows, valid_rows)
        train_set, valid_set = sets[fold]
        callbacks = [lgb.early_stopping(EARLY_STOPPING_ROUNDS, first_metric_only=True, verbose=False)]
        if deadline is not None:
            callbacks.append(_deadline(deadline))
        booster = lgb.train(
            params, train_set, MAX_ROUNDS, valid_sets=[valid_set], valid_names=["valid"], callbacks=callbacks
        )
        best = max(booster.best_iteration, 1)
        score = float(booster.best_score["valid"][params["metric"]])
        predicted = _predict(booster, features[valid_rows], problem_type, best)
        return best, score, predicted

    # --- search on the first split
    first_train, first_valid = validation.splits[0]
    report("searching", 1, PERCENT["searching"])
    started = time.monotonic()
    deadline = started + time_budget_s
    tried: list[dict[str, object]] = []
    results = []
    for number, candidate in enumerate(CANDIDATES):
        if number and time.monotonic() >= deadline:
            break
        try:
            best, score, predicted = fit(candidate, first_train, first_valid, deadline if number else None, 0)
        except _BudgetSpent:
            tried.append({**candidate, "finished": False})
            break
        results.append((score, number, best, predicted))
        tried.append({**candidate, "finished": True, "validation_loss": score, "best_iteration": best})
        span = PERCENT["cross_validation"] - PERCENT["searching"]
        report("searching", 1, PERCENT["searching"] + span * (number + 1) / len(CANDIDATES))
    score, chosen_number, best, predicted = min(results, key=lambda item: (item[0], item[1]))
    chosen = CANDIDATES[chosen_number]

    # --- the chosen candidate on the other folds
    oof = _empty_predictions(rows, problem_type, n_classes)
    oof[first_valid] = predicted
    best_iterations = [best]
    folds = len(validation.splits)
    report("cross_validation", 1, PERCENT["cross_validation"])  # fold 1 is the search's
    for fold in range(1, folds):
        report("cross_validation", fold + 1, _between("cross_validation", "fitting", fold / folds))
        train_rows, valid_rows = validation.splits[fold]
        best, _, predicted = fit(chosen, train_rows, valid_rows, None, fold)
        sets.pop(fold, None)
        oof[valid_rows] = predicted
        best_iterations.append(best)
    oof_rows = np.sort(np.concatenate([valid for _, valid in validation.splits]))

    sets.clear()

    # --- refit on all rows (or on refit_rows)
    rounds = max(1, int(round(float(np.mean(best_iterations)))))
    report("fitting", 0, PERCENT["fitting"])
    final_rows = None if refit_rows is None else np.sort(np.asarray(refit_rows, dtype=np.int64))
    final_count = rows if final_rows is None else len(final_rows)
    if final_rows is None and shared:  # k folds: all rows are binned already
        final_set = shared[0]
        if imbalance:
            final_set.set_weight(class_weights(labels, n_classes))
    else:
        final_set = dataset(final_rows)
    booster = lgb.train(_parameters(base, chosen, final_count), final_set, rounds)
    parameters: dict[str, object] = {
        **{key: value for key, value in _parameters(base, chosen, final_count).items() if key in _REPORTED},
        "num_iterations": rounds,
        "fold_best_iterations": best_iterations,
        "class_weighting": "balanced" if imbalance else "none",
    }
    return TrainedModel(
        booster=booster,
        validation=validation,
        oof_rows=oof_rows,
        oof_predictions=oof[oof_rows],
        parameters=parameters,
        search=tried,
    )


_REPORTED = ("objective", "num_leaves", "learning_rate", "min_data_in_leaf", "lambda_l2", "feature_fraction")


def _between(phase: str, next_phase: str, share: float) -> float:
    return PERCENT[phase] + (PERCENT[next_phase] - PERCENT[phase]) * share


def _deadline(deadline: float):
    def callback(env) -> None:
        if time.monotonic() >= deadline:
            raise _BudgetSpent

    callback.order = 40  # type: ignore[attr-defined]
    return callback


def _base_parameters(problem_type: ProblemType, n_classes: int, seed: int, num_threads: int) -> dict:
    params: dict[str, object] = {
        "verbosity": -1,
        "seed": seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": num_threads,
        "max_bin": 255,
        "feature_pre_filter": False,
    }
    if problem_type is ProblemType.BINARY_CLASSIFICATION:
        params.update(objective="binary", metric="binary_logloss")
    elif problem_type is ProblemType.MULTI_CLASSIFICATION:
        params.update(objective="multiclass", metric="multi_logloss", num_class=n_classes)
    else:
        params.update(objective="regression", metric="l2")
    return params


def _dataset_parameters(base: dict) -> dict:
    keys = ("verbosity", "max_bin", "feature_pre_filter", "seed", "num_threads", "deterministic")
    return {key: base[key] for key in keys}


def _parameters(base: dict, candidate: dict, rows: int) -> dict:
    params = {**base, **candidate}
    # Small data: leaves and category groups must still be able to form.
    params["min_data_in_leaf"] = int(max(1, min(candidate["min_data_in_leaf"], rows // 10)))
    params["min_data_per_group"] = int(max(1, min(100, rows // 20)))
    params["cat_smooth"] = 10.0
    return params


def _predict(booster: lgb.Booster, features: np.ndarray, problem_type: ProblemType, rounds: int) -> np.ndarray:
    raw = booster.predict(features, num_iteration=rounds)
    if problem_type is ProblemType.BINARY_CLASSIFICATION:
        return np.column_stack([1.0 - raw, raw])
    return raw


def _empty_predictions(rows: int, problem_type: ProblemType, n_classes: int) -> np.ndarray:
    if problem_type.is_classification:
        return np.full((rows, n_classes), math.nan)
    return np.full(rows, math.nan)
