"""The AutoML benchmark's pure parts: its data sets load from installed packages alone (no network),
are what the README's table says, split the same way every time; its scores and verdict rule."""

from __future__ import annotations

import math
import socket

import numpy as np
import pandas as pd
import pytest

from bench import automl_scores as scores
from bench.automl import set_names, training_config
from bench.automl_sets import HELD_OUT_FRACTION, SETS, Task, held_out_split, load

# name: (task, rows, target, has categorical columns, has missing cells); the README's table
EXPECTED = {
    "breast_cancer": (Task.BINARY, 569, "diagnosis", False, False),
    "wine": (Task.MULTICLASS, 178, "cultivar", False, False),
    "diabetes": (Task.REGRESSION, 442, "progression", False, False),
    "digits": (Task.MULTICLASS, 1797, "digit", False, False),
    "penguins": (Task.MULTICLASS, 344, "species", True, True),
    "penguins_mass": (Task.REGRESSION, 342, "Body Mass (g)", True, True),
    "titanic": (Task.BINARY, 1309, "survived", True, True),
}


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a data set loader opened a connection: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_set_loads_offline_as_stated(name: str) -> None:
    task, rows, target, categorical, missing = EXPECTED[name]
    data = load(name)
    assert (data.name, data.task, len(data.frame), data.target) == (name, task, rows, target)
    assert bool(data.categorical) is categorical
    assert (data.missing_cells > 0) is missing
    assert data.frame[target].notna().all()
    if task.is_classification:
        assert data.frame[target].map(type).eq(str).all()
    if task is Task.BINARY:
        assert data.frame[target].nunique() == 2 and data.positive in set(data.frame[target])


def test_the_sets_are_those_of_the_table_and_cover_the_issue_mix() -> None:
    assert set(SETS) == set(EXPECTED)
    assert {task for task, *_ in EXPECTED.values()} == set(Task)
    assert any(task.is_classification and cat and miss for task, _, _, cat, miss in EXPECTED.values())
    assert any(task is Task.REGRESSION and cat and miss for task, _, _, cat, miss in EXPECTED.values())
    assert any(rows < 2000 for _, rows, *_ in EXPECTED.values())


@pytest.mark.parametrize("name", ["titanic", "penguins_mass"])
def test_the_split_holds_out_a_quarter_the_same_rows_every_time(name: str) -> None:
    data = load(name)
    train, held_out = held_out_split(data)
    again_train, again_held_out = held_out_split(load(name))
    assert len(held_out) == math.ceil(len(data.frame) * HELD_OUT_FRACTION)
    assert len(train) + len(held_out) == len(data.frame)
    pd.testing.assert_frame_equal(held_out, again_held_out)
    pd.testing.assert_frame_equal(train, again_train)
    if data.task.is_classification:  # stratified: each class's share differs by less than one row's worth
        shares = [part[data.target].value_counts(normalize=True) for part in (train, held_out)]
        assert (shares[0] - shares[1]).abs().max() < 2 / len(held_out)


def test_the_training_config_names_the_positive_class_for_binary_only() -> None:
    assert training_config(load("titanic")) == {
        "tc": "survived",
        "tt": "binary_classification",
        "cv": "0",
        "tv": "yes",
    }
    assert training_config(load("diabetes")) == {"tc": "progression", "tt": "regression", "cv": "0"}


def test_set_names_refuses_an_unknown_set() -> None:
    assert set_names("wine, titanic") == ["wine", "titanic"]
    assert set_names("") == list(SETS)
    with pytest.raises(Exception, match="unknown data set"):
        set_names("wine,iris")


def _probabilities(labels: list[str], chosen: list[str], confidence: float) -> pd.DataFrame:
    rest = (1 - confidence) / (len(labels) - 1)
    return pd.DataFrame(
        [[confidence if label == pick else rest for label in labels] for pick in chosen], columns=labels
    )


def test_a_perfect_answer_beats_a_coin_and_the_rule_says_so() -> None:
    rng = np.random.default_rng(0)
    truth = pd.Series(rng.choice(["no", "yes"], 200))
    perfect = scores.Answer(probabilities=_probabilities(["yes", "no"], list(truth), 0.9))  # columns in any order
    coin = scores.Answer(probabilities=_probabilities(["no", "yes"], list(rng.choice(["no", "yes"], 200)), 0.6))
    compared = scores.compare(Task.BINARY, truth, perfect, coin, positive="yes", resamples=200)
    assert compared.torii == pytest.approx(1.0)
    assert 0.35 < compared.flaml < 0.65
    assert compared.torii_se == 0 < compared.flaml_se  # every resample ranks a perfect answer perfectly
    assert compared.at_or_above and compared.relative > 0.5
    backwards = scores.compare(Task.BINARY, truth, coin, perfect, positive="yes", resamples=200)
    assert not backwards.at_or_above
    assert backwards.difference_se == pytest.approx(compared.difference_se)


def test_equal_answers_are_at_or_above_and_scores_match_sklearn() -> None:
    truth = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    values = np.array([1.5, 2.0, 2.5, 4.5, 5.0, 6.5])
    same = scores.compare(Task.REGRESSION, truth, scores.Answer(values=values), scores.Answer(values=values))
    assert same.torii == same.flaml == pytest.approx(1 - np.sum((truth - values) ** 2) / np.sum((truth - 3.5) ** 2))
    assert same.torii_secondary == pytest.approx(np.sqrt(np.mean((truth - values) ** 2)))
    assert same.difference_se == 0 and same.at_or_above


def test_multiclass_accuracy_is_the_most_probable_label_and_an_unseen_class_counts_as_zero() -> None:
    truth = pd.Series(["a", "b", "c", "a"])
    answer = scores.Answer(probabilities=_probabilities(["a", "b"], ["a", "b", "a", "b"], 0.8))  # never says "c"
    compared = scores.compare(Task.MULTICLASS, truth, answer, answer, resamples=50)
    assert compared.torii == pytest.approx(0.5)
    assert np.isfinite(compared.torii_secondary)
