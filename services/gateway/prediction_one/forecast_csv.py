"""The inference answer of a time-series classifier: one line per forecast (series, horizon).

prediction_valid.csv: [pc column] [row_number] (of the forecast's origin row, the series' latest
row with a target value), the series column (if the model has one), the time column holding the
target time t + h, `horizon` (in the model's time units), `prediction`; then, with ad, the origin
row's columns as sent. prediction_analysis.csv: [pc column] [row_number], `base_value` and the
strongest reasons, whose columns are the model's window columns (`sales[t-1]`, `target_time`,
`price[t+h]`, ...) and whose contributions sum, with the base value, to the prediction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import numpy as np

from services.gateway.prediction_one.prediction_csv import (
    Options,
    analysis_titles,
    lead_cells,
    lead_titles,
    number_text,
    reason_cells,
    write_csv,
)
from services.tabular.column_types import ColumnType
from services.tabular.forecast import Forecast
from services.tabular.schema import InputColumn, TabularSchema

TARGET_TIME_COLUMN = "target_time"  # the window column of t + h, see services.tabular.windows


def forecast_valid(
    schema: TabularSchema,
    options: Options,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    forecast: Forecast,
    answer: np.ndarray,
) -> bytes:
    series_column = str(schema.time_series["series_column"])
    titles = lead_titles(options) + ([series_column] if series_column else [])
    titles += [str(schema.time_series["time_column"]), "horizon", "prediction"]
    copied = [i for i, name in enumerate(header) if name != options.pin_column] if options.add_inputs else []
    titles.extend(header[i] for i in copied)
    lines = [titles]
    for index in range(len(forecast)):
        origin = forecast.origin_rows[index]
        line = lead_cells(options, header, rows[origin], origin + 1)
        if series_column:
            line.append(forecast.series[index])
        line += [forecast.target_times[index], str(forecast.horizons[index]), number_text(answer[index][0])]
        line.extend(rows[origin][i] for i in copied)
        lines.append(line)
    return write_csv(lines)


def forecast_analysis(
    schema: TabularSchema,
    options: Options,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    forecast: Forecast,
    contributions: np.ndarray,
) -> bytes:
    columns = schema.columns
    names = [column.name for column in columns]
    lines = [analysis_titles(options, len(columns))]
    for index in range(len(forecast)):
        origin = forecast.origin_rows[index]
        values = [_value_text(column, forecast, index) for column in columns]
        lines.append(
            lead_cells(options, header, rows[origin], origin + 1) + reason_cells(contributions[index], names, values)
        )
    return write_csv(lines)


def _value_text(column: InputColumn, forecast: Forecast, index: int) -> str:
    """A window input's value as the model read it: numbers and dates as text, missing as ""."""
    value = forecast.tensors[column.input_name][index, 0]
    if column.type is ColumnType.DATE:
        if column.name == TARGET_TIME_COLUMN:
            return forecast.target_times[index]
        return "" if np.isnan(value) else _date_text(float(value))
    if column.type.is_numeric:
        return number_text(value)
    return str(value)


def _date_text(epoch_seconds: float) -> str:
    moment = datetime.fromtimestamp(epoch_seconds, tz=UTC)
    return moment.date().isoformat() if epoch_seconds % 86400 == 0 else moment.strftime("%Y-%m-%d %H:%M:%S")
