"""A training run's settings (Prediction One's `config`, contract §3.4) and their validation.

Messages of ConfigError reach the user as the reason a training request or run failed, so they
name the setting and the offending value in the user's terms.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from services.tabular.cells import normalise
from services.tabular.schema import ProblemType

DEFAULT_TIME_BUDGET_S = 20.0


class ConfigError(ValueError):
    """The settings cannot work with this data; the message is for the user."""


@dataclass(frozen=True)
class TrainingConfig:
    target: str  # tc
    problem_type: ProblemType  # tt
    positive_class: str | None = None  # tv: binary only
    # cv: 0 auto; -1 cross-validation with automatic k; 1 no cross-validation (one 80/20
    # holdout split); k ≥ 2: k folds. See training.plan_validation for "auto".
    cv: int = 0
    imbalance: bool = False  # im: class weighting, classification only
    time_budget_s: float = DEFAULT_TIME_BUDGET_S  # for the parameter search
    seed: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.target, str) or not self.target.strip():
            raise ConfigError("the target column (tc) is required")
        if not isinstance(self.problem_type, ProblemType):
            raise ConfigError(f"unknown problem type (tt) {self.problem_type!r}")
        if isinstance(self.cv, bool) or not isinstance(self.cv, int):
            raise ConfigError(f"cv must be an integer, not {self.cv!r}")
        if self.cv < -1:
            raise ConfigError(
                f"cv must be 0 (auto), -1 (cross-validation, automatic k), 1 (no "
                f"cross-validation) or a fold count of 2 or more, not {self.cv}"
            )
        if self.problem_type is ProblemType.BINARY_CLASSIFICATION:
            if self.positive_class is None or not str(self.positive_class).strip():
                raise ConfigError("binary classification needs the positive class (tv)")
        elif self.positive_class not in (None, ""):
            raise ConfigError("the positive class (tv) is only for binary classification")
        if self.imbalance and not self.problem_type.is_classification:
            raise ConfigError("imbalance correction (im) is only for classification")
        budget = self.time_budget_s
        if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not (
            math.isfinite(budget) and budget > 0
        ):
            raise ConfigError(f"the time budget must be a positive number of seconds, not {budget!r}")

    @classmethod
    def from_contract(cls, config: Mapping[str, object], **extra: object) -> TrainingConfig:
        """From the `config` object of `POST /models`, whose values may arrive as strings.

        Time-series keys (tsm, tsu, ...) are not read here.
        """
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
