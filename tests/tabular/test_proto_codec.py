"""TabularSchema survives the trip through its protobuf message, time-series layout included."""

from __future__ import annotations

from services.tabular.column_types import ColumnType
from services.tabular.proto_codec import schema_from_proto, schema_to_proto
from services.tabular.schema import InputColumn, ProblemType, TabularSchema
from torii.v1 import tabular_pb2

LAYOUT = {
    "time_column": "date",
    "series_column": "store",
    "unit": "day",
    "interval": 1,
    "horizons": [1, 2, 3],
    "lags": 8,
    "known_in_window": ["price"],
    "at_origin": ["weather"],
    "offset_input": "w8",
}


def test_a_classification_schema_round_trips_without_a_layout():
    schema = TabularSchema(
        problem_type=ProblemType.BINARY_CLASSIFICATION,
        target_column="churn",
        columns=(InputColumn("age", "c0", ColumnType.INTEGER), InputColumn("plan", "c1", ColumnType.STRING)),
        class_labels=("no", "yes"),
        positive_class="yes",
    )
    message = schema_to_proto(schema)
    assert not message.HasField("time_series")
    assert schema_from_proto(message) == schema


def test_a_time_series_layout_round_trips_and_drops_what_a_forecast_does_not_need():
    columns = (InputColumn("sales[t]", "w0", ColumnType.FLOAT), InputColumn("target_time", "w1", ColumnType.DATE))
    schema = TabularSchema(
        problem_type=ProblemType.REGRESSION,
        target_column="sales",
        columns=columns,
        time_series={**LAYOUT, "window_start": 1, "window_end": 3, "others_known": False, "known_exceptions": []},
    )
    message = tabular_pb2.TabularSchema.FromString(schema_to_proto(schema).SerializeToString())
    assert message.time_series.horizons == [1, 2, 3] and message.time_series.offset_input == "w8"
    back = schema_from_proto(message)
    assert back.time_series == LAYOUT
    assert back.columns == columns
