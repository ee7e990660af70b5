"""Time-series mode: windows → LightGBM → a verified ONNX model and its figures.

The windows (services.trainer.learning.timeseries) are a table like any other, so the tabular
machinery applies unchanged: the window columns are the model's input columns, a FeaturePlan
turns them into features inside the exported graph, and the whole model is checked against the
booster it embeds (1e-5, export_check.VERIFY_TOLERANCE), by model_building's shared steps.

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

from collections.abc import Mapping
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np

from services.tabular.column_types import ColumnType
from services.tabular.schema import ProblemType, TabularSchema
from services.tabular.setting_words import setting
from services.tabular.table import Table
from services.tabular.timegrid import time_text
from services.trainer.learning import evaluation as evaluation_module
from services.trainer.learning.config import ConfigError, TimeSeriesConfig, TrainingConfig
from services.trainer.learning.features import FeaturePlan, fit_features
from services.trainer.learning.model_building import ExportCheck, Figures, LearningProblem, build_model
from services.trainer.learning.outcome import Importance, OutOfFoldRow, TrainingOutcome
from services.trainer.learning.progress import Progress
from services.trainer.learning.timeseries import Holdout, Windows, build_windows, describe, time_ordered_holdout
from services.trainer.learning.training import TrainedModel
from services.trainer.learning.validation import ValidationPlan

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
    settings = config.time_series
    if settings is None:
        raise ConfigError("time-series settings are missing")
    if evaluation is not None:
        raise ConfigError(
            f"an evaluation data set cannot be used in time-series mode ({setting('time_series')}): the model is "
            "validated on the latest times of the learning data"
        )
    return build_model(
        lambda: _prepare(table, types, config, settings, num_threads),
        time_budget_s=config.time_budget_s,
        seed=config.seed,
        progress=progress,
        num_threads=num_threads,
    )


@dataclass(frozen=True)
class _PreparedWindows:
    problem: LearningProblem
    table: Table
    windows: Windows
    holdout: Holdout

    def figures(self, model: TrainedModel, booster: lgb.Booster) -> Figures:
        rows = model.oof_rows  # = holdout.valid, ascending: time order
        predicted = model.oof_predictions + self.windows.base.astype(np.float64)[rows]
        return Figures(
            metrics=evaluation_module.regression_metrics(self.windows.labels[rows], predicted),
            confusion_matrix=(),
            importance=self._importance(booster),
            out_of_fold=self._out_of_fold(rows, predicted),
            chosen_parameters={
                **model.parameters,
                "search": model.search,
                "search_summary": model.search_summary,
                "time_series": self._summary(),
            },
            training_rows=len(self.windows),
        )

    def _out_of_fold(self, rows: np.ndarray, predicted: np.ndarray) -> tuple[OutOfFoldRow, ...]:
        windows = self.windows
        target_index = self.table.index_of(self.problem.schema.target_column)
        return tuple(
            OutOfFoldRow(
                row_number=int(windows.origin_rows[row]) + 1,
                actual=self.table.rows[int(windows.label_rows[row])][target_index],
                predicted=format(float(value), ".10g"),
                # The origin row is shared by its horizons: say which forecast each line is.
                details=(
                    ("horizon", str(int(windows.horizons[row]))),
                    ("target_row_number", str(int(windows.label_rows[row]) + 1)),
                ),
            )
            for row, value in zip(rows.tolist(), predicted.tolist())
        )

    def _importance(self, booster: lgb.Booster) -> tuple[Importance, ...]:
        """Summed per group of window columns (lags, calendar, horizon, series, each other column)."""
        groups = self.windows.groups
        group_names = list(dict.fromkeys(groups))
        group_of_column = [group_names.index(group) for group in groups]
        columns = [group_of_column[column] for column in self.problem.plan.feature_columns]
        return evaluation_module.importance(booster, columns, group_names)

    def _summary(self) -> dict[str, object]:
        windows, holdout = self.windows, self.holdout
        timeline = windows.timeline
        return {
            "unit": timeline.unit,
            "interval": timeline.interval,
            "horizons": list(timeline.horizons),
            "lags": timeline.lags,
            "windows": len(windows),
            "training_windows": int(len(holdout.train)),
            "validation_windows": int(len(holdout.valid)),
            "validation_from": time_text(holdout.cut, timeline.unit),
            "series": len(windows.series),
        }


def _prepare(
    table: Table,
    types: Mapping[str, ColumnType],
    config: TrainingConfig,
    settings: TimeSeriesConfig,
    num_threads: int,
) -> _PreparedWindows:
    windows = build_windows(table, types, config.target, settings, memory_budget_bytes=config.memory_budget_bytes)
    holdout = time_ordered_holdout(windows)
    plan, features = holdout_features(windows, holdout, num_threads=num_threads)
    problem = LearningProblem(
        plan=plan,
        features=features,
        labels=windows.labels - windows.base.astype(np.float64),
        problem_type=REGRESSION,
        n_classes=0,
        validation=ValidationPlan(((holdout.train, holdout.valid),), _description(windows, holdout), holdout=True),
        schema=TabularSchema(
            problem_type=REGRESSION,
            target_column=config.target,
            columns=plan.input_columns,
            time_series=describe(windows, settings),
        ),
        check=ExportCheck(windows.tensors, features, offset=windows.base),
        offset_input=windows.base_input,
    )
    return _PreparedWindows(problem, table, windows, holdout)


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
