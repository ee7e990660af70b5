"""What the scheduler wants for one API: pure decisions, no I/O.

Whether the API should be loaded now, and the Triton model-repository entry that serves one of
its model versions on the Tritons at hand.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import Enum
from pathlib import Path
from urllib.parse import unquote, urlparse

from services.policy.from_proto import schedule_of
from services.policy.schedule import is_within
from services.policy.triton_names import triton_model_name
from services.scheduler.settings import SchedulerSettings
from services.scheduler.triton.model_config import ModelEntry, TensorConfig, batching_from_shapes
from torii.v1 import apis_pb2, models_pb2


class Want(Enum):
    SERVE = "serve"
    STOPPED = "stopped"
    OUTSIDE_SCHEDULE = "outside_schedule"


_NOT_SERVED = {apis_pb2.API_STATUS_STOPPED: Want.STOPPED, apis_pb2.API_STATUS_DELETING: Want.STOPPED}


def wanted(api: apis_pb2.PublishedApi, now: datetime) -> Want:
    if api.status in _NOT_SERVED:
        return _NOT_SERVED[api.status]
    if not is_within(schedule_of(api), now):
        return Want.OUTSIDE_SCHEDULE
    return Want.SERVE


def artifact_path(uri: str, artifacts_dir: Path) -> Path:
    """The file a model version's URI names; ValueError unless it lies inside artifacts_dir, so a
    URI sent by whoever reaches the registry cannot link a host file into Triton's repository."""
    parsed = urlparse(uri)
    if parsed.scheme not in ("file", ""):
        raise ValueError(f"the scheduler reads artifacts from file:// URIs, not {uri!r}")
    path = Path(unquote(parsed.path)).resolve()
    if not path.is_relative_to(artifacts_dir) or path == artifacts_dir:
        raise ValueError("the model's artifact is not in the artifact store")
    return path


def _tensors(specs, batched: bool) -> tuple[TensorConfig, ...]:
    return tuple(
        TensorConfig(
            spec.name,
            models_pb2.DataType.Name(spec.data_type).removeprefix("DATA_TYPE_"),
            tuple(spec.shape[1:] if batched else spec.shape),
        )
        for spec in specs
    )


# The chat model's fixed tensors (chat_python_model/model.py, and the gateway's chat_engine.py).
CHAT_INPUTS = (TensorConfig("request_json", "STRING", (1,)),)
CHAT_OUTPUTS = (
    TensorConfig("text", "STRING", (1,)),
    TensorConfig("finish_reason", "STRING", (1,)),
    TensorConfig("prompt_tokens", "INT32", (1,)),
    TensorConfig("completion_tokens", "INT32", (1,)),
)


# The tensors of Triton's vLLM backend (github.com/triton-inference-server/vllm_backend,
# src/model.py), the ones the gateway sends and reads; the backend adds the others it knows.
VLLM_INPUTS = (
    TensorConfig("text_input", "STRING", (1,)),
    TensorConfig("stream", "BOOL", (1,)),
    TensorConfig("sampling_parameters", "STRING", (1,), optional=True),
    TensorConfig("exclude_input_in_output", "BOOL", (1,), optional=True),
    TensorConfig("return_finish_reason", "BOOL", (1,), optional=True),
    TensorConfig("return_num_input_tokens", "BOOL", (1,), optional=True),
    TensorConfig("return_num_output_tokens", "BOOL", (1,), optional=True),
)
VLLM_OUTPUTS = (
    TensorConfig("text_output", "STRING", (-1,)),
    TensorConfig("finish_reason", "STRING", (-1,)),
    TensorConfig("num_input_tokens", "UINT32", (1,)),  # one count per request, as the backend declares it
    TensorConfig("num_output_tokens", "UINT32", (-1,)),
)
HF_URI_PREFIX = "hf://"
# The registry's own rule (services/registry/domain/models.py), checked again here because the id
# becomes vLLM's "model", which vLLM also reads as a local path: "hf:///etc" must not load /etc.
_HF_MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")


