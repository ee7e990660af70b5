"""A worker's inputs: the learning table, its column types and the training config."""

from __future__ import annotations

from pathlib import Path

from services.tabular.proto_codec import PROBLEM_TYPES_FROM_PROTO
from services.trainer.columns import read_table, resolve_types
from services.trainer.jobs.protocol import JobSpec
from services.trainer.learning.config import ConfigError, TrainingConfig
from services.trainer.tabular_proto import config_from_dict
from services.tabular.column_types import ColumnType
from services.tabular.table import Table
from services.runtime.errors import DomainError


def training_config(spec: JobSpec) -> TrainingConfig:
    config = config_from_dict(spec.config)
    if config.time_series.enabled:
        raise ConfigError("time-series mode (tsm) is not available yet")
    return TrainingConfig(
        target=config.target_column,
        problem_type=PROBLEM_TYPES_FROM_PROTO[config.problem_type],
        positive_class=config.positive_class or None,
        cv=config.cv,
        imbalance=config.imbalance,
        time_budget_s=spec.time_budget_s,
    )


def load_training_inputs(spec: JobSpec) -> tuple[Table, dict[str, ColumnType], TrainingConfig]:
    """Raises ValueError (a message for the user) when the data or the settings do not fit."""
    config = training_config(spec)
    try:
        table = read_table(Path(spec.learn_path), spec.learn_extension)
        types = resolve_types(table, Path(spec.column_types_path) if spec.column_types_path else None)
    except DomainError as error:
        raise ValueError(error.message) from None
    if config.target not in table.header:
        raise ValueError(f"the target column {config.target!r} is not in the data; its columns are {', '.join(table.header)}")
    return table, types, config
