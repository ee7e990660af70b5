"""The trainer's setting names as Prediction One's `config` keys (contract §3.4), for its messages.

A training job's message names settings by the trainer's own names, marked (services.tabular.
setting_words); Prediction One's routes show it with the query keys its users send instead, so
"the window end (window_end)" reads "the window end (tst)" on this contract's wire.
"""

from __future__ import annotations

from services.tabular.setting_words import render

# TrainingConfig and TimeSeriesConfig field → config key (training_config.KNOWN_KEYS). The trainer's
# time and memory budgets and its seed are its own settings, never a user's: they have no key.
SETTING_KEYS = {
    "target": "tc",
    "problem_type": "tt",
    "positive_class": "tv",
    "cv": "cv",
    "imbalance": "im",
    "time_series": "tsm",
    "time_column": "tsc",
    "unit": "tsu",
    "interval": "tsi",
    "window_start": "tsf",
    "window_end": "tst",
    "series_column": "tss",
    "others_known": "tsin",
    "known_exceptions": "tsine",
}


def contract_message(message: str) -> str:
    """A training job's message in Prediction One's words."""
    return render(message, SETTING_KEYS)
