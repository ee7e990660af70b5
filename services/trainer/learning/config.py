"""A training run's settings (Prediction One's `config`, contract §3.4) and their validation.

Messages of ConfigError reach the user as the reason a training request or run failed, so they
name the setting and the offending value in the user's terms.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from services.tabular.cells import normalise
from services.tabular.schema import ProblemType

DEFAULT_TIME_BUDGET_S = 20.0
# Peak memory one training job may plan for (TrainerSettings.training_memory_budget_bytes).
DEFAULT_MEMORY_BUDGET_BYTES = 4 << 30
# An explicit fold count is at most this: twice the largest automatic k (10). Past it every
# training part already holds 95% of the rows, so more folds barely change the estimate, while
# the time (one model per fold) and the split indexes (folds × rows) keep growing with k.
MAX_FOLDS = 20


class ConfigError(ValueError):
    """The settings cannot work with this data; the message is for the user."""


# tsu names, finest first; "eom" is month data dated on the last day of each month.
TIME_UNITS = ("minute", "hour", "day", "month", "eom", "year")


@dataclass(frozen=True)
class TimeSeriesConfig:
    """Time-series mode (tsm): forecast the target window_start..window_end time units ahead.

    See services.trainer.learning.timeseries for how windows are built. `unit` "" and
    `interval` 0 are detected from the data. A column is read at the target time t+h (known in
    the window) when `others_known` is true and it is not in `known_exceptions`, or when
    `others_known` is false and it is listed there (the exceptions flip the default); otherwise
    it is read at the origin time t.
    """

    time_column: str  # tsc
    window_start: int  # tsf, time units ahead, ≥ 1
    window_end: int  # tst, ≥ window_start
    unit: str = ""  # tsu: one of TIME_UNITS, "" = detect
    interval: int = 0  # tsi: time units between consecutive rows of a series, 0 = detect
    series_column: str = ""  # tss, "" = the whole table is one series
    others_known: bool = False  # tsin
    known_exceptions: tuple[str, ...] = field(default=())  # tsine

    def __post_init__(self) -> None:
        if not isinstance(self.time_column, str) or not self.time_column.strip():
            raise ConfigError("time-series mode needs the time column (tsc)")
        if self.unit not in ("", *TIME_UNITS):
            raise ConfigError(f"the time unit (tsu) must be one of {', '.join(TIME_UNITS)}, not {self.unit!r}")
        for key, value in (("tsf", self.window_start), ("tst", self.window_end), ("tsi", self.interval)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{key} must be an integer, not {value!r}")
        if self.window_start < 1:
            raise ConfigError(f"the window start (tsf) must be 1 or more, not {self.window_start}")
        if self.window_end < self.window_start:
            raise ConfigError(
                f"the window end (tst) must be at least the window start (tsf) {self.window_start}, "
                f"not {self.window_end}"
            )
        if self.interval < 0:
            raise ConfigError(f"the interval (tsi) must be 0 (automatic) or more, not {self.interval}")
        if not isinstance(self.known_exceptions, tuple):
            object.__setattr__(self, "known_exceptions", tuple(self.known_exceptions))

    def is_known(self, column: str) -> bool:
        """Whether `column` is read at the target time t+h rather than at the origin t."""
        return self.others_known != (column in self.known_exceptions)


@dataclass(frozen=True)
class TrainingConfig:
    target: str  # tc
    problem_type: ProblemType  # tt
    positive_class: str | None = None  # tv: binary only
    # cv: 0 auto; -1 cross-validation with automatic k; 1 no cross-validation (one 80/20
    # holdout split); 2 ≤ k ≤ MAX_FOLDS: k folds. See validation.plan_validation for "auto" and
    # for the rows each fold needs.
    cv: int = 0
    imbalance: bool = False  # im: class weighting, classification only
    time_budget_s: float = DEFAULT_TIME_BUDGET_S  # for the parameter search
    seed: int = 0
    # What the job's largest structures may take (time-series windows, see window_limits).
    memory_budget_bytes: int = DEFAULT_MEMORY_BUDGET_BYTES
    # tsm: regression only. cv does not apply (a time-ordered holdout is used, see timeseries),
    # nor does it when the job has an evaluation data set (that data set is the validation).
    time_series: TimeSeriesConfig | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.target, str) or not self.target.strip():
            raise ConfigError("the target column (tc) is required")
        if not isinstance(self.problem_type, ProblemType):
            raise ConfigError(f"unknown problem type (tt) {self.problem_type!r}")
        if isinstance(self.cv, bool) or not isinstance(self.cv, int):
            raise ConfigError(f"cv must be an integer, not {self.cv!r}")
        if not -1 <= self.cv <= MAX_FOLDS:
            raise ConfigError(
                f"cv must be 0 (auto), -1 (cross-validation, automatic k), 1 (no "
                f"cross-validation) or a fold count of 2 to {MAX_FOLDS}, not {self.cv}"
            )
        if self.problem_type is ProblemType.BINARY_CLASSIFICATION:
            if self.positive_class is None or not str(self.positive_class).strip():
                raise ConfigError("binary classification needs the positive class (tv)")
        elif self.positive_class not in (None, ""):
            raise ConfigError("the positive class (tv) is only for binary classification")
        if self.imbalance and not self.problem_type.is_classification:
            raise ConfigError("imbalance correction (im) is only for classification")
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
                raise ConfigError("time-series mode (tsm) needs tt = regression")
            series = self.time_series
            if series.time_column == self.target:
                raise ConfigError(f"the time column (tsc) {series.time_column!r} is the target column")
            if series.series_column and series.series_column in (self.target, series.time_column):
                raise ConfigError(
                    f"the series column (tss) {series.series_column!r} must differ from the target and the time column"
                )

    @classmethod
    def from_contract(cls, config: Mapping[str, object], **extra: object) -> TrainingConfig:
        """From the `config` object of `POST /models`, whose values may arrive as strings."""
        target = config.get("tc")
        if not isinstance(target, str):
            raise ConfigError("the target column (tc) is required")
        kind = config.get("tt")
        try:
            problem_type = ProblemType(str(kind).strip().lower())
        except ValueError:
            known = ", ".join(member.value for member in ProblemType)
            raise ConfigError(f"unknown problem type (tt) {kind!r}; expected one of {known}") from None
        positive = config.get("tv")
        if problem_type is not ProblemType.BINARY_CLASSIFICATION:
            positive = None  # clients may send tv with every request; it means nothing here
        return cls(
            target=target,
            problem_type=problem_type,
            positive_class=None if positive is None else str(positive),
            cv=_integer("cv", config.get("cv", 0)),
            imbalance=_boolean("im", config.get("im", False)),
            time_series=_time_series(config),
            **extra,  # type: ignore[arg-type]
        )

    @property
    def positive_label(self) -> str | None:
        """tv as a target cell reads after normalisation (NFKC, trimmed)."""
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
                    f"the positive class (tv) {self.positive_class!r} is not among the values of "
                    f"{self.target!r}: {shown}"
                )


def _time_series(config: Mapping[str, object]) -> TimeSeriesConfig | None:
    if not _boolean("tsm", config.get("tsm", False)):
        return None
    time_column = config.get("tsc")
    if not isinstance(time_column, str) or not time_column.strip():
        raise ConfigError("time-series mode (tsm) needs the time column (tsc)")
    exceptions = config.get("tsine") or ()
    if isinstance(exceptions, str):
        exceptions = (exceptions,)
    if not isinstance(exceptions, (list, tuple)) or not all(isinstance(name, str) for name in exceptions):
        raise ConfigError(f"tsine must be a column name or a list of column names, not {exceptions!r}")
    unit = config.get("tsu") or ""
    series = config.get("tss") or ""
    return TimeSeriesConfig(
        time_column=time_column.strip(),
        window_start=_integer("tsf", config.get("tsf", 0)),
        window_end=_integer("tst", config.get("tst", 0)),
        unit=str(unit).strip().lower(),
        interval=_integer("tsi", config.get("tsi", 0) or 0),
        series_column=str(series).strip(),
        others_known=_boolean("tsin", config.get("tsin", False)),
        known_exceptions=tuple(name.strip() for name in exceptions if name.strip()),
    )


def _integer(key: str, value: object) -> int:
    if isinstance(value, bool):
        raise ConfigError(f"{key} must be an integer, not {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ConfigError(f"{key} must be an integer, not {value!r}")


def _boolean(key: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ConfigError(f"{key} must be true or false, not {value!r}")
