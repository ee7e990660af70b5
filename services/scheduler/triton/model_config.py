"""Render a Triton `config.pbtxt` from a `ModelEntry`; pure, no I/O.

Built through Triton's own protobuf (`model_config_pb2`) and printed with `text_format`, so the
text is exactly what Triton parses and a misspelt field fails here, not at load time. A vLLM
entry also gets its engine arguments rendered here (`1/model.json`), for the same reason: the
repository only writes what this module has checked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2 as mc

DATA_TYPES = frozenset(
    {
        "BOOL",
        "UINT8",
        "UINT16",
        "UINT32",
        "UINT64",
        "INT8",
        "INT16",
        "INT32",
        "INT64",
        "FP16",
        "FP32",
        "FP64",
        "BF16",
        "STRING",
    }
)
INSTANCE_KINDS = frozenset({"KIND_AUTO", "KIND_CPU", "KIND_GPU", "KIND_MODEL"})
BACKENDS = frozenset({"onnxruntime", "python", "vllm"})
# The file Triton's vLLM backend reads vLLM's engine arguments from, in the version folder.
VLLM_ENGINE_ARGS_FILE = "model.json"


@dataclass(frozen=True)
class PythonModel:
    """What one kind of model.py needs from its entry and its version folder."""

    artifact_file: str  # the name the entry's artifact gets in the version folder
    decoupled: bool  # answers through response senders (Triton's decoupled mode), not from execute()
    batches: bool  # may take Triton's batches (max_batch_size > 0)


# Which model.py a Python-backend entry runs: "onnx" (onnx_python_model/: any ONNX file; also
# what an onnxruntime-backend entry is), "tabular" (tabular_python_model/: the trainer's tabular
# models, with per-column reasons) or "chat" (chat_python_model/: a GGUF chat model streamed
# token by token with llama.cpp).
PYTHON_MODELS = {
    "onnx": PythonModel("model.onnx", decoupled=False, batches=True),
    "tabular": PythonModel("model.onnx", decoupled=False, batches=True),
    "chat": PythonModel("model.gguf", decoupled=True, batches=False),
}


@dataclass(frozen=True)
class TensorConfig:
    name: str
    data_type: str  # Triton's names: "FP32", "INT64", "UINT8", "BOOL", "STRING", ...
    dims: tuple[int, ...]  # without the batch dim when max_batch_size > 0; () is a scalar per row
    optional: bool = False  # an input a request may leave out (Triton's `optional: true`); never an output


@dataclass(frozen=True)
class ModelEntry:
    name: str
    # The model file; the repository places it as `1/<artifact_file>`. None for a vLLM entry:
    # vLLM fetches the weights itself, named by engine_args' "model".
    artifact_path: Path | None
    inputs: tuple[TensorConfig, ...]
    outputs: tuple[TensorConfig, ...]
    max_batch_size: int  # 0: Triton does not batch and dims are the full shapes
    backend: str  # "onnxruntime" (GPU hosts), "python" (our model.py files, any host) or "vllm" (GPU hosts)
    instance_kind: str = "KIND_CPU"
    instance_count: int = 1
    dynamic_batching: bool = True
    max_queue_delay_us: int = 1000
    preferred_batch_sizes: tuple[int, ...] = ()
    python_model: str = "onnx"  # with backend "python": which model.py runs it (PYTHON_MODELS); not read for vllm
    decoupled: bool = False  # Triton's decoupled transaction policy: any number of responses per request
    parameters: tuple[tuple[str, str], ...] = ()  # (key, value) pairs the model reads from its config
    # With backend "vllm": vLLM's engine arguments (AsyncEngineArgs' names), written to 1/model.json.
    engine_args: tuple[tuple[str, str | int | float | bool], ...] = ()

    @property
    def artifact_file(self) -> str | None:
        """The artifact's file name in the version folder; None for an entry without one (vLLM)."""
        if self.artifact_path is None:
            return None
        return PYTHON_MODELS[self.python_model].artifact_file


def batching_from_shapes(input_shapes: list[list[int]], max_batch_size: int) -> bool:
    """True when Triton may batch the model: every input's first dim is dynamic (-1).

    Then the first dim is the batch dim and drops out of the config's dims. A model with any
    fixed leading dim (or a scalar input) is served unbatched, with max_batch_size 0.
    """
    if max_batch_size <= 0 or not input_shapes:
        return False
    return all(len(shape) > 0 and shape[0] == -1 for shape in input_shapes)


def render_config(entry: ModelEntry) -> str:
    """The `config.pbtxt` text for `entry`; ValueError on values Triton would refuse."""
    return text_format.MessageToString(build_config(entry))


def render_engine_args(entry: ModelEntry) -> str:
    """The `model.json` text of a vLLM entry: its engine arguments as one JSON object, keys sorted
    so that the same entry always gives the same bytes; ValueError on entries Triton would refuse."""
    _check(entry)
    if entry.backend != "vllm":
        raise ValueError(f"only a vllm entry has engine arguments, not a {entry.backend!r} one")
    return json.dumps(dict(entry.engine_args), sort_keys=True, allow_nan=False)


