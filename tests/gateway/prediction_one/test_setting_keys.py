"""The trainer's setting names as Prediction One's config keys: every setting a user gives has its
key, and the trainer's messages read on this contract's wire exactly as they did when the trainer
wrote the keys itself."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import numpy as np
import pytest

from services.gateway.prediction_one.setting_keys import SETTING_KEYS, contract_message
from services.gateway.prediction_one.training_config import KNOWN_KEYS
from services.tabular.schema import ProblemType
from services.tabular.setting_words import setting
from services.trainer.learning.config import ConfigError, TimeSeriesConfig, TrainingConfig
from services.trainer.learning.validation import plan_validation
from services.trainer.learning.window_limits import WindowFootprint, check_memory, horizon_steps

TRAINER = Path(__file__).parents[3] / "services" / "trainer"
# The trainer's own settings (TrainerSettings), never part of a user's config.
TRAINER_ONLY = {"time_budget_s", "seed", "memory_budget_bytes"}


def _fields(config: type) -> set[str]:
    return {field.name for field in dataclasses.fields(config)}


def _named_in_trainer_messages() -> set[str]:
    """Every literal setting("...") in the trainer's sources."""
    names: set[str] = set()
    for path in TRAINER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setting":
                (argument,) = node.args
                if isinstance(argument, ast.Constant):
                    names.add(argument.value)
    return names


def test_every_user_setting_has_its_config_key():
    user_settings = (_fields(TrainingConfig) | _fields(TimeSeriesConfig)) - TRAINER_ONLY
    assert set(SETTING_KEYS) == user_settings
    assert sorted(SETTING_KEYS.values()) == sorted(KNOWN_KEYS)  # one key each, and every key


def test_every_setting_a_trainer_message_names_has_a_key():
    named = _named_in_trainer_messages()
    assert {"window_end", "time_column", "cv", "known_exceptions"} <= named  # the scan finds them
    assert named <= set(SETTING_KEYS)


def _message(refusal: pytest.ExceptionInfo[ConfigError]) -> str:
    return contract_message(refusal.value.marked)


def _series(**overrides: object) -> TimeSeriesConfig:
    return TimeSeriesConfig(**{"time_column": "date", "window_start": 1, "window_end": 3, **overrides})  # type: ignore[arg-type]


def test_trainer_messages_read_as_before_on_this_contract():
    with pytest.raises(ConfigError) as refused:
        TrainingConfig("y", ProblemType.BINARY_CLASSIFICATION)
    assert _message(refused) == "binary classification needs the positive class (tv)"
    with pytest.raises(ConfigError) as refused:
        TrainingConfig("y", ProblemType.MULTI_CLASSIFICATION, time_series=_series())
    assert _message(refused) == "time-series mode (tsm) needs tt = regression"
    with pytest.raises(ConfigError) as refused:
        _series(window_start=3, window_end=2)
    assert _message(refused) == "the window end (tst) must be at least the window start (tsf) 3, not 2"
    with pytest.raises(ConfigError) as refused:
        _series(interval="2")
    assert _message(refused) == "tsi must be an integer, not '2'"
    with pytest.raises(ConfigError) as refused:
        horizon_steps(800, 900, 1, "day", longest=731)
    assert _message(refused).endswith("choose a window start (tsf) and end (tst) of at most 730")
    with pytest.raises(ConfigError) as refused:
        horizon_steps(1, 6, 7, "day", longest=10)
    assert _message(refused).endswith("widen tsf..tst or set tsi")
    footprint = WindowFootprint(origins=10, horizons=10, labelled=100, features=10, slots=0, max_windows=100)
    with pytest.raises(ConfigError) as refused:
        check_memory(footprint, 1)
    assert _message(refused).endswith("; lower the window end (tst) or train on fewer rows")
    with pytest.raises(ConfigError) as refused:
        plan_validation(10, np.arange(30.0), ProblemType.REGRESSION, seed=0)
    assert _message(refused) == (
        "cv=10 folds need at least 50 rows (5 in each fold); the data has 30: choose at most 6 folds, "
        "or cv=1 for one holdout split"
    )


def test_a_column_named_like_a_marked_setting_stays_the_users_text():
    column = setting("window_end")
    with pytest.raises(ConfigError) as refused:
        TrainingConfig(column, ProblemType.REGRESSION, time_series=_series(time_column=column))
    assert _message(refused) == "the time column (tsc) '\\x02window_end\\x03' is the target column"
