"""A worker's inputs: the learning table, its column types, the training config and the optional
evaluation table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from services.runtime.errors import DomainError
from services.tabular.column_types import ColumnType
from services.tabular.proto_codec import PROBLEM_TYPES_FROM_PROTO
from services.tabular.setting_words import escaped
from services.tabular.table import Table
from services.trainer.columns import read_table, training_types
from services.trainer.jobs.protocol import JobSpec
from services.trainer.learning.config import TimeSeriesConfig, TrainingConfig
from services.trainer.tabular_proto import config_from_dict


@dataclass(frozen=True)
class TrainingInputs:
    table: Table
    types: dict[str, ColumnType]
    config: TrainingConfig
    # The evaluation data set (JobSpec.eval_path), decoded like the learning file and read with
    # its column types; pipeline.train_model uses it as the validation. None without one.
    evaluation: Table | None = None


def training_config(spec: JobSpec) -> TrainingConfig:
    config = config_from_dict(spec.config)
    series = config.time_series
    time_series = None
    if series.enabled:
        time_series = TimeSeriesConfig(
            time_column=series.time_column,
            window_start=series.window_start,
            window_end=series.window_end,
            unit=series.time_unit,
            interval=series.interval,
            series_column=series.series_column,
            others_known=series.others_known,
            known_exceptions=tuple(series.known_exceptions),
        )
    return TrainingConfig(
        target=config.target_column,
        problem_type=PROBLEM_TYPES_FROM_PROTO[config.problem_type],
        positive_class=config.positive_class or None,
        cv=config.cv,
        imbalance=config.imbalance,
        time_budget_s=spec.time_budget_s,
        memory_budget_bytes=spec.memory_budget_bytes,
        time_series=time_series,
    )


def load_training_job(spec: JobSpec) -> TrainingInputs:
    """Raises ValueError (a message for the user) when the data or the settings do not fit."""
    config = training_config(spec)
    try:
        table = read_table(Path(spec.learn_path), spec.learn_extension)
        if config.target not in table.header:
            raise ValueError(
                f"the target column {config.target!r} is not in the data; its columns are "
                f"{', '.join(escaped(name) for name in table.header)}"
            )
        types = training_types(table, Path(spec.column_types_path) if spec.column_types_path else None, config.target)
    except DomainError as error:
        raise ValueError(error.message) from None
    return TrainingInputs(table, types, config, load_evaluation(spec, table, types, config))


def load_evaluation(spec: JobSpec, table: Table, types: dict[str, ColumnType], config: TrainingConfig) -> Table | None:
    """The evaluation file, or None; ValueError when it lacks a column the learning file uses."""
    if not spec.eval_path:
        return None
    try:
        evaluation = read_table(Path(spec.eval_path), spec.eval_extension or spec.learn_extension)
    except DomainError as error:
        raise ValueError(f"evaluation data: {error.message}") from None
    needed = [config.target] + [
        name for name in table.header if types.get(name, ColumnType.IGNORE) is not ColumnType.IGNORE
    ]
    missing = [name for name in dict.fromkeys(needed) if name not in evaluation.header]
    if missing:
        shown = ", ".join(repr(name) for name in missing)
        raise ValueError(f"the evaluation data lacks columns of the learning data: {shown}")
    return evaluation