def build_config(entry: ModelEntry) -> mc.ModelConfig:
    _check(entry)
    config = mc.ModelConfig(name=entry.name, backend=entry.backend, max_batch_size=entry.max_batch_size)
    if entry.backend == "onnxruntime":
        config.platform = "onnxruntime_onnx"
    for tensor in entry.inputs:
        config.input.append(_tensor(mc.ModelInput, tensor))
    for tensor in entry.outputs:
        config.output.append(_tensor(mc.ModelOutput, tensor))
    config.instance_group.append(
        mc.ModelInstanceGroup(count=entry.instance_count, kind=mc.ModelInstanceGroup.Kind.Value(entry.instance_kind))
    )
    if entry.dynamic_batching and entry.max_batch_size > 0:
        config.dynamic_batching.max_queue_delay_microseconds = entry.max_queue_delay_us
        config.dynamic_batching.preferred_batch_size.extend(entry.preferred_batch_sizes)
    if entry.decoupled:
        config.model_transaction_policy.decoupled = True
    for key, value in entry.parameters:
        config.parameters[key].string_value = value
    return config


def _tensor(kind, tensor: TensorConfig):
    message = kind(name=tensor.name, data_type=_data_type(tensor.data_type), dims=list(tensor.dims))
    if tensor.optional:
        message.optional = True
    if not tensor.dims:
        # Triton refuses empty dims. A scalar (per batch row: shape [batch]) is written the way
        # Triton documents: dims [1], and a reshape to [] for what the model itself sees.
        message.dims.append(1)
        message.reshape.SetInParent()
    return message


def _data_type(name: str) -> int:
    if name not in DATA_TYPES:
        raise ValueError(f"unknown Triton data type {name!r}")
    return mc.DataType.Value(f"TYPE_{name}")


def _check(entry: ModelEntry) -> None:
    if entry.backend not in BACKENDS:
        raise ValueError(f"unknown backend {entry.backend!r}")
    if entry.backend == "vllm":
        _check_vllm(entry)
    else:
        _check_file_model(entry)
    keys = [key for key, _ in entry.parameters]
    if any(not key for key in keys) or len(set(keys)) != len(keys):
        raise ValueError(f"parameter keys must be non-empty and distinct, got {keys}")
    if entry.instance_kind not in INSTANCE_KINDS:
        raise ValueError(f"unknown instance kind {entry.instance_kind!r}")
    if entry.instance_count < 1:
        raise ValueError("instance_count must be at least 1")
    if entry.max_batch_size < 0:
        raise ValueError("max_batch_size must be 0 or more")
    if not entry.inputs or not entry.outputs:
        raise ValueError("a model needs at least one input and one output")
    if any(size < 1 or size > entry.max_batch_size for size in entry.preferred_batch_sizes):
        raise ValueError("preferred batch sizes must lie between 1 and max_batch_size")
    for tensor in (*entry.inputs, *entry.outputs):
        if any(d < -1 or d == 0 for d in tensor.dims):
            raise ValueError(f"tensor {tensor.name!r}: dims must be positive or -1, got {tensor.dims}")
    # Triton's ModelOutput has no `optional`: a model always sends what it declares.
    if any(tensor.optional for tensor in entry.outputs):
        raise ValueError("only inputs can be optional")


def _check_vllm(entry: ModelEntry) -> None:
    """What Triton's vLLM backend needs: one decoupled KIND_MODEL instance (vLLM places itself on
    the GPUs and batches on its own, so neither Triton's batcher nor a second copy of the weights
    has a place), no artifact, and engine arguments that name the model."""
    if entry.artifact_path is not None:
        raise ValueError("a vllm entry has no artifact: vLLM fetches the model named in its engine arguments")
    if not entry.decoupled:
        raise ValueError("a vllm entry needs the decoupled transaction policy")
    if entry.max_batch_size != 0 or entry.dynamic_batching:
        raise ValueError("a vllm entry takes no Triton batches: max_batch_size 0, no dynamic batching")
    if (entry.instance_kind, entry.instance_count) != ("KIND_MODEL", 1):
        raise ValueError("a vllm entry runs one KIND_MODEL instance")
    keys = [key for key, _ in entry.engine_args]
    if any(not key for key in keys) or len(set(keys)) != len(keys):
        raise ValueError(f"engine argument names must be non-empty and distinct, got {keys}")
    model = dict(entry.engine_args).get("model")
    if not isinstance(model, str) or not model:
        raise ValueError("a vllm entry's engine arguments must name the model")


def _check_file_model(entry: ModelEntry) -> None:
    """An onnxruntime or Python-backend entry: its artifact file and, for python, its model.py."""
    if entry.artifact_path is None:
        raise ValueError(f"a {entry.backend} entry needs its model file")
    if entry.engine_args:
        raise ValueError("only a vllm entry takes engine arguments")
    if entry.python_model not in PYTHON_MODELS:
        raise ValueError(f"unknown Python-backend model {entry.python_model!r}")
    if entry.python_model != "onnx" and entry.backend != "python":
        raise ValueError(f"the {entry.python_model} model runs on the python backend, not {entry.backend!r}")
    kind = PYTHON_MODELS[entry.python_model]
    if entry.decoupled != kind.decoupled:
        wanted = "needs" if kind.decoupled else "cannot use"
        raise ValueError(f"the {entry.python_model} model {wanted} the decoupled transaction policy")
    if not kind.batches and (entry.max_batch_size != 0 or entry.dynamic_batching):
        raise ValueError(f"the {entry.python_model} model takes no batches: max_batch_size 0, no dynamic batching")
