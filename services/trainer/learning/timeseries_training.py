"""Time-series mode (tsm): windows → LightGBM → a verified ONNX model and its figures.

The windows (services.trainer.learning.timeseries) are a table like any other, so the tabular
machinery applies unchanged: the window columns are the model's input columns, a FeaturePlan
turns them into features inside the exported graph, and the whole model is checked against the
booster it embeds (1e-5, pipeline.VERIFY_TOLERANCE).

- Validation: the time-ordered holdout of timeseries.time_ordered_holdout (cv does not apply).
  The feature plan (category codes of the series and string columns, text vocabularies) is
  fitted on the training windows only, so no later row shapes the training features either;
  the search and early stopping run on the one split, the metrics (RMSE, MAE, R²) are the
  validation windows', and the final model is refit on all windows with the best iteration
  count found.
- Target: the trees learn `y[t+h] - y:window_mean` and the graph adds the window mean back
  (export_model's offset), so the ONNX `prediction` is the forecast itself.
- ONNX inputs: one [batch, 1] tensor per window column, named w0, w1, ... (schema.columns gives
  each one's name and type: the lags, window statistics and horizon are float32, `target_time`
  float64 epoch seconds, the series and string/text columns strings, other columns as their
  type says), output `prediction` [batch, 1] float32, plus `features`. schema.time_series
  (timeseries.describe) says how the windows were built.
- Out-of-fold rows: one per validation window, numbered by its origin row (the 1-based data row
  of t), so an origin with several horizons appears once per horizon, in time order.
- Importance (analysis_summary.csv) is summed per group: lags (the target's past values and
  their window statistics), calendar (the target time), horizon, the series column, and each
  other column.

An evaluation data set is refused in this mode: the time-ordered holdout is the validation.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import numpy as np

from services.tabular.column_types import ColumnType
from services.tabular.schema import ProblemType, TabularSchema
from services.tabular.table import Table
from services.trainer.learning import evaluation as evaluation_module
from services.trainer.learning.config import ConfigError, TrainingConfig
from services.trainer.learning.export import export_model, float32_exact
from services.trainer.learning.features import FeaturePlan, fit_features
from services.trainer.learning.outcome import OutOfFoldRow, TrainingOutcome
from services.trainer.learning.pipeline import verify_export
from services.trainer.learning.timeseries import (
    Holdout,
    Windows,
    build_windows,
    describe,
    time_ordered_holdout,
    time_text,
)
from services.trainer.learning.training import PERCENT, Progress, ValidationPlan, train

REGRESSION = ProblemType.REGRESSION


def train_time_series_model(
    table: Table,
    types: Mapping[str, ColumnType],
    config: TrainingConfig,
    *,
    evaluation: Table | None = None,
    progress: Progress | None = None,
    num_threads: int = 2,
) -> tuple[TrainingOutcome, bytes]:
    started = time.perf_counter()
    settings = config.time_series
    if settings is None:
        raise ConfigError("time-series settings are missing")
    if evaluation is not None:
        raise ConfigError(
            "an evaluation data set cannot be used in time-series mode (tsm): the model is "
            "validated on the latest times of the learning data"
        )
    report = progress or (lambda phase, fold, percent: None)
    report("preparing", 0, PERCENT["preparing"])

    windows = build_windows(table, types, config.target, settings, memory_budget_bytes=config.memory_budget_bytes)
    holdout = time_ordered_holdout(windows)
    plan, features = holdout_features(windows, holdout, num_threads=num_threads)
    base = windows.base.astype(np.float64)
    residuals = windows.labels - base
    validation = ValidationPlan(((holdout.train, holdout.valid),), _description(windows, holdout), holdout=True)
    report("preparing", 0, PERCENT["searching"])

    model = train(
        features,
        residuals,
        problem_type=REGRESSION,
        n_classes=0,
        categorical_features=plan.categorical_features,
        validation=validation,
        time_budget_s=config.time_budget_s,
        seed=config.seed,
        num_threads=num_threads,
        progress=report,
    )

    report("exporting", 0, PERCENT["exporting"])
    booster = float32_exact(model.booster)
    schema = TabularSchema(
        problem_type=REGRESSION,
        target_column=config.target,
        columns=plan.input_columns,
        time_series=describe(windows, settings),
    )
    onnx_bytes = export_model(plan, booster, schema, offset_input=windows.base_input)
    verify_export(onnx_bytes, windows.tensors, features, booster, REGRESSION, offset=windows.base)

    rows = model.oof_rows  # = holdout.valid, ascending: time order
    predicted = model.oof_predictions + base[rows]
    metrics = evaluation_module.regression_metrics(windows.labels[rows], predicted)
    target_index = table.index_of(config.target)
    out_of_fold = tuple(
        OutOfFoldRow(
            row_number=int(windows.origin_rows[row]) + 1,
            actual=table.rows[int(windows.label_rows[row])][target_index],
            predicted=format(float(value), ".10g"),
            # The origin row is shared by its horizons: say which forecast each line is.
            details=(
                ("horizon", str(int(windows.horizons[row]))),
                ("target_row_number", str(int(windows.label_rows[row]) + 1)),
            ),
        )
        for row, value in zip(rows.tolist(), predicted.tolist())
    )
    group_names = list(dict.fromkeys(windows.groups))
    group_of_column = [group_names.index(group) for group in windows.groups]
    importance = evaluation_module.importance(
        booster, [group_of_column[column] for column in plan.feature_columns], group_names
    )
    timeline = windows.timeline
    parameters = {
        **model.parameters,
        "search": model.search,
        "time_series": {
            "unit": timeline.unit,
            "interval": timeline.interval,
            "horizons": list(timeline.horizons),
            "lags": timeline.lags,
            "windows": len(windows),
            "training_windows": int(len(holdout.train)),
            "validation_windows": int(len(holdout.valid)),
            "validation_from": time_text(holdout.cut, timeline.unit),
            "series": len(windows.series),
        },
    }
    outcome = TrainingOutcome(
        schema=schema,
        metrics=metrics,
        confusion_matrix=(),
        importance=importance,
        out_of_fold=out_of_fold,
        validation=validation.description,
        chosen_parameters=parameters,
        training_rows=len(windows),
        training_seconds=time.perf_counter() - started,
    )
    report("exporting", 0, 100.0)
    return outcome, onnx_bytes


def holdout_features(windows: Windows, holdout: Holdout, *, num_threads: int = 2) -> tuple[FeaturePlan, np.ndarray]:
    """The feature plan fitted on the training windows alone, and every window's features."""
    plan = fit_features(windows.columns, windows.take(holdout.train))
    return plan, plan.transform(windows.tensors, num_threads=num_threads)


def _description(windows: Windows, holdout: Holdout) -> str:
    unit = windows.timeline.unit
    share = round(100 * holdout.validation_times / holdout.origin_times)
    return (
        f"time-ordered holdout: {len(holdout.valid)} windows from the latest {share}% of origin "
        f"times (from {time_text(holdout.cut, unit)}); trained on {len(holdout.train)} windows "
        f"whose target time is before it"
    )
