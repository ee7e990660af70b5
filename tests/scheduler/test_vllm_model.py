"""Hugging Face chat models on Triton's vLLM backend: the entry placement makes, the files the
repository writes for it (config.pbtxt parsed back with Triton's own protobuf, model.json read
as text), and the FAILED status an API gets where no Triton offers vllm. No GPU is needed: the
files are the contract with the vLLM backend."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from pathlib import Path

import pytest
from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2 as mc

from services.scheduler.placement import hf_model_id, model_entry
from services.scheduler.reconciler import Reconciler
from services.scheduler.settings import SchedulerSettings
from services.scheduler.triton.model_config import ModelEntry, TensorConfig, render_config, render_engine_args
from services.scheduler.triton.repository import ModelRepository
from tests.polling import eventually
from torii.v1 import apis_pb2, models_pb2, registry_service_pb2

API_ID = "11111111-1111-1111-1111-111111111111"
VERSION_ID = "33333333-3333-3333-3333-333333333333"
TRITON_NAME = f"api_{API_ID}__{VERSION_ID}"


def api(**fields) -> apis_pb2.PublishedApi:
    base = dict(
        api_id=API_ID,
        model_version_id=VERSION_ID,
        execution_type=apis_pb2.EXECUTION_TYPE_SERVERLESS,
        instance_kind=apis_pb2.INSTANCE_KIND_GPU,
        instance_count=1,
        status=apis_pb2.API_STATUS_BUILDING,
        schedule=apis_pb2.Schedule(always=True),
    )
    base.update(fields)
    return apis_pb2.PublishedApi(**base)


def hf_version(uri: str = "hf://Qwen/Qwen2.5-0.5B-Instruct") -> models_pb2.ModelVersion:
    return models_pb2.ModelVersion(
        model_version_id=VERSION_ID,
        format=models_pb2.MODEL_FORMAT_HF_MODEL,
        artifact_uri=uri,
        preprocessing=models_pb2.Preprocessing(
            chat_template=models_pb2.ChatTemplate(template="{{ messages }}", eos_token="<|im_end|>")
        ),
    )


def gpu_settings(**fields) -> SchedulerSettings:
    base: dict = dict(
        triton_backends=["onnxruntime", "python", "vllm"],
        triton_has_gpus=True,
        data_dir=Path("/data"),
        chat_slots=6,
        chat_context_per_slot=4096,
        vllm_gpu_memory_utilization=0.55,
    )
    base.update(fields)
    return SchedulerSettings(**base)


def parse(text: str) -> mc.ModelConfig:
    return text_format.Parse(text, mc.ModelConfig())


def test_the_repository_gets_the_vllm_backend_folder(tmp_path):
    repo = ModelRepository(tmp_path / "repo")
    repo.write(model_entry(api(), hf_version(), gpu_settings()))
    model = tmp_path / "repo" / TRITON_NAME
    # Nothing to place and no model.py: the backend brings its own, vLLM fetches the weights.
    assert sorted(p.relative_to(model).as_posix() for p in model.rglob("*")) == ["1", "1/model.json", "config.pbtxt"]

    config = parse((model / "config.pbtxt").read_text())
    assert (config.name, config.backend, config.platform, config.max_batch_size) == (TRITON_NAME, "vllm", "", 0)
    assert config.model_transaction_policy.decoupled
    assert not config.HasField("dynamic_batching") and not config.parameters
    assert [(g.count, g.kind) for g in config.instance_group] == [(1, mc.ModelInstanceGroup.KIND_MODEL)]
    assert [(t.name, t.data_type, list(t.dims), t.optional) for t in config.input] == [
        ("text_input", mc.TYPE_STRING, [1], False),
        ("stream", mc.TYPE_BOOL, [1], False),
        ("sampling_parameters", mc.TYPE_STRING, [1], True),
        ("exclude_input_in_output", mc.TYPE_BOOL, [1], True),
        ("return_finish_reason", mc.TYPE_BOOL, [1], True),
        ("return_num_input_tokens", mc.TYPE_BOOL, [1], True),
        ("return_num_output_tokens", mc.TYPE_BOOL, [1], True),
    ]
    assert [(t.name, t.data_type, list(t.dims)) for t in config.output] == [
        ("text_output", mc.TYPE_STRING, [-1]),
        ("finish_reason", mc.TYPE_STRING, [-1]),
        ("num_input_tokens", mc.TYPE_UINT32, [1]),
        ("num_output_tokens", mc.TYPE_UINT32, [-1]),
    ]
    assert not any(t.HasField("reshape") for t in (*config.input, *config.output))

    # Sorted keys, the settings' values, and nothing else: the exact bytes vLLM's backend reads.
    assert (model / "1" / "model.json").read_text() == (
        '{"gpu_memory_utilization": 0.55, "max_model_len": 4096, "max_num_seqs": 6,'
        ' "model": "Qwen/Qwen2.5-0.5B-Instruct"}'
    )


def test_optional_is_written_only_where_asked():
    text = render_config(model_entry(api(), hf_version(), gpu_settings()))
    assert text.count("optional: true") == 5
    plain = parse(render_config(onnx_entry()))
    assert not plain.input[0].optional


def test_the_model_json_follows_the_settings_and_the_uri(tmp_path):
    settings = gpu_settings(chat_slots=1, chat_context_per_slot=128, vllm_gpu_memory_utilization=1)
    entry = model_entry(api(), hf_version("hf://HuggingFaceTB/SmolLM2-135M-Instruct"), settings)
    assert json.loads(render_engine_args(entry)) == {
        "model": "HuggingFaceTB/SmolLM2-135M-Instruct",
        "gpu_memory_utilization": 1,
        "max_num_seqs": 1,
        "max_model_len": 128,
    }
    repo = ModelRepository(tmp_path / "repo")
    repo.write(entry)
    written = json.loads((tmp_path / "repo" / TRITON_NAME / "1" / "model.json").read_text())
    assert written["model"] == "HuggingFaceTB/SmolLM2-135M-Instruct" and written["max_num_seqs"] == 1


def test_one_model_instance_whatever_the_api_asks():
    dedicated = api(execution_type=apis_pb2.EXECUTION_TYPE_DEDICATED, instance_count=4)
    for settings in (gpu_settings(), gpu_settings(triton_has_gpus=False, triton_backends=["vllm"])):
        entry = model_entry(dedicated, hf_version(), settings)
        assert (entry.backend, entry.instance_kind, entry.instance_count) == ("vllm", "KIND_MODEL", 1)
        assert (entry.artifact_path, entry.artifact_file, entry.max_batch_size, entry.decoupled) == (
            None,
            None,
            0,
            True,
        )


@pytest.mark.parametrize(
    ("backends", "offered"),
    [(["python"], "python"), (["onnxruntime", "python"], "onnxruntime, python"), ([], "nothing")],
)
def test_without_the_vllm_backend_a_hugging_face_model_is_refused_with_the_reason(backends, offered):
    with pytest.raises(ValueError) as refused:
        model_entry(api(), hf_version(), gpu_settings(triton_backends=backends))
    assert str(refused.value) == (
        "a Hugging Face chat model needs a Triton with the vllm backend (TORII_TRITON_BACKENDS); "
        f"this one offers: {offered}"
    )


@pytest.mark.parametrize(
    "uri",
    [
        "hf:///etc/passwd",  # vLLM would read a local folder
        "hf://../secrets/model",
        "hf://Qwen",  # no org
        "hf://Qwen/Qwen2.5/extra",
        "hf://Qwen/",
        "hf://Qwen/Qwen2.5-0.5B-Instruct\n",
        "file:///data/artifacts/models/chat.gguf",
        "Qwen/Qwen2.5-0.5B-Instruct",
        "",
    ],
)
def test_only_hf_org_name_uris_are_served(uri):
    with pytest.raises(ValueError, match="hf://<org>/<name>"):
        model_entry(api(), hf_version(uri), gpu_settings())


def test_hf_model_id():
    assert hf_model_id("hf://meta-llama/Llama-3.2-1B-Instruct") == "meta-llama/Llama-3.2-1B-Instruct"
    assert hf_model_id("hf://a_b/c.d-e") == "a_b/c.d-e"


def test_other_formats_are_placed_as_before_on_a_vllm_triton():
    settings = gpu_settings()
    gguf = models_pb2.ModelVersion(
        model_version_id=VERSION_ID,
        format=models_pb2.MODEL_FORMAT_GGUF,
        artifact_uri="file:///data/artifacts/models/chat.gguf",
    )
    chat = model_entry(api(), gguf, settings)
    assert (chat.backend, chat.python_model, chat.instance_kind, chat.engine_args) == ("python", "chat", "KIND_CPU", ())
    assert chat.artifact_path == Path("/data/artifacts/models/chat.gguf") and chat.artifact_file == "model.gguf"
    spec = models_pb2.TensorSpec(name="x", data_type=models_pb2.DATA_TYPE_FP32, shape=[-1, 4])
    onnx = models_pb2.ModelVersion(
        model_version_id=VERSION_ID,
        format=models_pb2.MODEL_FORMAT_ONNX,
        artifact_uri="file:///data/artifacts/models/m.onnx",
        signature=models_pb2.Signature(inputs=[spec], outputs=[spec]),
    )
    plain = model_entry(api(), onnx, settings)
    assert (plain.backend, plain.instance_kind, plain.engine_args) == ("onnxruntime", "KIND_GPU", ())
    assert plain.artifact_file == "model.onnx"


def vllm_entry(**overrides) -> ModelEntry:
    return dataclasses.replace(model_entry(api(), hf_version(), gpu_settings()), **overrides)


def onnx_entry(**overrides) -> ModelEntry:
    values: dict = dict(
        name="m",
        artifact_path=Path("/nowhere/model.onnx"),
        inputs=(TensorConfig("x", "FP32", (4,)),),
        outputs=(TensorConfig("y", "FP32", (4,)),),
        max_batch_size=8,
        backend="python",
    )
    values.update(overrides)
    return ModelEntry(**values)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"artifact_path": Path("/nowhere/model.bin")}, "has no artifact"),
        ({"decoupled": False}, "needs the decoupled"),
        ({"max_batch_size": 8}, "takes no Triton batches"),
        ({"dynamic_batching": True}, "takes no Triton batches"),
        ({"instance_kind": "KIND_GPU"}, "one KIND_MODEL instance"),
        ({"instance_count": 2}, "one KIND_MODEL instance"),
        ({"engine_args": (("max_num_seqs", 4),)}, "name the model"),
        ({"engine_args": (("model", ""),)}, "name the model"),
        ({"engine_args": (("model", "a/b"), ("model", "c/d"))}, "distinct"),
        ({"engine_args": (("model", "a/b"), ("", 1))}, "non-empty"),
        ({"outputs": (TensorConfig("text_output", "STRING", (-1,), optional=True),)}, "only inputs"),
    ],
)
def test_refuses_a_vllm_entry_the_backend_could_not_run(overrides, reason):
    with pytest.raises(ValueError, match=reason):
        render_config(vllm_entry(**overrides))
    with pytest.raises(ValueError, match=reason):
        render_engine_args(vllm_entry(**overrides))


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"artifact_path": None}, "needs its model file"),
        ({"backend": "onnxruntime", "artifact_path": None}, "needs its model file"),
        ({"engine_args": (("model", "a/b"),)}, "only a vllm entry"),
    ],
)
def test_other_backends_need_their_file_and_take_no_engine_arguments(overrides, reason):
    with pytest.raises(ValueError, match=reason):
        render_config(onnx_entry(**overrides))


def test_only_a_vllm_entry_has_a_model_json(tmp_path):
    with pytest.raises(ValueError, match="only a vllm entry has engine arguments"):
        render_engine_args(onnx_entry())
    with pytest.raises(ValueError):
        render_engine_args(vllm_entry(engine_args=(("model", "a/b"), ("gpu_memory_utilization", float("nan")))))
    # A refused entry leaves nothing behind in the repository.
    repo = ModelRepository(tmp_path / "repo")
    with pytest.raises(ValueError):
        repo.write(vllm_entry(instance_kind="KIND_GPU"))
    assert list((tmp_path / "repo").iterdir()) == []


def test_gpu_memory_utilization_setting(monkeypatch):
    assert SchedulerSettings().vllm_gpu_memory_utilization == 0.9
    assert SchedulerSettings(vllm_gpu_memory_utilization=1).vllm_gpu_memory_utilization == 1
    for value in (0, -0.1, 1.01):
        with pytest.raises(ValueError):
            SchedulerSettings(vllm_gpu_memory_utilization=value)
    monkeypatch.setenv("TORII_VLLM_GPU_MEMORY_UTILIZATION", "0.3")
    monkeypatch.setenv("TORII_TRITON_BACKENDS", '["python", "vllm"]')
    settings = SchedulerSettings()
    assert settings.vllm_gpu_memory_utilization == 0.3 and settings.triton_backends == ["python", "vllm"]


class FakeRegistry:
    """WatchApis, which gives the reconciler its one API, and GetModelVersion and ReportDeployment,
    the two calls a reconcile pass makes."""

    def __init__(self, version: models_pb2.ModelVersion, published: apis_pb2.PublishedApi) -> None:
        self.version = version
        self.published = published
        self.reports: list[tuple[int, str]] = []

    async def WatchApis(self, request):
        yield registry_service_pb2.WatchApisResponse(
            type=registry_service_pb2.WATCH_EVENT_TYPE_UPSERTED, api_id=self.published.api_id, api=self.published
        )
        yield registry_service_pb2.WatchApisResponse(type=registry_service_pb2.WATCH_EVENT_TYPE_SYNCED)
        await asyncio.Event().wait()  # an open stream with nothing more to say

    async def GetModelVersion(self, request):
        assert request.model_version_id == self.version.model_version_id
        return registry_service_pb2.GetModelVersionResponse(model_version=self.version)

    async def ReportDeployment(self, request):
        self.reports.append((request.status, request.status_message))
        return registry_service_pb2.ReportDeploymentResponse()


class FakeTriton:
    """Holds the reconciler's second pass at its first call, so that the first pass's effects are all
    there is to see: the second pass beginning is the sign that the first is over."""

    address = "127.0.0.1:1"

    def __init__(self) -> None:
        self.loaded: set[str] = set()
        self.passes = 0

    async def loaded_models(self) -> set[str]:
        self.passes += 1
        if self.passes > 1:
            await asyncio.Event().wait()
        return set(self.loaded)

    async def load(self, name: str, timeout_s: float = 300.0) -> None:
        self.loaded.add(name)

    async def unload(self, name: str, timeout_s: float = 60.0) -> None:
        self.loaded.discard(name)


async def reconcile(
    tmp_path: Path, settings: SchedulerSettings, published: apis_pb2.PublishedApi | None = None
) -> tuple[FakeRegistry, FakeTriton]:
    """One reconcile pass over the API `published`, seen through the fakes."""
    registry, triton = FakeRegistry(hf_version(), published or api()), FakeTriton()
    reconciler = Reconciler(registry, [triton], ModelRepository(tmp_path / "repo"), settings)
    reconciler.start()
    try:
        await eventually(lambda: triton.passes, lambda passes: passes >= 1, what="the first pass")
        reconciler.wake()
        await eventually(lambda: triton.passes, lambda passes: passes == 2, what="the first pass to end")
    finally:
        await reconciler.stop()
    return registry, triton


async def test_the_reconciler_reports_the_api_failed_where_vllm_is_not_offered(tmp_path):
    registry, triton = await reconcile(tmp_path, gpu_settings(triton_backends=["onnxruntime", "python"]))
    assert registry.reports == [
        (
            apis_pb2.API_STATUS_FAILED,
            "cannot deploy model version: a Hugging Face chat model needs a Triton with the vllm backend"
            " (TORII_TRITON_BACKENDS); this one offers: onnxruntime, python",
        )
    ]
    assert triton.loaded == set() and list((tmp_path / "repo").iterdir()) == []


async def test_a_failure_already_reported_is_not_reported_again(tmp_path):
    settings = gpu_settings(triton_backends=["python"])
    first, _ = await reconcile(tmp_path / "first", settings)
    ((status, message),) = first.reports
    failed = api()
    failed.status, failed.status_message = status, message
    again, _ = await reconcile(tmp_path / "again", settings, failed)
    assert again.reports == []


async def test_the_reconciler_loads_the_vllm_folder_where_vllm_is_offered(tmp_path):
    registry, triton = await reconcile(tmp_path, gpu_settings())
    assert registry.reports == [(apis_pb2.API_STATUS_RUNNING, "")]
    assert triton.loaded == {TRITON_NAME}
    assert json.loads((tmp_path / "repo" / TRITON_NAME / "1" / "model.json").read_text())["model"] == (
        "Qwen/Qwen2.5-0.5B-Instruct"
    )
