"""The scheduler's pure decisions: whether an API should be loaded, and its Triton entry."""

from __future__ import annotations

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
