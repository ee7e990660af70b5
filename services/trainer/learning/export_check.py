"""The exported ONNX model checked against the booster it embeds, before anyone is given it.

Every model is run by TabularPredictor (what serving runs) on up to VERIFY_ROWS training rows
and compared with LightGBM's own predictions; a difference past VERIFY_TOLERANCE is an
ExportError, not a model.
"""

from __future__ import annotations

from collections.abc import Mapping

import lightgbm as lgb
import numpy as np

from services.tabular.predictor import TabularPredictor
from services.tabular.schema import ProblemType

VERIFY_ROWS = 1_000
# Allowed |ONNX − LightGBM|: 1e-5 on probabilities; on a regression value 1e-5 relative to its
# size past 1, since a float32 output near 300 is itself only exact to about 1.5e-5.
VERIFY_TOLERANCE = 1e-5


class ExportError(RuntimeError):
    """The exported ONNX model disagrees with the booster it was made from."""


def verify_export(
    onnx_bytes: bytes,
    tensors: Mapping[str, np.ndarray],
    features: np.ndarray,
    booster: lgb.Booster,
    problem_type: ProblemType,
    offset: np.ndarray | None = None,
) -> None:
    """The exported model against the booster on up to VERIFY_ROWS rows.

    `offset` (regression): per row, what the graph adds to the trees' output (the time-series
    window mean, see timeseries_training).
    """
    rows = len(features)
    sample = np.unique(np.linspace(0, rows - 1, min(rows, VERIFY_ROWS)).astype(np.int64))
    predictor = TabularPredictor(onnx_bytes)
    result = predictor.predict({name: array[sample] for name, array in tensors.items()})
    served = result[predictor.output_name].astype(np.float64)
    native = np.asarray(booster.predict(features[sample]), dtype=np.float64)
    if problem_type is ProblemType.BINARY_CLASSIFICATION:
        native = np.column_stack([1.0 - native, native])
    elif problem_type is ProblemType.REGRESSION:
        if offset is not None:
            native = native + np.asarray(offset, dtype=np.float64)[sample]
        native = native.reshape(-1, 1)
    if served.shape != native.shape:
        raise ExportError(f"exported model answers shape {served.shape}, LightGBM {native.shape}")
    allowed = VERIFY_TOLERANCE * np.maximum(1.0, np.abs(native))
    worst = np.abs(served - native) - allowed
    if not np.all(worst <= 0):
        difference = float(np.max(np.abs(served - native)))
        raise ExportError(f"the exported ONNX model differs from LightGBM by up to {difference:.3g} on training rows")
