"""The scheduler's pure decisions: whether an API should be loaded, and its Triton entry."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.scheduler.placement import Want, artifact_path, model_entry, wanted
from services.scheduler.settings import SchedulerSettings
from torii.v1 import apis_pb2, models_pb2

THURSDAY_NOON = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def api(**fields) -> apis_pb2.PublishedApi:
    base = dict(
        api_id="11111111-1111-1111-1111-111111111111",
        model_version_id="22222222-2222-2222-2222-222222222222",
        execution_type=apis_pb2.EXECUTION_TYPE_SERVERLESS,
        instance_kind=apis_pb2.INSTANCE_KIND_CPU,
        instance_count=1,
        status=apis_pb2.API_STATUS_BUILDING,
        schedule=apis_pb2.Schedule(always=True),
    )
    base.update(fields)
    return apis_pb2.PublishedApi(**base)


def version(shape=(-1, 4)) -> models_pb2.ModelVersion:
    spec = models_pb2.TensorSpec(name="x", data_type=models_pb2.DATA_TYPE_FP32, shape=list(shape))
    out = models_pb2.TensorSpec(name="y", data_type=models_pb2.DATA_TYPE_INT64, shape=[shape[0]])
    return models_pb2.ModelVersion(
        model_version_id="22222222-2222-2222-2222-222222222222",
        artifact_uri="file:///data/artifacts/models/a%20b.onnx",
        signature=models_pb2.Signature(inputs=[spec], outputs=[out]),
    )


@pytest.mark.parametrize(
    ("fields", "want"),
    [
        ({}, Want.SERVE),
        ({"status": apis_pb2.API_STATUS_STOPPED}, Want.STOPPED),
        ({"status": apis_pb2.API_STATUS_FAILED}, Want.SERVE),
        (
            {"schedule": apis_pb2.Schedule(start_time="09:00", end_time="17:00", weekdays=[apis_pb2.WEEKDAY_THURSDAY])},
            Want.SERVE,
        ),
        (
            {"schedule": apis_pb2.Schedule(start_time="13:00", end_time="17:00", weekdays=[apis_pb2.WEEKDAY_THURSDAY])},
            Want.OUTSIDE_SCHEDULE,
        ),
        (
            {"schedule": apis_pb2.Schedule(start_time="09:00", end_time="17:00", weekdays=[apis_pb2.WEEKDAY_FRIDAY])},
            Want.OUTSIDE_SCHEDULE,
        ),
    ],
)
def test_wanted(fields, want):
    assert wanted(api(**fields), THURSDAY_NOON) is want


def test_a_batchable_model_gets_dynamic_batching_and_dims_without_the_batch():
    entry = model_entry(
        api(), version(), SchedulerSettings(max_batch_size=32, batch_queue_delay_us=700, data_dir=Path("/data"))
    )
    assert entry.max_batch_size == 32 and entry.dynamic_batching and entry.max_queue_delay_us == 700
    assert [(t.name, t.data_type, t.dims) for t in entry.inputs] == [("x", "FP32", (4,))]
    assert [(t.name, t.data_type, t.dims) for t in entry.outputs] == [("y", "INT64", ())]
    assert entry.name == "api_11111111-1111-1111-1111-111111111111__22222222-2222-2222-2222-222222222222"
    assert entry.artifact_path == Path("/data/artifacts/models/a b.onnx")


def test_a_fixed_shape_model_is_served_unbatched():
    entry = model_entry(api(), version(shape=(1, 4)), SchedulerSettings(data_dir=Path("/data")))
    assert entry.max_batch_size == 0 and entry.inputs[0].dims == (1, 4)


def test_backend_and_instances_follow_what_triton_offers():
    dedicated_gpu = api(
        execution_type=apis_pb2.EXECUTION_TYPE_DEDICATED, instance_kind=apis_pb2.INSTANCE_KIND_GPU, instance_count=3
    )
    on_cpu_host = model_entry(dedicated_gpu, version(), SchedulerSettings(data_dir=Path("/data")))
    assert (on_cpu_host.backend, on_cpu_host.instance_kind, on_cpu_host.instance_count) == ("python", "KIND_CPU", 3)
    on_gpu_host = model_entry(
        dedicated_gpu,
        version(),
        SchedulerSettings(triton_backends=["onnxruntime", "python"], triton_has_gpus=True, data_dir=Path("/data")),
    )
    assert (on_gpu_host.backend, on_gpu_host.instance_kind) == ("onnxruntime", "KIND_GPU")


def test_artifacts_must_be_files():
    with pytest.raises(ValueError, match="file://"):
        artifact_path("s3://bucket/model.onnx", Path("/data/artifacts"))


@pytest.mark.parametrize(
    "uri",
    [
        "file:///etc/shadow",
        "file:///data/artifacts/../secrets/key",
        "file:///data/artifacts",
        "file:///data/artifacts-other/model.onnx",
        "/data/artifacts/models/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
    ],
)
def test_artifacts_outside_the_store_are_refused(uri):
    with pytest.raises(ValueError, match="not in the artifact store"):
        artifact_path(uri, Path("/data/artifacts"))


def test_a_symlink_out_of_the_store_is_refused(tmp_path):
    store = tmp_path / "artifacts"
    (store / "models").mkdir(parents=True)
    (store / "models" / "model.onnx").symlink_to("/etc/hostname")
    with pytest.raises(ValueError, match="not in the artifact store"):
        artifact_path((store / "models" / "model.onnx").as_uri(), store.resolve())


def gguf_version() -> models_pb2.ModelVersion:
    return models_pb2.ModelVersion(
        model_version_id="22222222-2222-2222-2222-222222222222",
        format=models_pb2.MODEL_FORMAT_GGUF,
        artifact_uri="file:///data/artifacts/models/chat.gguf",
        signature=version().signature,  # stored or not, the chat engine's tensors are fixed
    )


def test_a_gguf_version_is_served_by_the_chat_model():
    settings = SchedulerSettings(
        data_dir=Path("/data"), chat_slots=3, chat_threads=5, chat_context_per_slot=1024, chat_max_queue=7
    )
    entry = model_entry(api(), gguf_version(), settings)
    assert entry.name == "api_11111111-1111-1111-1111-111111111111__22222222-2222-2222-2222-222222222222"
    assert entry.artifact_path == Path("/data/artifacts/models/chat.gguf")
    assert (entry.backend, entry.python_model, entry.decoupled) == ("python", "chat", True)
    assert (entry.max_batch_size, entry.dynamic_batching) == (0, False)
    assert (entry.instance_kind, entry.instance_count) == ("KIND_CPU", 1)
    assert [(t.name, t.data_type, t.dims) for t in entry.inputs] == [("request_json", "STRING", (1,))]
    assert [(t.name, t.data_type, t.dims) for t in entry.outputs] == [
        ("text", "STRING", (1,)),
        ("finish_reason", "STRING", (1,)),
        ("prompt_tokens", "INT32", (1,)),
        ("completion_tokens", "INT32", (1,)),
    ]
    assert dict(entry.parameters) == {"slots": "3", "threads": "5", "context_per_slot": "1024", "max_queue": "7"}


def test_a_chat_model_keeps_one_cpu_instance_whatever_the_api_asks():
    dedicated_gpu = api(
        execution_type=apis_pb2.EXECUTION_TYPE_DEDICATED, instance_kind=apis_pb2.INSTANCE_KIND_GPU, instance_count=3
    )
    gpu_host = SchedulerSettings(
        triton_backends=["onnxruntime", "python"], triton_has_gpus=True, data_dir=Path("/data")
    )
    entry = model_entry(dedicated_gpu, gguf_version(), gpu_host)
    assert (entry.backend, entry.instance_kind, entry.instance_count) == ("python", "KIND_CPU", 1)
    with pytest.raises(ValueError, match="not in the artifact store"):
        model_entry(
            api(), models_pb2.ModelVersion(format=models_pb2.MODEL_FORMAT_GGUF, artifact_uri="file:///etc/x"), gpu_host
        )


@pytest.mark.parametrize("model_format", [models_pb2.MODEL_FORMAT_UNSPECIFIED, models_pb2.MODEL_FORMAT_ONNX])
def test_onnx_versions_are_placed_as_before(model_format):
    onnx = version()
    onnx.format = model_format
    entry = model_entry(api(), onnx, SchedulerSettings(data_dir=Path("/data")))
    assert (entry.python_model, entry.decoupled, entry.parameters) == ("onnx", False, ())
    assert entry.artifact_file == "model.onnx" and entry.max_batch_size == 64 and entry.dynamic_batching


def test_chat_settings_defaults_and_bounds(monkeypatch):
    settings = SchedulerSettings()
    assert (settings.chat_slots, settings.chat_context_per_slot, settings.chat_max_queue) == (4, 2048, 16)
    assert settings.chat_threads == len(os.sched_getaffinity(0))
    monkeypatch.setenv("TORII_CHAT_THREADS", "3")
    assert SchedulerSettings().chat_threads == 3
    for field, value in [("chat_slots", 0), ("chat_threads", 0), ("chat_context_per_slot", 16), ("chat_max_queue", -1)]:
        with pytest.raises(ValueError):
            SchedulerSettings(**{field: value})
