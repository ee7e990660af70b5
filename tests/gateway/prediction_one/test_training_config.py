"""Prediction One's `config` of POST /models, read into a TrainingConfig (no services needed)."""

from __future__ import annotations

import pytest

from services.gateway.prediction_one.contract_errors import PredictionOneError
from services.gateway.prediction_one.training_config import training_config
from torii.v1 import tabular_pb2


def test_tv_is_kept_for_binary_and_ignored_otherwise():
    binary = training_config({"tc": "y", "tt": "binary_classification", "tv": "yes"})
    assert binary.positive_class == "yes"
    for problem in ("regression", "multi_classification"):
        config = training_config({"tc": "y", "tt": problem, "tv": "5"})
        assert config.positive_class == "" and config.problem_type != tabular_pb2.PROBLEM_TYPE_BINARY_CLASSIFICATION


@pytest.mark.parametrize(
    "config",
    [
        {"tc": "y", "tt": "regression", "cv": 2**31},
        {"tc": "y", "tt": "regression", "cv": str(10**20)},
        {"tc": "y", "tt": "regression", "tsm": True, "tsc": "d", "tsf": 1, "tst": 2**31},
        {"tc": "y", "tt": "regression", "tsm": True, "tsc": "d", "tsf": 1, "tst": 2, "tsi": 3_000_000_000},
    ],
)
def test_integers_beyond_int32_are_refused_in_the_contracts_words(config):
    with pytest.raises(PredictionOneError) as refused:
        training_config(config)
    assert "must be between -2147483648 and 2147483647" in refused.value.message
