"""Window and fold settings bounded by the data (window_limits, validation.plan_validation): a
horizon past the data, windows that would not fit the memory budget, and more folds than the
rows allow are refused with a reason, before anything is allocated for them."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from services.gateway.prediction_one import training_config as gateway_config
from services.tabular.column_types import ColumnType
from services.tabular.schema import ProblemType
from services.tabular.table import Table
from services.trainer.jobs.protocol import JobSpec
from services.trainer.jobs.training_inputs import training_config
from services.trainer.learning.config import MAX_FOLDS, ConfigError, TrainingConfig
from services.trainer.learning.timeseries import MAX_WINDOWS, build_windows
from services.trainer.learning.validation import MIN_ROWS_PER_FOLD, plan_validation
from services.trainer.learning.window_limits import (
    CELL_BYTES,
    PAIR_BYTES,
    WindowFootprint,
    check_memory,
    feature_width,
    horizon_steps,
    labelled_windows,
)
from tests.trainer.learning.test_timeseries import TYPES, sales_table, settings

REGRESSION = ProblemType.REGRESSION


# --- horizons ------------------------------------------------------------------------------


def test_horizons_are_grid_steps_within_the_longest_series():
    assert horizon_steps(1, 7, 1, "day", longest=731) == range(1, 8)
    assert horizon_steps(5, 30, 7, "day", longest=10) == range(1, 5)  # 7, 14, 21, 28 days
    assert horizon_steps(1, 730, 1, "day", longest=731) == range(1, 731)  # the whole span
    with pytest.raises(ConfigError, match="holds no whole number of the data's interval"):
        horizon_steps(1, 6, 7, "day", longest=10)


@pytest.mark.parametrize(
    "start, end, which",
    [
        (1, 731, r"choose a window end \(window_end\) of at most 730"),
        (800, 900, r"window start \(window_start\) and end \(window_end\) of at most 730"),
    ],
)
def test_a_window_past_the_longest_series_is_refused(start, end, which):
    with pytest.raises(ConfigError, match=which) as refused:
        horizon_steps(start, end, 1, "day", longest=731)
    assert "the longest series covers 730 day(s)" in str(refused.value)


def test_a_window_far_past_the_data_is_refused_before_the_windows_are_built():
    # 40 rows: before the bound, tst 100,000 built 8 million candidate windows and then found
    # none had a label.
    table = sales_table(days=20)
    with pytest.raises(ConfigError, match=r"choose a window end \(window_end\) of at most 19$"):
        build_windows(table, TYPES, "sales", settings(window_end=100_000))
    longest = build_windows(table, TYPES, "sales", settings(window_start=1, window_end=19))
    assert max(longest.timeline.horizons) == 19


# --- the memory estimate -------------------------------------------------------------------


def _brute_force_labelled(positions_per_series, lengths, steps) -> int:
    """Pairs (origin, step) whose origin + step is still a grid point of the series."""
    return sum(
        1
        for positions, length in zip(positions_per_series, lengths)
        for position in positions
        for step in steps
        if position + step < length
    )


def test_labelled_windows_bound_the_windows_with_a_target_time_in_their_series():
    rng = np.random.default_rng(5)
    for _ in range(50):
        lengths = rng.integers(1, 40, size=rng.integers(1, 5))
        positions = [np.sort(rng.choice(length, size=rng.integers(1, length + 1), replace=False)) for length in lengths]
        first = int(rng.integers(1, 20))
        steps = range(first, first + int(rng.integers(1, 30)))
        bound = labelled_windows(np.array([len(p) for p in positions]), np.array(lengths), steps)
        # Equal when every origin sits at the start of its series, an upper bound otherwise.
        packed = [np.arange(len(p)) for p in positions]
        assert bound == _brute_force_labelled(packed, lengths, steps)
        assert bound >= _brute_force_labelled(positions, lengths, steps)


def test_the_estimate_counts_the_windows_that_build_windows_builds():
    table = sales_table(days=60)
    windows = build_windows(table, TYPES, "sales", settings(window_end=20))
    estimate = labelled_windows(np.array([60, 60]), np.array([60, 60]), range(1, 21))
    assert estimate == len(windows)


def test_feature_width_expands_dates_and_texts():
    plain = feature_width(8, False, [])
    assert plain == 8 + 2 + 1 + 5  # lags, window mean and spread, horizon, target time's parts
    assert feature_width(8, True, [ColumnType.FLOAT, ColumnType.DATE, ColumnType.TEXT]) == plain + 1 + 1 + 5 + 101


def test_a_footprint_over_the_budget_names_what_to_lower():
    footprint = WindowFootprint(
        origins=1_460, horizons=1_000_000, labelled=10**9, features=58, slots=0, max_windows=MAX_WINDOWS
    )
    assert footprint.windows == MAX_WINDOWS
    assert footprint.bytes == 1_460 * 1_000_000 * PAIR_BYTES + MAX_WINDOWS * 58 * CELL_BYTES
    with pytest.raises(ConfigError) as refused:
        check_memory(footprint, 4 << 30)
    message = str(refused.value)
    assert "about 73.8 GB" in message and "1,460 rows with a target × 1,000,000 horizons × 58 features" in message
    assert "one training job may use 4.3 GB" in message
    assert message.endswith("lower the window end (window_end) or train on fewer rows")
    check_memory(footprint, footprint.bytes)  # exactly the budget fits


def test_build_windows_refuses_windows_over_its_memory_budget():
    table = sales_table(days=60)
    with pytest.raises(ConfigError, match=r"needs too much memory.*lower the window end \(window_end\)"):
        build_windows(table, TYPES, "sales", settings(window_end=30), memory_budget_bytes=1_000_000)
    build_windows(table, TYPES, "sales", settings(window_end=30), memory_budget_bytes=100_000_000)


def test_the_job_spec_carries_the_memory_budget_into_the_config():
    config = {"target_column": "y", "problem_type": "PROBLEM_TYPE_REGRESSION"}
    spec = JobSpec(
        learn_path="",
        learn_extension="csv",
        config=config,
        model_name="m",
        output_dir="",
        time_budget_s=1.0,
        num_threads=1,
        nice=0,
        memory_budget_bytes=12345,
    )
    assert training_config(JobSpec.from_json(spec.to_json())).memory_budget_bytes == 12345
    with pytest.raises(ConfigError, match="memory budget must be a positive number"):
        TrainingConfig("y", REGRESSION, memory_budget_bytes=0)


# --- folds ---------------------------------------------------------------------------------


def test_an_explicit_fold_count_is_at_most_max_folds():
    assert MAX_FOLDS == gateway_config.MAX_FOLDS, "the gateway refuses at submit what the trainer refuses"
    TrainingConfig("y", REGRESSION, cv=MAX_FOLDS)
    with pytest.raises(ConfigError, match=f"fold count of 2 to {MAX_FOLDS}, not {MAX_FOLDS + 1}"):
        TrainingConfig("y", REGRESSION, cv=MAX_FOLDS + 1)
    with pytest.raises(ConfigError, match=f"fold count of 2 to {MAX_FOLDS}, not 1000"):
        plan_validation(1000, np.arange(100_000, dtype=float), REGRESSION, seed=0)


def test_every_fold_needs_its_rows():
    rows = 30  # 6 folds of 5 rows fit, 7 do not
    labels = np.arange(rows, dtype=float)
    assert len(plan_validation(6, labels, REGRESSION, seed=0).splits) == 6
    with pytest.raises(
        ConfigError,
        match=r"cv=10 folds need at least 50 rows \(5 in each fold\); the data has 30: choose at most 6 folds",
    ):
        plan_validation(10, labels, REGRESSION, seed=0)
    with pytest.raises(ConfigError, match="the data has 8: choose cv=1 for one holdout split"):
        plan_validation(2, np.arange(8, dtype=float), REGRESSION, seed=0)


@pytest.mark.parametrize("rows, folds", [(30, 6), (12, 2), (4, 2), (49, 9), (50, 10)])
def test_automatic_folds_shrink_to_fit_the_rows(rows, folds):
    plan = plan_validation(-1, np.arange(rows, dtype=float), REGRESSION, seed=0)
    assert len(plan.first_repeat) == folds
    assert all(len(valid) >= min(MIN_ROWS_PER_FOLD, rows // 2) for _, valid in plan.splits)


def test_a_time_series_example_of_the_right_size_still_trains_its_windows():
    # The shipped example's own window (tst 7) is far inside both bounds.
    start = date(2024, 1, 1)
    rows = [((start + timedelta(days=day)).isoformat(), "S", str(100 + day % 7)) for day in range(730)]
    windows = build_windows(
        Table(("date", "store", "sales"), rows),
        {"date": ColumnType.DATE, "store": ColumnType.STRING, "sales": ColumnType.FLOAT},
        "sales",
        settings(window_end=7),
    )
    assert windows.timeline.horizons == tuple(range(1, 8)) and len(windows) == sum(730 - h for h in range(1, 8))
