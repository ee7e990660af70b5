"""What a finished training run hands to packaging (the result zip) and to the registry."""

from __future__ import annotations

from dataclasses import dataclass

from services.tabular.schema import TabularSchema


@dataclass(frozen=True)
class OutOfFoldRow:
    """One training row's prediction by a model that did not see it (cross-validation or holdout)."""

    row_number: int  # 1-based data row of the uploaded CSV
    actual: str  # the target cell as uploaded
    predicted: str  # classification: the label; regression: the value
    # Classification: one probability per schema.class_labels; regression: empty.
    probabilities: tuple[float, ...] = ()
    # More named columns for evaluation_raw_data.csv, e.g. a time-series window's horizon.
    details: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Importance:
    column: str  # the input column (features made from it are summed)
    gain: float  # LightGBM's total gain
    share: float  # gain / total gain, 0..1


@dataclass(frozen=True)
class TrainingOutcome:
    schema: TabularSchema
    # Name -> value. Classification: auc (binary: of the positive class; multi: macro one-vs-rest),
    # accuracy, precision, recall, f1 (binary: positive class; multi: macro), log_loss.
    # Regression: rmse, mae, r2.
    metrics: dict[str, float]
    # Classification: counts[actual][predicted] in schema.class_labels order; regression: empty.
    confusion_matrix: tuple[tuple[int, ...], ...]
    importance: tuple[Importance, ...]  # largest gain first
    out_of_fold: tuple[OutOfFoldRow, ...]
    validation: str  # how the figures were measured, e.g. "5-fold cross-validation"
    chosen_parameters: dict[str, object]  # the configuration the search kept
    training_rows: int
    training_seconds: float
