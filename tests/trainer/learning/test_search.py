"""The parameter search: budget, stopping rule, determinism, the default as trial 0, the refit's rounds, the report."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest

from services.tabular.schema import ProblemType
from services.tabular.table import Table
from services.trainer.learning import boosting, search
from services.trainer.learning.boosting import Candidate, SplitFit
from services.trainer.learning.config import ConfigError, TrainingConfig
from services.trainer.learning.pipeline import train_model
from services.trainer.learning.search import OnRound
from services.trainer.learning.training import TrainedModel, refit_rounds, train
from services.trainer.learning.validation import plan_validation
from services.trainer.packaging import report_html
from services.trainer.packaging.report_html import render_report
from tests.trainer.packaging import outcomes

from .data import MIXED_TYPES, mixed_table

BINARY = ProblemType.BINARY_CLASSIFICATION
REGRESSION = ProblemType.REGRESSION
RESULT_KEYS = {"trial", "finished", "pruned", "validation_loss", "best_iteration", "seconds"}


def _binary(rows: int, seed: int = 0, noise: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(rows, 6))
    labels = (features[:, 0] + 0.5 * features[:, 1] * features[:, 2] + noise * rng.normal(size=rows) > 0).astype(int)
    return features, labels


def _train(features: np.ndarray, labels: np.ndarray, *, cv: int, seed: int, budget: float) -> TrainedModel:
    return train(
        features,
        labels,
        problem_type=BINARY,
        n_classes=2,
        categorical_features=(),
        validation=plan_validation(cv, labels, BINARY, seed=seed),
        time_budget_s=budget,
        seed=seed,
    )


def _ignore(phase: str, fold: int, percent: float) -> None:
    """A progress reporter nobody reads."""


def _number(value: object) -> float:
    assert isinstance(value, (int, float)), value
    return float(value)


def _settings(entry: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in entry.items() if key not in RESULT_KEYS}


def test_a_search_that_could_go_on_forever_stops_at_the_budget_with_a_finished_model(monkeypatch):
    monkeypatch.setattr(search, "PATIENCE", 1_000_000)
    monkeypatch.setattr(search, "MAX_TRIALS", 1_000_000)
    monkeypatch.setattr(boosting, "MAX_ROUNDS", 100_000)
    features, labels = _binary(4_000, noise=3.0)
    budget = 1.5
    started = time.monotonic()
    model = _train(features, labels, cv=1, seed=0, budget=budget)
    elapsed = time.monotonic() - started
    summary = model.search_summary
    # Past the deadline by a round at most, not by another trial (unless trial 0, which always finishes, ran past it).
    assert _number(summary["seconds"]) < max(budget, _number(model.search[0]["seconds"])) + 1.0
    assert elapsed < budget + 10.0  # cross-validation (none under a holdout) and the refit
    assert model.search[0]["finished"]
    if _number(model.search[0]["seconds"]) < budget / 2:  # a loaded machine may spend the budget on trial 0
        assert len(model.search) > 1
    chosen = model.search[int(_number(summary["chosen_trial"]))]
    assert chosen["finished"] and chosen["validation_loss"] == summary["chosen_validation_loss"]
    assert model.parameters["learning_rate"] == chosen["learning_rate"]
    # Fewer trees than rounds where no leaf meets min_gain_to_split any more (LightGBM stops there).
    assert 0 < model.booster.num_trees() <= _number(model.parameters["num_iterations"])


def test_the_same_seed_gives_the_same_trials_and_the_same_model():
    features, labels = _binary(300, seed=3)
    first = _train(features, labels, cv=2, seed=11, budget=120.0)
    second = _train(features, labels, cv=2, seed=11, budget=120.0)
    # Ended by its own rule (patience), not the clock: only then is the search reproducible.
    assert _number(first.search_summary["seconds"]) < 120.0
    assert [_settings(entry) for entry in first.search] == [_settings(entry) for entry in second.search]
    assert [entry["validation_loss"] for entry in first.search] == [entry["validation_loss"] for entry in second.search]
    assert {key: value for key, value in first.search_summary.items() if key != "seconds"} == {
        key: value for key, value in second.search_summary.items() if key != "seconds"
    }
    assert first.parameters == second.parameters
    assert first.booster.model_to_string() == second.booster.model_to_string()


def test_the_seed_steers_the_sampler():
    def proposals(seed: int) -> list[dict[str, object]]:
        def fit(candidate: Candidate, deadline: float | None, on_round: OnRound) -> SplitFit:
            loss = abs(candidate["learning_rate"] - 0.05) + candidate["num_leaves"] / 1000
            return SplitFit(best_iteration=10, validation_loss=loss, predictions=np.zeros(1))

        return [_settings(entry) for entry in search.search(fit, time_budget_s=600.0, report=_ignore, seed=seed).tried]

    first, other = proposals(4), proposals(5)
    assert other[0] == first[0]  # the default, whatever the seed
    assert other[1:] != first[1:]


def test_the_default_is_trial_zero_and_the_chosen_model_is_never_worse_on_validation():
    features, labels = _binary(600, seed=1)
    model = _train(features, labels, cv=2, seed=0, budget=120.0)
    default = model.search[0]
    assert default["trial"] == 0 and default["finished"]
    assert {key: default[key] for key in search.DEFAULT} == search.DEFAULT
    assert default["max_depth"] == -1 and default["bagging_freq"] == 0
    summary = model.search_summary
    assert summary["default_validation_loss"] == default["validation_loss"]
    assert _number(summary["chosen_validation_loss"]) <= _number(summary["default_validation_loss"])
    assert summary["trials"] == len(model.search) > search.PATIENCE
    assert [entry["trial"] for entry in model.search] == list(range(len(model.search)))
    finished = [entry for entry in model.search if entry["finished"]]
    best = min(finished, key=lambda entry: float(entry["validation_loss"]))  # type: ignore[arg-type]
    assert summary["chosen_trial"] == best["trial"]
    assert summary["pruned"] == sum(1 for entry in model.search if entry.get("pruned"))
    for entry in model.search:
        if entry.get("pruned"):
            assert not entry["finished"] and _number(entry["validation_loss"]) > 0
    seconds = [_number(entry["seconds"]) for entry in model.search]
    assert seconds == sorted(seconds)


def test_the_search_stops_once_more_trials_stop_helping():
    calls: list[Candidate] = []

    def flat(candidate: Candidate, deadline: float | None, on_round: OnRound) -> SplitFit:
        calls.append(candidate)
        # A tiny gain every trial: below IMPROVEMENT, so it never resets the patience.
        loss = 1.0 - 1e-5 * len(calls)
        return SplitFit(best_iteration=10, validation_loss=loss, predictions=np.zeros(1))

    result = search.search(flat, time_budget_s=600.0, report=_ignore, seed=0)
    assert len(calls) == len(result.tried) == search.PATIENCE + 1
    assert result.chosen_trial == search.PATIENCE  # the lowest loss still wins
    assert result.default_loss == 1.0 - 1e-5


def test_the_refit_takes_the_median_of_the_folds_rounds():
    # One odd fold (659 rounds against 34-104) would have nearly doubled a mean.
    assert refit_rounds([34, 659, 104, 60, 80]) == 80
    assert refit_rounds([10, 21]) == 16  # an even count: the middle two's mean, rounded
    assert refit_rounds([7]) == 7
    assert refit_rounds([0, 0]) == 1  # at least one round


@pytest.mark.parametrize("kind, problem_type", [("binary", BINARY), ("regression", REGRESSION)])
def test_fifty_rows_train_a_model(kind, problem_type):
    table = mixed_table(rows=50, kind=kind)
    outcome, onnx_bytes = train_model(
        table, MIXED_TYPES, TrainingConfig("target", problem_type, "yes" if kind == "binary" else None)
    )
    assert onnx_bytes and outcome.validation == "5-fold cross-validation, repeated 3 times"
    summary = outcome.chosen_parameters["search_summary"]
    assert isinstance(summary, dict) and float(summary["chosen_validation_loss"]) <= float(
        summary["default_validation_loss"]
    )


def test_a_constant_target_gets_a_clear_answer():
    table = mixed_table(rows=200, kind="binary")
    constant = Table(table.header, [row[:-1] + ("yes",) for row in table.rows])
    with pytest.raises(ConfigError, match="at least two different values"):
        train_model(constant, MIXED_TYPES, TrainingConfig("target", BINARY, "yes"))
    # Regression on a constant: nothing to learn, every trial is perfect, the default is kept.
    table = mixed_table(rows=200, kind="regression")
    constant = Table(table.header, [row[:-1] + ("3.5",) for row in table.rows])
    outcome, _ = train_model(constant, MIXED_TYPES, TrainingConfig("target", REGRESSION))
    assert outcome.metrics["rmse"] == 0.0
    summary = outcome.chosen_parameters["search_summary"]
    assert isinstance(summary, dict) and summary["chosen_trial"] == 0 and summary["trials"] == search.PATIENCE + 1


def test_a_long_search_shows_the_best_trials_and_the_default_next_to_the_chosen_one():
    trials: list[dict[str, object]] = [
        {"trial": 0, "num_leaves": 31, "finished": True, "validation_loss": 0.5, "best_iteration": 40, "seconds": 0.1}
    ]
    for number in range(1, 120):
        entry: dict[str, object] = {"trial": number, "num_leaves": number, "seconds": 0.1 * number}
        if number % 3 == 0:
            entry.update(finished=False, pruned=True, validation_loss=0.9, best_iteration=12)
        else:
            entry.update(finished=True, validation_loss=0.4 + number / 1000, best_iteration=50)
        trials.append(entry)
    trials.append({"trial": 120, "num_leaves": 120, "finished": False, "seconds": 20.0})
    summary = {
        "trials": 121,
        "pruned": 39,
        "default_validation_loss": 0.5,
        "chosen_validation_loss": 0.401,
        "chosen_trial": 1,
        "seconds": 20.0,
    }
    outcome = outcomes.binary()
    outcome = replace(
        outcome, chosen_parameters={**outcome.chosen_parameters, "search": trials, "search_summary": summary}
    )
    page = render_report(outcome, model_name="Model", created_at=datetime(2025, 3, 4, tzinfo=UTC))
    table = page[page.index('<table class="search">') :]
    table = table[: table.index("</table>")]
    assert table.count("<tr>") == 1 + report_html.SEARCH_ROWS + 1  # head, the 30 best, the default
    assert "1 (chosen)" in table and "0 (default)" in table
    rows = table.split("<tr>")[2:]
    assert rows[0].startswith("<td>1 (chosen)</td>") and rows[-1].startswith("<td>0 (default)</td>")  # best first
    assert "pruned" not in table and "stopped by the time budget" not in table  # 80 finished trials beat them
    assert "The 30 best of 121 trials and the default" in page
    assert "<strong>0.401</strong> for the chosen one (trial 1), 0.5 for the default" in page
    assert "39 stopped early by the pruner" in page and "search_summary" not in page and "{'" not in page


def test_the_report_names_a_blends_members_and_what_it_bought():
    summary = {
        "trials": 3,
        "pruned": 0,
        "default_validation_loss": 0.5,
        "chosen_validation_loss": 0.45,
        "chosen_trial": 2,
        "seconds": 1.5,
        "judged_on": "every fold",
        "ensemble": {
            "members": [
                {"trial": 2, "weight": 0.5},
                {"trial": -1, "weight": 0.3, "name": "linear model (strength 10)"},
                {"trial": 0, "weight": 0.2},
                {"trial": 1, "weight": 0.0},
            ],
            "out_of_fold_loss": 0.41,
            "chosen_alone_out_of_fold_loss": 0.44,
        },
    }
    trials = [{"trial": n, "num_leaves": 7 + n, "finished": True, "validation_loss": 0.5 - n / 40} for n in range(3)]
    outcome = outcomes.binary()
    outcome = replace(
        outcome, chosen_parameters={**outcome.chosen_parameters, "search": trials, "search_summary": summary}
    )
    page = render_report(outcome, model_name="Model", created_at=datetime(2025, 3, 4, tzinfo=UTC))
    assert "blends trial 2 (50%), linear model (strength 10) (30%), trial 0 (20%) into one tree ensemble" in page
    assert "<strong>0.41</strong> against 0.44 for the chosen configuration alone" in page
    assert "trial 1 (0%)" not in page
    assert "Each trained on every validation fold (its loss: their mean)" in page
    repeated = replace(
        outcome,
        chosen_parameters={
            **outcome.chosen_parameters,
            "search": trials,
            "search_summary": {**summary, "judged_on": "every fold of the first repeat"},
        },
    )
    page = render_report(repeated, model_name="Model", created_at=datetime(2025, 3, 4, tzinfo=UTC))
    assert "Each trained on every validation fold of the first repeat (its loss: their mean)" in page
    alone = {"trial": -1, "weight": 1.0, "name": "linear model (strength 0.01)"}
    replaced = {**summary, "ensemble": {**summary["ensemble"], "members": [{"trial": 2, "weight": 0.0}, alone]}}
    outcome = replace(
        outcome, chosen_parameters={**outcome.chosen_parameters, "search": trials, "search_summary": replaced}
    )
    page = render_report(outcome, model_name="Model", created_at=datetime(2025, 3, 4, tzinfo=UTC))
    assert (
        "The final model is linear model (strength 0.01) alone, as one tree ensemble, in place of the chosen "
        "configuration: out-of-fold loss <strong>0.41</strong>" in page
    )
    assert "(100%)" not in page


def test_the_report_draws_the_search_over_time():
    trials = [
        {"trial": n, "num_leaves": 7 + n, "finished": True, "validation_loss": loss, "seconds": 0.5 * (n + 1)}
        for n, loss in enumerate([0.5, 0.45, 0.47, 0.40, 0.41])
    ]
    trials.append({"trial": 5, "num_leaves": 99, "finished": False, "pruned": True, "validation_loss": 0.9})
    outcome = outcomes.binary()
    outcome = replace(outcome, chosen_parameters={**outcome.chosen_parameters, "search": trials})
    page = render_report(outcome, model_name="Model", created_at=datetime(2025, 3, 4, tzinfo=UTC))
    section = page[page.index("The search over time") :]
    chart = section[section.index("<svg") : section.index("</svg>")]
    assert chart.count("<circle") == 5  # the finished trials only
    # The best so far steps down twice (0.5 -> 0.45 -> 0.40): a start, two drops of two points each, an end.
    polyline = chart[chart.index("<polyline") :]
    assert len(polyline.split('points="')[1].split('"')[0].split()) == 1 + 2 * 2 + 1
