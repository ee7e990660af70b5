"""The scheduler's settings (TORII_ environment variables)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field

from services.runtime.settings import CommonSettings


def _cores() -> int:
    """The cores this process may run on (its CPU affinity, which containers narrow), at least 1."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # no sched_getaffinity on this platform
        return max(os.cpu_count() or 1, 1)


class SchedulerSettings(CommonSettings):
    scheduler_port: int = Field(default=50052, ge=0, le=65535)
    """gRPC port (TORII_SCHEDULER_PORT); 0 picks a free one."""

    triton_mode: Literal["local", "remote"] = "local"
    """local: the scheduler runs the tritonserver binary of the nvidia-pytriton wheel on the
    port of the first of triton_addresses; remote: Triton runs elsewhere (the NGC container)."""

    triton_model_repository: Path | None = None
    """The model-repository folder Triton reads; a remote Triton must see it at the same path (a
    shared volume). Empty: <data_dir>/triton/models."""

    artifact_root: Path | None = None
    """Folder every model file must lie in (TORII_ARTIFACT_ROOT); a version whose artifact URI
    names a file elsewhere fails to deploy. Empty: <data_dir>/artifacts, where the gateway and the
    trainer keep models."""

    triton_backends: list[str] = Field(default_factory=lambda: ["python"])
    """Backends the Triton servers offer, e.g. ["onnxruntime", "python"] for the NGC container, with
    "vllm" for its vLLM image. ONNX models use onnxruntime where offered, else a Python-backend
    model running onnxruntime; Hugging Face chat models need vllm and fail to deploy without it.
    Names Torii does not use are accepted: they say what the Tritons have, not what to do."""

    triton_has_gpus: bool = False
    """Whether the Triton servers have GPUs: GPU instances get KIND_GPU only then."""

    max_batch_size: int = Field(default=64, ge=1)
    """Largest batch Triton forms for a model whose inputs have a dynamic first dimension."""

    dynamic_batching: bool = True
    """Whether Triton batches concurrent requests to a batchable model (off only to compare)."""

    batch_queue_delay_us: int = Field(default=1000, ge=0)
    """How long Triton's dynamic batcher waits to fill a batch (see make bench)."""

    reconcile_interval_s: float = Field(default=2.0, gt=0)
    """Longest time between two passes over every API (schedule edges, a Triton that lost its models)."""

    retire_grace_s: float = Field(default=5.0, ge=0)
    """How long an API's previous model version stays loaded after the new one runs: the
    gateways switch on the watch stream's next event, and requests on the way still find it."""

    model_load_timeout_s: float = Field(default=120.0, gt=0)
    """How long one model load may take before it counts as failed."""

    triton_nice: int = Field(default=0, ge=0, le=19)
    """How much lower than the scheduler's (and the gateway's) the local Triton's CPU priority is
    (TORII_TRITON_NICE, a nice(2) increment), its models' processes included: llama.cpp's
    threads spin, and on a small host the gateway's latency gains from going first."""

    chat_slots: int = Field(default=4, ge=1, le=64)
    """Requests a chat (GGUF) model generates for at once: llama.cpp's parallel slots."""

    chat_threads: int = Field(default_factory=_cores, ge=1, le=1024)
    """llama.cpp's threads per chat model (default: the scheduler's cores; set it for a remote
    Triton). Its threads spin while they wait, so chat models x threads must stay within the
    Triton host's cores (shared/notes/chat-in-triton.md)."""

    chat_context_per_slot: int = Field(default=2048, ge=128, le=1_048_576)
    """Tokens of context each slot holds, prompt and answer together; a longer request is refused."""

    chat_max_queue: int = Field(default=16, ge=0, le=10_000)
    """Chat requests that may wait for a slot; past slots + this many, a request is refused at once."""

    vllm_gpu_memory_utilization: float = Field(default=0.9, gt=0, le=1)
    """Share of each GPU's memory one vLLM chat model (a Hugging Face model) takes for its weights
    and KV cache; lower it to fit several models, or other models, on the same GPU. Its slots and
    context come from chat_slots and chat_context_per_slot, as for llama.cpp."""

    workspace_runner: Literal["none", "podman", "kubernetes"] = "none"
    """What runs Data Forest workspaces (TORII_WORKSPACE_RUNNER): podman on this host (make run's
    choice), Kubernetes Jobs in a cluster, or none (workspaces stay PENDING)."""

    workspace_storage_root: Path | None = None
    """The operator's storage that workspaces' data paths (`hdfs`) name; empty:
    <data_dir>/workspace-storage. With Kubernetes, the folder where the storage claim is mounted."""

    workspace_gpus: dict[str, int] = Field(default_factory=dict)
    """GPUs the runner gives workspaces, by model (JSON, e.g. {"T4": 2}); a GPU workspace waits
    until enough of its model are free."""

    workspace_port_host: str = "127.0.0.1"
    """Host address podman publishes workspaces' exposed TCP ports on."""

    workspace_kubernetes_namespace: str = "torii-workspaces"
    workspace_kubernetes_storage_claim: str = "torii-workspace-storage"
    """PersistentVolumeClaim in that namespace holding the operator's storage."""

    workspace_image_registry: str = ""
    """With Kubernetes: the registry prefix of workspace images (`name:tag` runs as
    <registry>/name:tag); empty: as named."""

    @property
    def workspace_storage(self) -> Path:
        return (self.workspace_storage_root or self.data_dir / "workspace-storage").resolve()

    @property
    def artifacts_dir(self) -> Path:
        return (self.artifact_root or self.data_dir / "artifacts").resolve()
