"""A training run's settings and their validation.

Messages of ConfigError reach the user as the reason a training run failed, so they name the
offending value and the setting: by its field name here, marked with setting_words.setting, which
each contract's gateway words in its own terms (Prediction One's `tsc` for `time_column`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from services.tabular.cells import normalise
from services.tabular.schema import ProblemType
from services.tabular.setting_words import render, setting

DEFAULT_TIME_BUDGET_S = 20.0
# Peak memory one training job may plan for (TrainerSettings.training_memory_budget_bytes).
DEFAULT_MEMORY_BUDGET_BYTES = 4 << 30
# An explicit fold count is at most this: twice the largest automatic k (10). Past it every
# training part already holds 95% of the rows, so more folds barely change the estimate, while
# the time (one model per fold) and the split indexes (folds × rows) keep growing with k.
MAX_FOLDS = 20


class ConfigError(ValueError):
    """The settings cannot work with this data; the message is for the user.

    `marked` is the message as it travels to the user's contract, settings marked (setting_words);
    str() reads it with the core's own setting names, for logs.
    """

    def __init__(self, marked: str) -> None:
        super().__init__(marked)
        self.marked = marked

    def __str__(self) -> str:
        return render(self.marked, {})


# `unit` names, finest first; "eom" is month data dated on the last day of each month.
TIME_UNITS = ("minute", "hour", "day", "month", "eom", "year")


@dataclass(frozen=True)
class TimeSeriesConfig:
    """Time-series mode: forecast the target window_start..window_end time units ahead.

    See services.trainer.learning.timeseries for how windows are built. `unit` "" and
    `interval` 0 are detected from the data. A column is read at the target time t+h (known in
    the window) when `others_known` is true and it is not in `known_exceptions`, or when
    `others_known` is false and it is listed there (the exceptions flip the default); otherwise
    it is read at the origin time t.
    """

    time_column: str
    window_start: int  # time units ahead, ≥ 1
    window_end: int  # ≥ window_start
    unit: str = ""  # one of TIME_UNITS, "" = detect
    interval: int = 0  # time units between consecutive rows of a series, 0 = detect
    series_column: str = ""  # "" = the whole table is one series
    others_known: bool = False
    known_exceptions: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not isinstance(self.time_column, str) or not self.time_column.strip():
            raise ConfigError(f"time-series mode needs the time column ({setting('time_column')})")
        if self.unit not in ("", *TIME_UNITS):
            raise ConfigError(
                f"the time unit ({setting('unit')}) must be one of {', '.join(TIME_UNITS)}, not {self.unit!r}"
            )
        for name in ("window_start", "window_end", "interval"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{setting(name)} must be an integer, not {value!r}")
        if self.window_start < 1:
            raise ConfigError(
                f"the window start ({setting('window_start')}) must be 1 or more, not {self.window_start}"
            )
        if self.window_end < self.window_start:
            raise ConfigError(
                f"the window end ({setting('window_end')}) must be at least the window start "
                f"({setting('window_start')}) {self.window_start}, "
                f"not {self.window_end}"
            )
        if self.interval < 0:
            raise ConfigError(
                f"the interval ({setting('interval')}) must be 0 (automatic) or more, not {self.interval}"
            )
        if not isinstance(self.known_exceptions, tuple):
            object.__setattr__(self, "known_exceptions", tuple(self.known_exceptions))

    def is_known(self, column: str) -> bool:
        """Whether `column` is read at the target time t+h rather than at the origin t."""
        return self.others_known != (column in self.known_exceptions)


@dataclass(frozen=True)
class TrainingConfig:
    target: str
    problem_type: ProblemType
    positive_class: str | None = None  # binary only
    # 0 auto; -1 cross-validation with automatic k; 1 no cross-validation (one 80/20
    # holdout split); 2 ≤ k ≤ MAX_FOLDS: k folds. See validation.plan_validation for "auto" and
    # for the rows each fold needs.
    cv: int = 0
    imbalance: bool = False  # class weighting, classification only
    time_budget_s: float = DEFAULT_TIME_BUDGET_S  # for the parameter search
    seed: int = 0
    # What the job's largest structures may take (time-series windows, see window_limits).
    memory_budget_bytes: int = DEFAULT_MEMORY_BUDGET_BYTES
    # Regression only. cv does not apply (a time-ordered holdout is used, see timeseries),
    # nor does it when the job has an evaluation data set (that data set is the validation).
    time_series: TimeSeriesConfig | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.target, str) or not self.target.strip():
            raise ConfigError(f"the target column ({setting('target')}) is required")
        if not isinstance(self.problem_type, ProblemType):
            raise ConfigError(f"unknown problem type ({setting('problem_type')}) {self.problem_type!r}")
        if isinstance(self.cv, bool) or not isinstance(self.cv, int):
            raise ConfigError(f"{setting('cv')} must be an integer, not {self.cv!r}")
        if not -1 <= self.cv <= MAX_FOLDS:
            raise ConfigError(
                f"{setting('cv')} must be 0 (auto), -1 (cross-validation, automatic k), 1 (no "
                f"cross-validation) or a fold count of 2 to {MAX_FOLDS}, not {self.cv}"
            )
        if self.problem_type is ProblemType.BINARY_CLASSIFICATION:
            if self.positive_class is None or not str(self.positive_class).strip():
                raise ConfigError(f"binary classification needs the positive class ({setting('positive_class')})")
        elif self.positive_class not in (None, ""):
            raise ConfigError(f"the positive class ({setting('positive_class')}) is only for binary classification")
        if self.imbalance and not self.problem_type.is_classification:
            raise ConfigError(f"imbalance correction ({setting('imbalance')}) is only for classification")
        budget = self.time_budget_s
        if (
            isinstance(budget, bool)
            or not isinstance(budget, (int, float))
            or not (math.isfinite(budget) and budget > 0)
        ):
            raise ConfigError(f"the time budget must be a positive number of seconds, not {budget!r}")
        memory = self.memory_budget_bytes
        if isinstance(memory, bool) or not isinstance(memory, int) or memory <= 0:
            raise ConfigError(f"the memory budget must be a positive number of bytes, not {memory!r}")
        if self.time_series is not None:
            if not isinstance(self.time_series, TimeSeriesConfig):
                raise ConfigError(f"unknown time-series settings {self.time_series!r}")
            if self.problem_type is not ProblemType.REGRESSION:
                raise ConfigError(
                    f"time-series mode ({setting('time_series')}) needs {setting('problem_type')} = regression"
                )
            series = self.time_series
            if series.time_column == self.target:
                raise ConfigError(
                    f"the time column ({setting('time_column')}) {series.time_column!r} is the target column"
                )
            if series.series_column and series.series_column in (self.target, series.time_column):
                raise ConfigError(
                    f"the series column ({setting('series_column')}) {series.series_column!r} must differ "
                    f"from the target and the time column"
                )

    @property
    def positive_label(self) -> str | None:
        """The positive class as a target cell reads after normalisation (NFKC, trimmed)."""
        return None if self.positive_class is None else normalise(str(self.positive_class))

    def check_target_values(self, values: Sequence[str]) -> None:
        """Checks that need the (normalised, non-missing) target cells."""
        if not values:
            raise ConfigError(f"the target column {self.target!r} has no values")
        if not self.problem_type.is_classification:
            return
        distinct = set(values)
        if len(distinct) < 2:
            raise ConfigError(
                f"classification needs at least two different values in {self.target!r}; "
                f"found only {next(iter(distinct))!r}"
            )
        if self.problem_type is ProblemType.BINARY_CLASSIFICATION:
            if len(distinct) > 2:
                shown = ", ".join(repr(value) for value in sorted(distinct)[:5])
                raise ConfigError(
                    f"binary classification needs exactly two values in {self.target!r}; found "
                    f"{len(distinct)} ({shown}{', ...' if len(distinct) > 5 else ''}): "
                    f"use multi_classification"
                )
            if self.positive_label not in distinct:
                shown = " and ".join(repr(value) for value in sorted(distinct))
                raise ConfigError(
                    f"the positive class ({setting('positive_class')}) {self.positive_class!r} is not among "
                    f"the values of {self.target!r}: {shown}"
                )