def model_entry(
    api: apis_pb2.PublishedApi, version: models_pb2.ModelVersion, settings: SchedulerSettings
) -> ModelEntry:
    """The entry that serves `version`; ValueError, with a message for the API's owner, when this
    scheduler's Tritons cannot serve it (the reconciler reports the API FAILED with it)."""
    if version.format == models_pb2.MODEL_FORMAT_GGUF:
        return chat_entry(api, version, settings)
    if version.format == models_pb2.MODEL_FORMAT_HF_MODEL:
        return vllm_entry(api, version, settings)
    signature = version.signature
    batched = batching_from_shapes([list(spec.shape) for spec in signature.inputs], settings.max_batch_size)
    dedicated = api.execution_type == apis_pb2.EXECUTION_TYPE_DEDICATED
    on_gpu = api.instance_kind == apis_pb2.INSTANCE_KIND_GPU and settings.triton_has_gpus
    tabular = is_tabular(version)
    if tabular:
        # Always our tabular model.py, even where onnxruntime is offered: the reasons come from
        # the LightGBM booster inside the model, and it runs on the CPU only.
        backend, on_gpu = "python", False
    else:
        backend = "onnxruntime" if "onnxruntime" in settings.triton_backends else "python"
    return ModelEntry(
        name=triton_model_name(api.api_id, version.model_version_id),
        artifact_path=artifact_path(version.artifact_uri, settings.artifacts_dir),
        inputs=_tensors(signature.inputs, batched),
        outputs=_tensors(signature.outputs, batched),
        max_batch_size=settings.max_batch_size if batched else 0,
        backend=backend,
        instance_kind="KIND_GPU" if on_gpu else "KIND_CPU",
        instance_count=max(api.instance_count, 1) if dedicated else 1,
        dynamic_batching=settings.dynamic_batching,
        max_queue_delay_us=settings.batch_queue_delay_us,
        python_model="tabular" if tabular else "onnx",
    )


def chat_entry(api: apis_pb2.PublishedApi, version: models_pb2.ModelVersion, settings: SchedulerSettings) -> ModelEntry:
    """A GGUF chat model: our llama.cpp model.py, decoupled so that it streams token by token.

    One CPU instance whatever the API asks for: llama.cpp's slots give the concurrency, and a
    second instance would only double the threads that spin on the same cores. The version's
    stored signature is not used: the engine's tensors are fixed.
    """
    return ModelEntry(
        name=triton_model_name(api.api_id, version.model_version_id),
        artifact_path=artifact_path(version.artifact_uri, settings.artifacts_dir),
        inputs=CHAT_INPUTS,
        outputs=CHAT_OUTPUTS,
        max_batch_size=0,
        backend="python",
        instance_kind="KIND_CPU",
        instance_count=1,
        dynamic_batching=False,
        python_model="chat",
        decoupled=True,
        parameters=(
            ("slots", str(settings.chat_slots)),
            ("threads", str(settings.chat_threads)),
            ("context_per_slot", str(settings.chat_context_per_slot)),
            ("max_queue", str(settings.chat_max_queue)),
        ),
    )


def vllm_entry(api: apis_pb2.PublishedApi, version: models_pb2.ModelVersion, settings: SchedulerSettings) -> ModelEntry:
    """A Hugging Face chat model: Triton's vLLM backend, which fetches the weights itself.

    One KIND_MODEL instance whatever the API asks for: vLLM places itself on the GPUs and batches
    up to max_num_seqs requests, so the chat slots and context settings size it as they size
    llama.cpp. ValueError when no Triton here offers the vllm backend.
    """
    if "vllm" not in settings.triton_backends:
        offered = ", ".join(settings.triton_backends) or "nothing"
        raise ValueError(
            "a Hugging Face chat model needs a Triton with the vllm backend (TORII_TRITON_BACKENDS); "
            f"this one offers: {offered}"
        )
    return ModelEntry(
        name=triton_model_name(api.api_id, version.model_version_id),
        artifact_path=None,
        inputs=VLLM_INPUTS,
        outputs=VLLM_OUTPUTS,
        max_batch_size=0,
        backend="vllm",
        instance_kind="KIND_MODEL",
        instance_count=1,
        dynamic_batching=False,
        decoupled=True,
        # No "disable_log_requests": vLLM replaced it with enable_log_requests (off by default) in
        # mid-2025, and its AsyncEngineArgs now refuses the old name, which would fail the load.
        engine_args=(
            ("model", hf_model_id(version.artifact_uri)),
            ("gpu_memory_utilization", settings.vllm_gpu_memory_utilization),
            ("max_num_seqs", settings.chat_slots),
            ("max_model_len", settings.chat_context_per_slot),
        ),
    )


def hf_model_id(uri: str) -> str:
    """The Hugging Face model id an `hf://<org>/<name>` URI names; ValueError for anything else."""
    model_id = uri.removeprefix(HF_URI_PREFIX)
    if not uri.startswith(HF_URI_PREFIX) or not _HF_MODEL_ID.fullmatch(model_id):
        raise ValueError(f"a Hugging Face model is named {HF_URI_PREFIX}<org>/<name>, not {uri!r}")
    return model_id


def is_tabular(version: models_pb2.ModelVersion) -> bool:
    """A model the trainer made from a CSV: served with its per-column reasons."""
    return version.preprocessing.HasField("tabular")
