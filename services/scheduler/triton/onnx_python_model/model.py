"""Triton Python-backend model: runs `<model dir>/<version>/model.onnx` with onnxruntime on CPU.

Why not Triton's onnxruntime backend: the Triton build that runs on CPU hosts (the
nvidia-pytriton wheel) ships only the Python backend. The stub runs this file with the
scheduler's virtual environment, so numpy (must be < 2, else outputs arrive empty) and
onnxruntime come from there. Only numpy, onnxruntime, json and the backend utils are imported:
this file is copied into each model's version folder and runs outside the Torii package.

Dynamic batching: Triton hands `execute` several requests at once. When the model is batched
(max_batch_size > 0) their inputs are concatenated on axis 0, run once, and the outputs split
back by each request's batch size.
"""

import json
import os

import numpy as np
import onnxruntime as ort
import triton_python_backend_utils as pb_utils

# ONNX tensor type strings (onnxruntime's `NodeArg.type`) to numpy dtypes.
_ONNX_TO_NUMPY = {
    "tensor(float)": np.float32,
    "tensor(double)": np.float64,
    "tensor(float16)": np.float16,
    "tensor(int8)": np.int8,
    "tensor(int16)": np.int16,
    "tensor(int32)": np.int32,
    "tensor(int64)": np.int64,
    "tensor(uint8)": np.uint8,
    "tensor(uint16)": np.uint16,
    "tensor(uint32)": np.uint32,
    "tensor(uint64)": np.uint64,
    "tensor(bool)": np.bool_,
    "tensor(string)": np.object_,
}


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        self._batched = int(config.get("max_batch_size", 0)) > 0
        self._input_names = [tensor["name"] for tensor in config["input"]]
        # Cast outputs to the dtype the config promises, which Triton checks on the way out.
        self._outputs = [
            (tensor["name"], pb_utils.triton_string_to_numpy(tensor["data_type"])) for tensor in config["output"]
        ]
        path = os.path.join(args["model_repository"], args["model_version"], "model.onnx")
        options = ort.SessionOptions()
        # One thread each: Triton scales with instances and concurrent models, not with
        # threads inside one session that would fight over the same cores.
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(path, sess_options=options, providers=["CPUExecutionProvider"])
        self._input_dtypes = {arg.name: _ONNX_TO_NUMPY.get(arg.type) for arg in self._session.get_inputs()}
        missing = [name for name in self._input_names if name not in self._input_dtypes]
        if missing:
            raise ValueError(f"inputs {missing} are in config.pbtxt but not in model.onnx")

    def execute(self, requests):
        try:
            if self._batched:
                return self._execute_batched(requests)
            return [self._response(self._run(self._inputs(request))) for request in requests]
        except Exception as exc:  # one failure fails the batch; Triton must still get N answers
            message = f"{type(exc).__name__}: {exc}"
            return [
                pb_utils.InferenceResponse(output_tensors=[], error=pb_utils.TritonError(message)) for _ in requests
            ]

    def finalize(self):
        self._session = None

    def _execute_batched(self, requests):
        per_request = [self._inputs(request) for request in requests]
        if len(per_request) == 1:
            return [self._response(self._run(per_request[0]))]
        sizes = [len(next(iter(feeds.values()))) for feeds in per_request]
        joined = {name: np.concatenate([feeds[name] for feeds in per_request], axis=0) for name in self._input_names}
        results = self._run(joined)
        offsets = np.cumsum(sizes)[:-1]
        split = [np.split(array, offsets, axis=0) for array in results]
        return [self._response([parts[i] for parts in split]) for i in range(len(requests))]

    def _inputs(self, request):
        feeds = {}
        for name in self._input_names:
            array = pb_utils.get_input_tensor_by_name(request, name).as_numpy()
            dtype = self._input_dtypes[name]
            if dtype is not None and array.dtype != dtype:
                array = array.astype(dtype)
            feeds[name] = array
        return feeds

    def _run(self, feeds):
        return self._session.run([name for name, _ in self._outputs], feeds)

    def _response(self, arrays):
        tensors = [
            pb_utils.Tensor(name, np.ascontiguousarray(array, dtype=dtype))
            for (name, dtype), array in zip(self._outputs, arrays)
        ]
        return pb_utils.InferenceResponse(output_tensors=tensors)
