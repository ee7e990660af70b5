"""Tabular models (the trainer's exports) on Triton: placement, repository layout, and the real
tritonserver running tabular_python_model/model.py, reasons and dynamic batching included.

Served answers are compared with TabularPredictor run here on the same ONNX file: the model.py
in Triton runs a copy of that very class, so they agree to float32 rounding whatever rows
Triton's dynamic batcher puts together.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
import sys
import types
from pathlib import Path

import numpy as np
import pytest
import tritonclient.grpc.aio as triton_grpc

from services.runtime.service_auth import triton_headers
from services.scheduler.placement import model_entry
from services.scheduler.settings import SchedulerSettings
from services.scheduler.triton.control import TritonControl
from services.scheduler.triton.local_server import LocalTriton
from services.scheduler.triton.model_config import ModelEntry, TensorConfig, build_config
from services.scheduler.triton.repository import (
    PYTHON_MODEL_SOURCE,
    TABULAR_MODEL_SOURCE,
    TABULAR_PREDICTOR_FILE,
    ModelRepository,
)
from services.tabular import predictor as predictor_module
from services.tabular.predictor import TabularPredictor
from services.tabular.proto_codec import schema_to_proto
from services.tabular.schema import ProblemType
from services.tabular.table import Table
from services.tabular.tensors import input_tensors
from services.trainer.learning.config import TrainingConfig
from services.trainer.learning.pipeline import train_model
from services.trainer.model_version import signature_of
from tests.polling import eventually
from tests.service_token import SERVICE_TOKEN
from tests.trainer.learning.data import MIXED_TYPES, mixed_table
from torii.v1 import apis_pb2, models_pb2

TRITON_HEADERS = triton_headers(SERVICE_TOKEN)

API_ID = "11111111-1111-1111-1111-111111111111"
PROBLEMS = {  # kind: (problem type, positive class, model version id)
    "binary": (ProblemType.BINARY_CLASSIFICATION, "yes", "22222222-2222-2222-2222-222222222222"),
    "multi": (ProblemType.MULTI_CLASSIFICATION, None, "33333333-3333-3333-3333-333333333333"),
    "regression": (ProblemType.REGRESSION, None, "44444444-4444-4444-4444-444444444444"),
}
# Unseen category (Naha), unseen words and script, missing cells, an unparsable number.
STRANGE_ROWS = [
    ("x", "30", "500", "Naha", "2031-05-05", "never seen words here", ""),
    ("x", "", "", "", "", "", ""),
    ("x", "abc", "1,000,000", "tokyo", "1950-02-28 23:00:00", "素晴らしい", ""),
]
# The Tritons of a GPU host: a tabular model must still get our Python model.
SETTINGS = SchedulerSettings(
    triton_backends=["onnxruntime", "python"],
    triton_has_gpus=True,
    max_batch_size=64,
    batch_queue_delay_us=20_000,  # makes batching of concurrent requests certain on a slow machine
    artifact_root=Path("/"),  # models are built in temporary folders and at file:///a.onnx
)


class Trained:
    def __init__(self, kind: str, artifacts: Path) -> None:
        problem_type, positive, version_id = PROBLEMS[kind]
        table = mixed_table(300, seed=3, kind=kind)
        config = TrainingConfig("target", problem_type, positive, cv=1, time_budget_s=0.5, seed=1)
        self.outcome, self.onnx = train_model(Table(table.header, table.rows[:260]), MIXED_TYPES, config)
        self.header = table.header
        self.rows = table.rows[260:] + STRANGE_ROWS
        self.path = artifacts / f"{kind}.onnx"
        self.path.write_bytes(self.onnx)
        self.version = tabular_version(version_id, self.path, self.outcome.schema)
        self.entry = model_entry(api(), self.version, SETTINGS)
        self.predictor = TabularPredictor(self.onnx)
        self.output = self.predictor.output_name

    def tensors(self, rows) -> dict[str, np.ndarray]:
        return input_tensors(self.outcome.schema.columns, self.header, rows)

    def expected(self, rows) -> dict[str, np.ndarray]:
        return self.predictor.predict(self.tensors(rows), contributions=True)


def api(**fields) -> apis_pb2.PublishedApi:
    base = dict(
        api_id=API_ID,
        execution_type=apis_pb2.EXECUTION_TYPE_DEDICATED,
        instance_kind=apis_pb2.INSTANCE_KIND_GPU,
        instance_count=1,
        status=apis_pb2.API_STATUS_BUILDING,
        schedule=apis_pb2.Schedule(always=True),
    )
    base.update(fields)
    return apis_pb2.PublishedApi(**base)


def tabular_version(version_id: str, path: Path, schema) -> models_pb2.ModelVersion:
    return models_pb2.ModelVersion(
        model_version_id=version_id,
        artifact_uri=path.as_uri(),
        signature=signature_of(schema),
        preprocessing=models_pb2.Preprocessing(tabular=schema_to_proto(schema)),
    )


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("tabular")


@pytest.fixture(scope="module")
def trained(workspace) -> dict[str, Trained]:
    artifacts = workspace / "artifacts"
    artifacts.mkdir()
    return {kind: Trained(kind, artifacts) for kind in PROBLEMS}


# --- placement, config and repository ------------------------------------------------------


def test_a_tabular_version_gets_the_tabular_python_model_even_where_onnxruntime_is_offered(trained):
    binary = trained["binary"]
    entry = binary.entry
    assert (entry.backend, entry.python_model, entry.instance_kind) == ("python", "tabular", "KIND_CPU")
    assert entry.max_batch_size == 64 and entry.dynamic_batching
    assert [(t.name, t.data_type, t.dims) for t in entry.inputs] == [
        ("c0", "FP32", (1,)),
        ("c1", "FP32", (1,)),
        ("c2", "STRING", (1,)),
        ("c3", "FP64", (1,)),
        ("c4", "STRING", (1,)),
    ]
    assert [(t.name, t.dims) for t in entry.outputs] == [("probabilities", (2,)), ("contributions", (6,))]
    assert [(t.name, t.dims) for t in trained["regression"].entry.outputs] == [
        ("prediction", (1,)),
        ("contributions", (6,)),
    ]
    config = build_config(entry)
    assert config.backend == "python" and not config.platform

    # The same settings for any other model: onnxruntime on the GPU, as before.
    other = models_pb2.ModelVersion(
        model_version_id="22222222-2222-2222-2222-222222222222",
        artifact_uri="file:///a.onnx",
        signature=models_pb2.Signature(
            inputs=[models_pb2.TensorSpec(name="x", data_type=models_pb2.DATA_TYPE_FP32, shape=[-1, 4])],
            outputs=[models_pb2.TensorSpec(name="y", data_type=models_pb2.DATA_TYPE_FP32, shape=[-1, 4])],
        ),
    )
    plain = model_entry(api(), other, SETTINGS)
    assert (plain.backend, plain.python_model, plain.instance_kind) == ("onnxruntime", "onnx", "KIND_GPU")
    assert model_entry(api(), other, SchedulerSettings(artifact_root=Path("/"))).python_model == "onnx"


def test_the_tabular_model_needs_the_python_backend():
    fields = dict(
        name="m",
        artifact_path=Path("/a.onnx"),
        inputs=(TensorConfig("x", "FP32", (1,)),),
        outputs=(TensorConfig("y", "FP32", (1,)),),
        max_batch_size=8,
    )
    with pytest.raises(ValueError, match="python backend"):
        build_config(ModelEntry(backend="onnxruntime", python_model="tabular", **fields))
    with pytest.raises(ValueError, match="Python-backend model"):
        build_config(ModelEntry(backend="python", python_model="sklearn", **fields))


def test_the_repository_writes_model_py_the_predictor_and_the_onnx_file(trained, tmp_path):
    binary = trained["binary"]
    repo = ModelRepository(tmp_path / "repo")
    repo.write(binary.entry)
    model = tmp_path / "repo" / binary.entry.name
    assert sorted(p.relative_to(model).as_posix() for p in model.rglob("*")) == [
        "1",
        "1/model.onnx",
        "1/model.py",
        f"1/{TABULAR_PREDICTOR_FILE}",
        "config.pbtxt",
    ]
    assert (model / "1" / "model.py").read_bytes() == TABULAR_MODEL_SOURCE.read_bytes()
    assert (model / "1" / TABULAR_PREDICTOR_FILE).read_bytes() == Path(predictor_module.__file__).read_bytes()
    assert (model / "1" / "model.onnx").read_bytes() == binary.onnx
    assert 'backend: "python"' in (model / "config.pbtxt").read_text()

    # Rewritten as a plain Python-backend ONNX model, the predictor copy goes with the old folder.
    repo.write(dataclasses.replace(binary.entry, python_model="onnx"))
    assert sorted(p.name for p in (model / "1").iterdir()) == ["model.onnx", "model.py"]
    assert (model / "1" / "model.py").read_bytes() == PYTHON_MODEL_SOURCE.read_bytes()


# --- model.py in this process, with a stand-in for Triton's backend utils --------------------


class _FakeTensor:
    def __init__(self, name, array):
        self._name, self._array = name, array

    def name(self):
        return self._name

    def as_numpy(self):
        return self._array


class _FakeRequest:
    def __init__(self, inputs: dict[str, np.ndarray], outputs=()):
        self.inputs, self.outputs = inputs, list(outputs)

    def requested_output_names(self):
        return self.outputs


class _FakeResponse:
    def __init__(self, output_tensors, error=None):
        self.outputs = {tensor.name(): tensor.as_numpy() for tensor in output_tensors}
        self.error = error


def _fake_backend_utils() -> types.ModuleType:
    module = types.ModuleType("triton_python_backend_utils")
    module.Tensor = _FakeTensor
    module.InferenceResponse = _FakeResponse
    module.TritonError = str
    module.get_input_tensor_by_name = lambda request, name: (
        _FakeTensor(name, request.inputs[name]) if name in request.inputs else None
    )
    module.triton_string_to_numpy = lambda name: {"TYPE_FP32": np.float32}[name]
    return module


@pytest.fixture
def local_model(trained, tmp_path, monkeypatch):
    """The binary model's model.py, initialised from a repository folder, run in this process."""
    binary = trained["binary"]
    ModelRepository(tmp_path).write(binary.entry)
    monkeypatch.setitem(sys.modules, "triton_python_backend_utils", _fake_backend_utils())
    monkeypatch.delitem(sys.modules, "tabular_predictor", raising=False)
    spec = importlib.util.spec_from_file_location("tabular_model_under_test", TABULAR_MODEL_SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.TritonPythonModel()
    config = build_config(binary.entry)
    model.initialize(
        {
            "model_config": _config_json(config),
            "model_repository": str(tmp_path / binary.entry.name),
            "model_version": "1",
        }
    )
    yield model
    model.finalize()


def _config_json(config) -> str:
    from google.protobuf import json_format

    return json_format.MessageToJson(config, preserving_proto_field_name=True)


def _as_triton(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """What Triton hands model.py: STRING tensors as object arrays of UTF-8 bytes."""
    return {
        name: np.array([v.encode() for v in a.ravel()], dtype=object).reshape(a.shape) if a.dtype == object else a
        for name, a in tensors.items()
    }


def test_model_py_splits_one_run_per_request_and_fails_requests_alone(trained, local_model, monkeypatch):
    binary = trained["binary"]
    rows = binary.rows[:6]
    expected = binary.expected(rows)
    one = _as_triton(binary.tensors(rows[0:1]))
    two = _as_triton(binary.tensors(rows[1:3]))
    three = _as_triton(binary.tensors(rows[3:6]))
    missing = {name: array for name, array in one.items() if name != "c2"}
    ragged = {**one, "c0": np.zeros((2, 1), dtype=np.float32)}
    runs = []
    # Nothing public tells how many predictor runs one execute() made: spy on the class of the copy
    # that model.py loaded (as `tabular_predictor`, the file Triton gets), not on model.py's instance.
    predictor_class = sys.modules["tabular_predictor"].TabularPredictor
    real_predict = predictor_class.predict
    monkeypatch.setattr(
        predictor_class,
        "predict",
        lambda predictor, inputs, contributions: (
            runs.append((len(inputs["c0"]), contributions))
            or real_predict(predictor, inputs, contributions=contributions)
        ),
    )

    responses = local_model.execute(
        [
            _FakeRequest(one, ["probabilities"]),
            _FakeRequest(missing),
            _FakeRequest(two, ["contributions"]),
            _FakeRequest(ragged),
            _FakeRequest(three),  # none named: Triton names them all; model.py answers all too
        ]
    )
    assert runs == [(6, True)]  # one run for the three readable requests, with the reasons
    assert set(responses[0].outputs) == {"probabilities"} and responses[0].error is None
    np.testing.assert_allclose(responses[0].outputs["probabilities"], expected["probabilities"][0:1], atol=1e-6)
    assert "'c2' is missing" in responses[1].error and responses[1].outputs == {}
    assert set(responses[2].outputs) == {"contributions"}
    np.testing.assert_allclose(responses[2].outputs["contributions"], expected["contributions"][1:3], atol=1e-6)
    assert "rows" in responses[3].error
    assert set(responses[4].outputs) == {"probabilities", "contributions"}
    np.testing.assert_allclose(responses[4].outputs["contributions"], expected["contributions"][3:6], atol=1e-6)
    assert all(r.dtype == np.float32 for response in responses for r in response.outputs.values())

    runs.clear()
    assert [set(r.outputs) for r in local_model.execute([_FakeRequest(one, ["probabilities"])])] == [{"probabilities"}]
    assert runs == [(1, False)]  # nobody asked for the reasons: no LightGBM pass

    # A joined run that fails is retried request by request: only the culprit fails.
    def fussy(predictor, inputs, contributions):
        if any(value in ("boom", b"boom") for value in inputs["c2"].ravel()):  # bytes: decoded by the predictor
            raise RuntimeError("boom in c2")
        return real_predict(predictor, inputs, contributions=contributions)

    monkeypatch.setattr(predictor_class, "predict", fussy)
    bad = {**one, "c2": np.array([[b"boom"]], dtype=object)}
    responses = local_model.execute([_FakeRequest(one), _FakeRequest(bad), _FakeRequest(two)])
    assert [r.error for r in responses] == [None, "RuntimeError: boom in c2", None]
    np.testing.assert_allclose(responses[2].outputs["probabilities"], expected["probabilities"][1:3], atol=1e-6)


# --- the real Triton ------------------------------------------------------------------------


@pytest.fixture(scope="module")
async def triton(workspace, trained):
    repo = ModelRepository(workspace / "repo")
    for model in trained.values():
        repo.write(model.entry)
    server = LocalTriton(workspace / "repo", workspace / "work", service_token=SERVICE_TOKEN)
    await server.start()
    control = TritonControl(server.grpc_address, TRITON_HEADERS)
    client = triton_grpc.InferenceServerClient(server.grpc_address)
    try:
        await asyncio.gather(*(control.load(model.entry.name) for model in trained.values()))
        yield control, client
    finally:
        await client.close()
        await control.close()
        await server.stop()


async def infer(client, model: Trained, rows, outputs=None) -> triton_grpc.InferResult:
    inputs = []
    for name, array in _as_triton(model.tensors(rows)).items():
        kind = {np.dtype(np.float32): "FP32", np.dtype(np.float64): "FP64"}.get(array.dtype, "BYTES")
        tensor = triton_grpc.InferInput(name, list(array.shape), kind)
        tensor.set_data_from_numpy(array)
        inputs.append(tensor)
    requested = None if outputs is None else [triton_grpc.InferRequestedOutput(name) for name in outputs]
    return await client.infer(model.entry.name, inputs, outputs=requested, client_timeout=20, headers=TRITON_HEADERS)


async def statistics_since(control, name: str, before, rows: int) -> tuple[int, int]:
    """(inferences, executions) since `before`; Triton may count a batch just after answering it."""

    async def counted() -> tuple[int, int]:
        inferences, executions = (a - b for a, b in zip(await control.inference_statistics(name), before))
        return inferences, executions

    return await eventually(
        counted, lambda counts: counts[0] >= rows, timeout_s=5, interval_s=0.02, what=f"{rows} inferences counted"
    )


@pytest.mark.parametrize("kind", ["binary", "multi", "regression"])
async def test_concurrent_requests_are_batched_and_answer_like_the_predictor(triton, trained, kind):
    control, client = triton
    model = trained[kind]
    answer = model.output
    expected = model.expected(model.rows)
    # Requests of 1 to 3 rows; each asks for its answer, its reasons, both, or names nothing.
    slices, start = [], 0
    while start < len(model.rows):
        slices.append(slice(start, min(start + 1 + len(slices) % 3, len(model.rows))))
        start = slices[-1].stop
    choices = [None, [answer], [answer, "contributions"], ["contributions"]]
    wanted = [choices[i % len(choices)] for i in range(len(slices))]

    before = await control.inference_statistics(model.entry.name)
    results = await asyncio.gather(*(infer(client, model, model.rows[s], w) for s, w in zip(slices, wanted)))
    inferences, executions = await statistics_since(control, model.entry.name, before, len(model.rows))
    assert inferences == len(model.rows)
    assert executions < len(slices)  # the dynamic batcher merged requests into shared executions

    for s, asked, result in zip(slices, wanted, results):
        names = {answer, "contributions"} if asked is None else set(asked)
        got = {name: result.as_numpy(name) for name in (answer, "contributions")}
        assert {name for name, array in got.items() if array is not None} == names
        for name in names:
            assert got[name].dtype == np.float32
            np.testing.assert_allclose(got[name], expected[name][s], rtol=1e-5, atol=1e-5)


async def test_an_unseen_category_and_missing_cells(triton, trained):
    _, client = triton
    model = trained["binary"]
    for row in STRANGE_ROWS:
        result = await infer(client, model, [row])
        expected = model.expected([row])
        np.testing.assert_allclose(result.as_numpy("probabilities"), expected["probabilities"], atol=1e-5)
        np.testing.assert_allclose(result.as_numpy("contributions"), expected["contributions"], atol=1e-5)
        assert np.isfinite(result.as_numpy("contributions")).all()
