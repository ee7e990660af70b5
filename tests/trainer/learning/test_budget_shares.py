"""How the time budget is shared: it counts from the start of model building (reading and encoding
the table spend it), and the search gets SEARCH_SHARE of what reaches training, the rest being for
cross-validation and the blend."""

from __future__ import annotations

import time

import numpy as np
import pytest

from services.tabular.schema import ProblemType
from services.trainer.learning import model_building, tabular_training, training
from services.trainer.learning.config import TrainingConfig
from services.trainer.learning.pipeline import train_model
from services.trainer.learning.validation import plan_validation

from .data import sklearn_table

PREPARING_S = 0.5


class _Stop(Exception):
    pass


def test_the_budget_counts_from_the_start_of_model_building(monkeypatch):
    seen: dict[str, float] = {}
    real_prepare = tabular_training._prepare  # noqa: SLF001  # slowed down to stand for a large table

    def slow_prepare(*args, **kwargs):
        time.sleep(PREPARING_S)
        return real_prepare(*args, **kwargs)

    def recording_train(*args, time_budget_s, **kwargs):
        seen["budget"] = time_budget_s
        raise _Stop

    monkeypatch.setattr(tabular_training, "_prepare", slow_prepare)
    monkeypatch.setattr(model_building, "train", recording_train)
    table, types = sklearn_table("iris")
    with pytest.raises(_Stop):
        train_model(table, types, TrainingConfig("target", ProblemType.MULTI_CLASSIFICATION, time_budget_s=5.0))
    assert 5.0 - PREPARING_S - 1.0 < seen["budget"] <= 5.0 - PREPARING_S


def test_the_search_gets_its_share_and_leaves_the_rest_to_the_folds_and_the_blend(monkeypatch):
    seen: list[float] = []
    real_search = training.search

    def recording_search(*args, time_budget_s, **kwargs):
        seen.append(time_budget_s)
        return real_search(*args, time_budget_s=time_budget_s, **kwargs)

    monkeypatch.setattr(training, "search", recording_search)
    rng = np.random.default_rng(0)
    features = rng.normal(size=(200, 3)).astype(np.float32)
    labels = (features[:, 0] > 0).astype(np.int64)
    training.train(
        features,
        labels,
        problem_type=ProblemType.BINARY_CLASSIFICATION,
        n_classes=2,
        categorical_features=(),
        validation=plan_validation(0, labels, ProblemType.BINARY_CLASSIFICATION, seed=0),
        time_budget_s=4.0,
    )
    assert seen == [pytest.approx(4.0 * training.SEARCH_SHARE)] and training.SEARCH_SHARE < 1.0
