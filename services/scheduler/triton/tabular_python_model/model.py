"""Triton Python-backend model for the trainer's tabular models, reasons included.

The version folder holds `model.onnx` (the exported model: preprocessing graph, LightGBM trees
and, in its metadata, the booster itself), this file, and `tabular_predictor.py`, a copy of
services/tabular/predictor.py that the scheduler's repository writer places beside it:
this file runs in Triton's backend stub, outside the Torii package, so it imports only numpy,
the backend utils and that copy (which brings onnxruntime, lightgbm and json). The stub runs it
with the scheduler's virtual environment (numpy must be < 2, see onnx_python_model/model.py).

Outputs: the model's answer (`probabilities` [batch, n_classes] or `prediction` [batch, 1]) and
`contributions` [batch, n_columns + 1], the per-column TreeSHAP reasons. Each request gets only
the outputs it asked for; Triton hands the backend every output of the config as requested
when the client named none, so a plain request gets them all. Reasons cost a LightGBM pass, so
they are computed only when some request of the batch asked for them.

Dynamic batching: Triton hands `execute` several requests at once. Their inputs (each [rows, 1])
are concatenated on axis 0, run through the predictor once, and the outputs split back by each
request's row count. A request that cannot be read (a missing input, mismatched row counts) is
answered with its error alone; when the joined run fails, each request runs by itself so that a
bad one fails alone too. Nothing here lets an exception escape `execute`: Triton must always get
one response per request.
"""

import importlib.util
import json
import os
import sys

import numpy as np
import triton_python_backend_utils as pb_utils

PREDICTOR_FILE = "tabular_predictor.py"
CONTRIBUTIONS_OUTPUT = "contributions"


def _load_predictor_module(path):
    spec = importlib.util.spec_from_file_location("tabular_predictor", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the predictor from {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        version_dir = os.path.join(args["model_repository"], args["model_version"])
        predictor_module = _load_predictor_module(os.path.join(version_dir, PREDICTOR_FILE))
        with open(os.path.join(version_dir, "model.onnx"), "rb") as handle:
            onnx_bytes = handle.read()
        # One thread each, for onnxruntime and for LightGBM's reasons: Triton scales with
        # instances and concurrent models, not with threads that would fight over the cores.
        self._predictor = predictor_module.TabularPredictor(onnx_bytes, threads=1)
        booster_predict = self._predictor.booster.predict
        self._predictor.booster.predict = lambda *a, **kw: booster_predict(*a, num_threads=1, **kw)

        self._input_names = [tensor["name"] for tensor in config["input"]]
        # Cast outputs to the dtype the config promises, which Triton checks on the way out.
        self._outputs = [
            (tensor["name"], pb_utils.triton_string_to_numpy(tensor["data_type"])) for tensor in config["output"]
        ]
        expected = set(self._predictor.input_names)
        if set(self._input_names) != expected:
            raise ValueError(
                f"config.pbtxt inputs {sorted(self._input_names)} differ from model.onnx's {sorted(expected)}"
            )
        produced = {self._predictor.output_name, CONTRIBUTIONS_OUTPUT}
        unknown = [name for name, _ in self._outputs if name not in produced]
        if unknown:
            raise ValueError(f"config.pbtxt outputs {unknown} are not outputs of this tabular model")
        self._all_outputs = frozenset(name for name, _ in self._outputs)

    def execute(self, requests):
        responses = [None] * len(requests)
        try:
            readable = []  # (index, feeds, rows, wanted)
            for index, request in enumerate(requests):
                try:
                    readable.append((index, *self._read(request)))
                except Exception as exc:
                    responses[index] = _error(exc)
            if readable:
                self._answer(readable, responses)
        except Exception as exc:  # a bug here: still one answer per request
            responses = [response or _error(exc) for response in responses]
        return responses

    def finalize(self):
        self._predictor = None

    def _read(self, request):
        """(feeds, rows, names of the outputs the request wants) for one request."""
        feeds = {}
        rows = None
        for name in self._input_names:
            tensor = pb_utils.get_input_tensor_by_name(request, name)
            if tensor is None:
                raise ValueError(f"input {name!r} is missing")
            array = tensor.as_numpy()
            if array.ndim == 0:
                raise ValueError(f"input {name!r} has no batch dimension")
            if rows is None:
                rows = array.shape[0]
            elif array.shape[0] != rows:
                raise ValueError(f"input {name!r} has {array.shape[0]} rows, other inputs {rows}")
            feeds[name] = array
        wanted = frozenset(request.requested_output_names()) or self._all_outputs
        unknown = sorted(wanted - self._all_outputs)
        if unknown:
            raise ValueError(f"unknown outputs requested: {unknown}")
        # STRING tensors arrive as UTF-8 bytes; the predictor decodes them once for the whole batch.
        return feeds, rows, wanted

    def _answer(self, readable, responses):
        """Run `readable` requests as one batch and fill in their responses."""
        with_reasons = any(CONTRIBUTIONS_OUTPUT in wanted for _, _, _, wanted in readable)
        try:
            if len(readable) == 1:
                joined = readable[0][1]
            else:
                joined = {
                    name: np.concatenate([feeds[name] for _, feeds, _, _ in readable], axis=0)
                    for name in self._input_names
                }
            results = self._predictor.predict(joined, contributions=with_reasons)
        except Exception as exc:
            if len(readable) == 1:
                responses[readable[0][0]] = _error(exc)
            else:  # find the request that fails: each runs by itself
                for item in readable:
                    self._answer([item], responses)
            return
        offsets = np.cumsum([rows for _, _, rows, _ in readable])[:-1]
        parts = {name: np.split(array, offsets, axis=0) for name, array in results.items()}
        for position, (index, _, _, wanted) in enumerate(readable):
            try:
                tensors = [
                    pb_utils.Tensor(name, np.ascontiguousarray(parts[name][position], dtype=dtype))
                    for name, dtype in self._outputs
                    if name in wanted
                ]
                responses[index] = pb_utils.InferenceResponse(output_tensors=tensors)
            except Exception as exc:
                responses[index] = _error(exc)


def _error(exc):
    return pb_utils.InferenceResponse(output_tensors=[], error=pb_utils.TritonError(f"{type(exc).__name__}: {exc}"))
