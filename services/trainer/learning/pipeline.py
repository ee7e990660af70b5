"""CSV table + column types + settings → a verified ONNX model and the figures that describe it.

The entry point of the learning core: a table of one row per example goes to tabular_training,
time-series mode (config.time_series) to timeseries_training; both fill in the steps of
model_building, which trains, exports and verifies every model the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

from services.tabular.column_types import ColumnType
from services.tabular.table import Table
from services.trainer.learning.config import TrainingConfig
from services.trainer.learning.outcome import TrainingOutcome
from services.trainer.learning.progress import Progress
from services.trainer.learning.tabular_training import train_tabular_model
from services.trainer.learning.timeseries_training import train_time_series_model


def train_model(
    table: Table,
    types: Mapping[str, ColumnType],
    config: TrainingConfig,
    *,
    evaluation: Table | None = None,
    progress: Progress | None = None,
    num_threads: int = 2,
) -> tuple[TrainingOutcome, bytes]:
    """`evaluation`: the evaluation data set, which replaces cross-validation (tabular_training)."""
    train = train_time_series_model if config.time_series is not None else train_tabular_model
    return train(table, types, config, evaluation=evaluation, progress=progress, num_threads=num_threads)
