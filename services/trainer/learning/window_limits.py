"""Bounds on a time-series job, checked against the data before any window is built.

The windows of services.trainer.learning.timeseries number (rows with a target) × (horizons in
window_start..window_end), and every step of building them allocates per candidate window, so a
window far past the data used to turn into memory instead of an error: on the shipped 1,460-row
examples/prediction_one/store_sales.csv, a window end of 50,000 took 2.4 GB and one of 1,000,000
grew the worker past 22 GB until the kernel killed it. Two checks stop that, each with a reason the user
can act on:

- `horizon_steps`: every horizon must fit inside the data's longest series (a forecast further
  ahead than any series reaches has no example to learn from);
- `check_memory`: an estimate of the job's peak memory (`WindowFootprint`) must fit the trainer's
  per-job budget (TORII_TRAINING_MEMORY_BUDGET_BYTES).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from services.tabular.column_types import ColumnType
from services.tabular.setting_words import setting
from services.trainer.learning.config import ConfigError
from services.trainer.learning.feature_graph import DATE_PARTS
from services.trainer.learning.features import MAX_TERMS

# Bytes per item at the job's peak, measured on store_sales.csv (window end 100: 136,100 windows of 58
# features peaked at 346 MB over the worker's start, about 44 bytes per feature of a window;
# window end 50,000: 73 million candidate pairs took 2.4 GB, about 33 bytes each), rounded up.
CELL_BYTES = 64  # one feature of one window: its tensors, the feature matrix, LightGBM's copies
PAIR_BYTES = 48  # one (origin, horizon) candidate, before those without a label are dropped
SLOT_BYTES = 64  # one slot of the dense per-series layout (value, row, time, series, temporaries)

_WINDOW_STATISTICS = 2  # y:window_mean, y:window_std
_HORIZON = 1


def horizon_steps(window_start: int, window_end: int, interval: int, unit: str, longest: int) -> range:
    """The horizons window_start..window_end as grid steps of `interval` units; ConfigError when none is a whole
    number of steps, or when the window reaches past the longest series (`longest` grid points)."""
    first = -(-window_start // interval)
    last = window_end // interval
    if last < first:
        raise ConfigError(
            f"the window {window_start}..{window_end} ({unit}) holds no whole number of the data's "
            f"interval ({interval} {unit}); widen {setting('window_start')}..{setting('window_end')} "
            f"or set {setting('interval')}"
        )
    span = (longest - 1) * interval  # time units from the first to the last time of that series
    if last * interval > span:
        which = (
            f"window end ({setting('window_end')})"
            if first * interval <= span
            else f"window start ({setting('window_start')}) and end ({setting('window_end')})"
        )
        raise ConfigError(
            f"not enough history for the window {window_start}..{window_end} {unit}(s) ahead: the "
            f"longest series covers {span} {unit}(s) from its first to its last time, so no "
            f"example in the data shows a forecast {window_end} {unit}(s) ahead; choose a "
            f"{which} of at most {span}"
        )
    return range(first, last + 1)


def feature_width(lags: int, has_series: bool, other_types: Iterable[ColumnType]) -> int:
    """Features per window once the preprocessing has expanded dates and texts."""
    width = lags + _WINDOW_STATISTICS + _HORIZON + len(DATE_PARTS) + (1 if has_series else 0)
    for column_type in other_types:
        if column_type is ColumnType.DATE:
            width += len(DATE_PARTS)
        elif column_type is ColumnType.TEXT:
            width += 1 + MAX_TERMS  # the token count and the TF-IDF terms
        else:
            width += 1
    return width


def labelled_windows(origins: np.ndarray, lengths: np.ndarray, steps: range) -> int:
    """At most how many (origin, horizon) pairs have their target time inside their series.

    Per series of n origins on L grid points, a step s leaves at most min(n, L - s) origins with
    a grid point s steps later: n while s ≤ L - n, then L - s, then none; summed in closed form.
    """
    n = origins.astype(np.int64)
    length = lengths.astype(np.int64)
    first, last = steps.start, steps.stop - 1
    full_until = np.minimum(last, length - n)  # steps where every origin can have a label
    whole = np.maximum(0, full_until - first + 1) * n
    low = np.maximum(first, length - n + 1)
    high = np.minimum(last, length - 1)
    count = np.maximum(0, high - low + 1)
    tapering = (2 * length - low - high) * count // 2  # sum of L - s for s in low..high
    return int(whole.sum() + tapering.sum())


@dataclass(frozen=True)
class WindowFootprint:
    """What a time-series job will hold, known before the windows are built."""

    origins: int  # rows with a target value
    horizons: int
    labelled: int  # labelled_windows: windows before the MAX_WINDOWS cap
    features: int  # per window, see feature_width
    slots: int  # dense layout: grid points of every series plus their lag and horizon padding
    max_windows: int  # timeseries.MAX_WINDOWS: the latest windows kept

    @property
    def pairs(self) -> int:
        """Every (origin, horizon) candidate, the windows without a label not yet dropped."""
        return self.origins * self.horizons

    @property
    def windows(self) -> int:
        return min(self.labelled, self.max_windows)

    @property
    def bytes(self) -> int:
        return self.slots * SLOT_BYTES + self.pairs * PAIR_BYTES + self.windows * self.features * CELL_BYTES


def check_memory(footprint: WindowFootprint, budget_bytes: int) -> None:
    """ConfigError when the estimate exceeds the budget, naming what the user can lower."""
    needed = footprint.bytes
    if needed <= budget_bytes:
        return
    raise ConfigError(
        f"this window needs too much memory: about {_size(needed)} for {footprint.origins:,} rows "
        f"with a target × {footprint.horizons:,} horizons × {footprint.features:,} features per "
        f"window, and one training job may use {_size(budget_bytes)}; lower the window end "
        f"({setting('window_end')}) "
        f"or train on fewer rows"
    )


def _size(count: int) -> str:
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if count >= scale:
            return f"{count / scale:,.1f} {unit}"
    return f"{count} bytes"
