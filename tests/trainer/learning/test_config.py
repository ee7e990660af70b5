from __future__ import annotations

import pytest

from services.tabular.schema import ProblemType
from services.tabular.setting_words import setting
from services.trainer.learning.config import ConfigError, TrainingConfig

BINARY = ProblemType.BINARY_CLASSIFICATION
MULTI = ProblemType.MULTI_CLASSIFICATION
REGRESSION = ProblemType.REGRESSION


def test_defaults():
    config = TrainingConfig("y", REGRESSION)
    assert (config.cv, config.imbalance, config.time_budget_s, config.seed) == (0, False, 20.0, 0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"target": "", "problem_type": REGRESSION}, "target column"),
        ({"target": "y", "problem_type": BINARY}, "positive class"),
        ({"target": "y", "problem_type": MULTI, "positive_class": "a"}, "only for binary"),
        ({"target": "y", "problem_type": REGRESSION, "cv": -2}, "cv must be 0"),
        ({"target": "y", "problem_type": REGRESSION, "cv": 2.5}, "integer"),
        ({"target": "y", "problem_type": REGRESSION, "imbalance": True}, "only for classification"),
        ({"target": "y", "problem_type": REGRESSION, "time_budget_s": 0}, "time budget"),
    ],
)
def test_invalid_settings(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        TrainingConfig(**kwargs)


def test_messages_mark_the_setting_they_name_and_read_with_its_field_name():
    with pytest.raises(ConfigError) as refused:
        TrainingConfig("y", BINARY)
    assert refused.value.marked == f"binary classification needs the positive class ({setting('positive_class')})"
    assert str(refused.value) == "binary classification needs the positive class (positive_class)"


def test_target_value_checks():
    binary = TrainingConfig("y", BINARY, "ｙｅｓ")  # normalised like the cells: "yes"
    binary.check_target_values(["yes", "no", "no"])
    with pytest.raises(ConfigError, match="'maybe' is not among"):
        TrainingConfig("y", BINARY, "maybe").check_target_values(["yes", "no"])
    with pytest.raises(ConfigError, match="exactly two values"):
        binary.check_target_values(["yes", "no", "other"])
    with pytest.raises(ConfigError, match="at least two different values"):
        TrainingConfig("y", MULTI).check_target_values(["a", "a"])
    with pytest.raises(ConfigError, match="has no values"):
        TrainingConfig("y", MULTI).check_target_values([])
