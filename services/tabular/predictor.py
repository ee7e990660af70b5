"""Runs an exported tabular model: its ONNX outputs and, on request, per-column reasons.

Shared by the trainer (which checks every model it exports with it) and the scheduler (which
copies this file, as `tabular_predictor.py`, beside the Triton Python-backend model.py). In
Triton it runs outside the Torii package, so it imports only numpy, onnxruntime, lightgbm and
json; onnxruntime and lightgbm are imported when a predictor is built, so that the scheduler
can import this module to find the file without loading either. The names below mirror
services.tabular.schema (outputs) and are what services.trainer.learning.export writes; a test
checks that they agree.

Reasons are TreeSHAP contributions from the LightGBM booster embedded in the model's metadata,
computed on the feature matrix that the same onnxruntime run produced (the graph's `features`
output), so they explain exactly the prediction that was returned.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import lightgbm as lgb

# Mirror services.tabular.schema.
PROBABILITIES_OUTPUT = "probabilities"
PREDICTION_OUTPUT = "prediction"
CONTRIBUTIONS_OUTPUT = "contributions"
FEATURES_OUTPUT = "features"  # the preprocessing graph's feature matrix, also a graph output
BINARY_CLASSIFICATION = "binary_classification"  # TabularSchema's problem_type, as JSON holds it

# Keys of the ONNX model's metadata_props.
METADATA_BOOSTER = "torii.lightgbm_model"  # booster.model_to_string()
METADATA_FEATURES = "torii.features"  # JSON {"names": [...], "columns": [input column index]}
METADATA_SCHEMA = "torii.tabular_schema"  # JSON, see export.schema_to_json

_NUMPY_TYPES: dict[str, type] = {"tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(string)": object}


class TabularPredictor:
    def __init__(self, onnx_bytes: bytes, *, threads: int = 1) -> None:
        import lightgbm as lgb
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # string ops warn about symbolic shapes on every run
        self._session = ort.InferenceSession(onnx_bytes, sess_options=options, providers=["CPUExecutionProvider"])
        metadata = self._session.get_modelmeta().custom_metadata_map
        self.schema: dict[str, Any] = json.loads(metadata[METADATA_SCHEMA])
        features = json.loads(metadata[METADATA_FEATURES])
        self.feature_names: list[str] = features["names"]
        self._n_columns = len(self.schema["columns"])
        # [n_features + 1, n_columns + 1] of 0/1: one matrix product sums each column's features
        # (and carries the bias through), instead of a Python loop per request batch.
        self._to_columns = np.zeros((len(self.feature_names) + 1, self._n_columns + 1))
        self._to_columns[np.arange(len(self.feature_names)), features["columns"]] = 1.0
        self._to_columns[-1, -1] = 1.0
        # Time-series models add an input (the window mean) to their trees' output: that input
        # is then a reason of its own, worth its value, so the reasons still sum to the answer.
        offset_input = (self.schema.get("time_series") or {}).get("offset_input", "")
        input_names = [column["input_name"] for column in self.schema["columns"]]
        self._offset = (input_names.index(offset_input), offset_input) if offset_input in input_names else None
        self.booster: lgb.Booster = lgb.Booster(model_str=metadata[METADATA_BOOSTER])
        self.problem_type: str = self.schema["problem_type"]
        outputs = [output.name for output in self._session.get_outputs()]
        self.output_name = PREDICTION_OUTPUT if PREDICTION_OUTPUT in outputs else PROBABILITIES_OUTPUT
        self._inputs = {arg.name: _NUMPY_TYPES.get(arg.type) for arg in self._session.get_inputs()}

    @property
    def input_names(self) -> list[str]:
        return list(self._inputs)

    def predict(
        self, inputs: dict[str, np.ndarray[Any, Any]], *, contributions: bool = False
    ) -> dict[str, np.ndarray[Any, Any]]:
        """The model's output (`probabilities` or `prediction`), plus `contributions` if asked.

        String inputs may be `bytes` (Triton BYTES tensors): they are decoded as UTF-8, since
        onnxruntime would read a `bytes` object as its repr.
        """
        feeds = {name: _as_input(inputs[name], dtype) for name, dtype in self._inputs.items()}
        if len(next(iter(feeds.values()))) == 0:  # string ops mis-shape an empty batch
            width = len(self.schema["class_labels"]) if self.output_name == PROBABILITIES_OUTPUT else 1
            empty = {self.output_name: np.zeros((0, width), dtype=np.float32)}
            if contributions:
                empty[CONTRIBUTIONS_OUTPUT] = np.zeros((0, self._n_columns + 1), dtype=np.float32)
            return empty
        if not contributions:
            (result,) = self._session.run([self.output_name], feeds)
            return {self.output_name: result}
        result, features = self._session.run([self.output_name, FEATURES_OUTPUT], feeds)
        offset = feeds[self._offset[1]] if self._offset is not None else None
        return {self.output_name: result, CONTRIBUTIONS_OUTPUT: self.contributions(features, result, offset)}

    def contributions(
        self,
        features: np.ndarray[Any, Any],
        result: np.ndarray[Any, Any],
        offset: np.ndarray[Any, Any] | None = None,
    ) -> np.ndarray[Any, Any]:
        """[batch, n_columns + 1] float32: per input column then the bias, for the predicted class.

        Classification: toward the raw score of the class with the highest probability (binary:
        the log-odds of that class, so a negative answer's reasons are LightGBM's, negated);
        regression: the predicted value. `offset`: the values of a time-series model's offset
        input, added to that input's own contribution.
        """
        rows = len(features)
        if rows == 0:
            return np.zeros((0, self._n_columns + 1), dtype=np.float32)
        raw = np.asarray(self.booster.predict(features, pred_contrib=True), dtype=np.float64)
        width = len(self.feature_names) + 1
        if raw.shape[1] > width:  # multiclass: one block of width per class
            classes = np.argmax(result, axis=1)
            blocks = raw.reshape(rows, -1, width)
            raw = blocks[np.arange(rows), classes]
        elif self.problem_type == BINARY_CLASSIFICATION:
            raw = raw * np.where(np.argmax(result, axis=1) == 1, 1.0, -1.0)[:, None]
        per_column = raw @ self._to_columns
        if offset is not None and self._offset is not None:
            per_column[:, self._offset[0]] += np.asarray(offset, dtype=np.float64).ravel()
        return per_column.astype(np.float32)


def _as_input(array: np.ndarray[Any, Any], dtype: type | None) -> np.ndarray[Any, Any]:
    array = np.asarray(array)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if dtype is object:
        if array.dtype != object or any(isinstance(value, bytes) for value in array.flat):
            decoded = [
                value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)
                for value in array.flat
            ]
            return np.array(decoded, dtype=object).reshape(array.shape)
        return array
    if dtype is not None and array.dtype != dtype:
        return array.astype(dtype)
    return array
