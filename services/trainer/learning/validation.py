"""Which rows validate which models: k folds, one holdout split, and the rules that size them.

Classification splits are stratified. The fold count is bounded by the data (MIN_ROWS_PER_FOLD,
the smallest class): the automatic count shrinks to fit, an explicit one that does not fit is
refused with a message that says what would. Automatic k-fold validation of small data repeats
its folds with other shuffles: one partition of a few hundred rows into folds is noisy, and the
refit's round count, the out-of-fold figures and the blend's weights rest on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import (
    KFold,
    RepeatedKFold,
    RepeatedStratifiedKFold,
    ShuffleSplit,
    StratifiedKFold,
    StratifiedShuffleSplit,
)

from services.tabular.schema import ProblemType
from services.tabular.setting_words import setting
from services.trainer.learning.config import MAX_FOLDS, ConfigError

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
# Automatic k-fold validation (cv 0 or -1) of fewer rows repeats the k folds REPEATS times in all,
# each with its own shuffle; an explicit k is the user's and is not repeated.
REPEATED_MAX_ROWS = 1_000
REPEATS = 3


@dataclass(frozen=True)
class ValidationPlan:
    # (training rows, validation rows); repeated folds: every repeat's k splits in turn, so that
    # each row is a validation row once per repeat.
    splits: tuple[tuple[np.ndarray, np.ndarray], ...]
    description: str  # for TrainingOutcome.validation
    holdout: bool
    repeats: int = 1

    @property
    def first_repeat(self) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
        """The splits of one partition of the rows (all of them without repeats)."""
        return self.splits[: len(self.splits) // self.repeats]


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
    an explicit k larger than either is an error. Under 0 and -1, fewer than REPEATED_MAX_ROWS
    rows repeat the folds (REPEATS).
    """
    rows = len(labels)
    classification = problem_type.is_classification
    smallest = _smallest_class(labels, class_names) if classification else None
    if cv == 1 or (cv == 0 and rows > AUTO_CV_MAX_ROWS):
        return _holdout(labels, classification, smallest, seed)
    folds = _automatic_folds(cv, rows, smallest) if cv in (0, -1) else _checked_folds(cv, rows, smallest)
    if folds < 2:
        raise ConfigError(f"cross-validation needs at least 2 rows; the data has {rows}")
    if cv in (0, -1) and rows < REPEATED_MAX_ROWS:
        return _repeated(folds, labels, classification, seed)
    splitter = (
        StratifiedKFold(folds, shuffle=True, random_state=seed)
        if classification
        else KFold(folds, shuffle=True, random_state=seed)
    )
    splits = tuple((np.sort(train), np.sort(valid)) for train, valid in splitter.split(np.zeros(rows), labels))
    return ValidationPlan(splits, f"{folds}-fold cross-validation", holdout=False)


def _repeated(folds: int, labels: np.ndarray, classification: bool, seed: int) -> ValidationPlan:
    repeated = RepeatedStratifiedKFold if classification else RepeatedKFold
    splitter = repeated(n_splits=folds, n_repeats=REPEATS, random_state=seed)
    splits = tuple((np.sort(train), np.sort(valid)) for train, valid in splitter.split(np.zeros(len(labels)), labels))
    description = f"{folds}-fold cross-validation, repeated {REPEATS} times"
    return ValidationPlan(splits, description, holdout=False, repeats=REPEATS)


def _smallest_class(labels: np.ndarray, class_names: Sequence[str]) -> tuple[int, str]:
    """(rows, class name) of the class with the fewest rows."""
    codes, counts = np.unique(labels, return_counts=True)
    position = int(np.argmin(counts))
    code = int(codes[position])
    name = class_names[code] if code < len(class_names) else str(code)
    return int(counts[position]), name


def _automatic_folds(cv: int, rows: int, smallest: tuple[int, str] | None) -> int:
    folds = AUTO_FOLDS if cv == 0 or rows >= AUTO_K_SMALL_ROWS else AUTO_K_SMALL
    folds = min(folds, max(2, rows // MIN_ROWS_PER_FOLD), rows)
    if smallest is not None:
        if smallest[0] < 2:
            raise _too_few(smallest, 2, "cross-validation")
        folds = min(folds, smallest[0])
    return folds


def _checked_folds(folds: int, rows: int, smallest: tuple[int, str] | None) -> int:
    if folds > rows:
        raise ConfigError(f"{setting('cv')}={folds} folds need at least {folds} rows; the data has {rows}")
    if folds > MAX_FOLDS:
        raise ConfigError(f"{setting('cv')} must be a fold count of 2 to {MAX_FOLDS}, not {folds}")
    if rows < folds * MIN_ROWS_PER_FOLD:
        fitting = rows // MIN_ROWS_PER_FOLD
        choice = f"at most {fitting} folds, or " if fitting >= 2 else ""
        raise ConfigError(
            f"{setting('cv')}={folds} folds need at least {folds * MIN_ROWS_PER_FOLD} rows ({MIN_ROWS_PER_FOLD} "
            f"in each fold); the data has {rows}: choose {choice}{setting('cv')}=1 for one holdout split"
        )
    if smallest is not None and folds > smallest[0]:
        raise _too_few(smallest, folds, f"{folds}-fold cross-validation")
    return folds


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
