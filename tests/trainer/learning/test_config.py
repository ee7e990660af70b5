from __future__ import annotations

import pytest

from services.tabular.schema import ProblemType
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


def test_from_contract_accepts_strings():
    config = TrainingConfig.from_contract(
        {"tc": "premium", "tt": "binary_classification", "tv": "yes", "cv": "2", "im": "true"}, seed=3
    )
    assert config == TrainingConfig("premium", BINARY, "yes", cv=2, imbalance=True, seed=3)
    multi = TrainingConfig.from_contract({"tc": "y", "tt": "multi_classification", "tv": "ignored"})
    assert multi.positive_class is None
    with pytest.raises(ConfigError, match="unknown problem type"):
        TrainingConfig.from_contract({"tc": "y", "tt": "clustering"})
    with pytest.raises(ConfigError, match="cv must be an integer"):
        TrainingConfig.from_contract({"tc": "y", "tt": "regression", "cv": "many"})
    with pytest.raises(ConfigError, match="im must be true or false"):
        TrainingConfig.from_contract({"tc": "y", "tt": "binary_classification", "tv": "a", "im": "maybe"})


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
