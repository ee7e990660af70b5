"""TabularSchema and column types to and from their protobuf messages."""

from __future__ import annotations

from typing import Any

from services.tabular.column_types import ColumnType
from services.tabular.schema import InputColumn, ProblemType, TabularSchema
from torii.v1 import tabular_pb2

COLUMN_TYPES = {
    ColumnType.INTEGER: tabular_pb2.COLUMN_TYPE_INTEGER,
    ColumnType.FLOAT: tabular_pb2.COLUMN_TYPE_FLOAT,
    ColumnType.STRING: tabular_pb2.COLUMN_TYPE_STRING,
    ColumnType.TEXT: tabular_pb2.COLUMN_TYPE_TEXT,
    ColumnType.DATE: tabular_pb2.COLUMN_TYPE_DATE,
    ColumnType.IGNORE: tabular_pb2.COLUMN_TYPE_IGNORE,
}
COLUMN_TYPES_FROM_PROTO = {value: key for key, value in COLUMN_TYPES.items()}

PROBLEM_TYPES = {
    ProblemType.BINARY_CLASSIFICATION: tabular_pb2.PROBLEM_TYPE_BINARY_CLASSIFICATION,
    ProblemType.MULTI_CLASSIFICATION: tabular_pb2.PROBLEM_TYPE_MULTI_CLASSIFICATION,
    ProblemType.REGRESSION: tabular_pb2.PROBLEM_TYPE_REGRESSION,
}
PROBLEM_TYPES_FROM_PROTO = {value: key for key, value in PROBLEM_TYPES.items()}


def schema_to_proto(
    schema: TabularSchema, training: tabular_pb2.TrainingConfig | None = None
) -> tabular_pb2.TabularSchema:
    return tabular_pb2.TabularSchema(
        problem_type=PROBLEM_TYPES[schema.problem_type],
        target_column=schema.target_column,
        columns=[
            tabular_pb2.TabularInput(name=column.name, input_name=column.input_name, type=COLUMN_TYPES[column.type])
            for column in schema.columns
        ],
        class_labels=list(schema.class_labels),
        positive_class=schema.positive_class,
        training=training,
        time_series=_layout_to_proto(schema.time_series) if schema.time_series else None,
    )


def schema_from_proto(message: tabular_pb2.TabularSchema) -> TabularSchema:
    return TabularSchema(
        problem_type=PROBLEM_TYPES_FROM_PROTO[message.problem_type],
        target_column=message.target_column,
        columns=tuple(
            InputColumn(column.name, column.input_name, COLUMN_TYPES_FROM_PROTO[column.type])
            for column in message.columns
        ),
        class_labels=tuple(message.class_labels),
        positive_class=message.positive_class,
        time_series=_layout_from_proto(message.time_series) if message.HasField("time_series") else {},
    )


_LAYOUT_TEXTS = ("time_column", "series_column", "unit", "offset_input")
_LAYOUT_LISTS = ("horizons", "known_in_window", "at_origin")
_LAYOUT_NUMBERS = ("interval", "lags")


def _layout_to_proto(layout: dict[str, Any]) -> tabular_pb2.TimeSeriesLayout:
    """The keys of TabularSchema.time_series that a forecast needs (see timeseries.describe)."""
    return tabular_pb2.TimeSeriesLayout(
        **{key: layout[key] for key in (*_LAYOUT_TEXTS, *_LAYOUT_LISTS, *_LAYOUT_NUMBERS)}
    )


def _layout_from_proto(message: tabular_pb2.TimeSeriesLayout) -> dict[str, Any]:
    layout: dict[str, Any] = {key: getattr(message, key) for key in (*_LAYOUT_TEXTS, *_LAYOUT_NUMBERS)}
    layout.update({key: list(getattr(message, key)) for key in _LAYOUT_LISTS})
    return layout
