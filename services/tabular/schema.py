"""What a trained tabular model expects and answers, stored with its model version.

The gateway reads it to turn CSV rows into the model's input tensors and its outputs back into
CSV; the trainer writes it when it exports the model.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from services.tabular.column_types import ColumnType


class ProblemType(enum.Enum):
    BINARY_CLASSIFICATION = "binary_classification"
    MULTI_CLASSIFICATION = "multi_classification"
    REGRESSION = "regression"

    @property
    def is_classification(self) -> bool:
        return self is not ProblemType.REGRESSION


@dataclass(frozen=True)
class InputColumn:
    """One CSV column the model reads.

    `input_name` is the ONNX/Triton input tensor's name (c0, c1, ...: CSV headers may hold any
    character). Its tensor has shape [batch, 1] and a dtype fixed by the type:
    INTEGER/FLOAT -> float32 (NaN when missing), DATE -> float64 epoch seconds UTC (NaN when
    missing), STRING/TEXT -> object arrays of str ("" when missing; onnxruntime reads str, and
    Triton delivers UTF-8 bytes, which the serving model decodes).
    """

    name: str
    input_name: str
    type: ColumnType


@dataclass(frozen=True)
class TabularSchema:
    problem_type: ProblemType
    target_column: str
    columns: tuple[InputColumn, ...]
    # Classification: the labels in the order of the model's `probabilities` output.
    class_labels: tuple[str, ...] = ()
    # Binary classification: the label whose probability is `probabilities[:, 1]`.
    positive_class: str = ""
    # Time-series mode settings, empty otherwise: JSON-shaped, with the keys and values that
    # services.trainer.learning.timeseries.describe writes (proto_codec lists them).
    time_series: dict[str, Any] = field(default_factory=dict)


# The output tensors every exported tabular model has.
PROBABILITIES_OUTPUT = "probabilities"  # classification: [batch, n_classes] float32
PREDICTION_OUTPUT = "prediction"  # regression: [batch, 1] float32
# [batch, n_columns + 1] float32: each input column's contribution (TreeSHAP, summed over the
# features made from that column) to the raw score of the predicted class, then the bias.
CONTRIBUTIONS_OUTPUT = "contributions"
