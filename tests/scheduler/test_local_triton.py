"""The real tritonserver from the nvidia-pytriton wheel, with our Python-backend ONNX model.

One server serves the whole module (it starts in about a second, each model loads in about
0.2 s); tests that kill a server start their own. Outputs are checked by value: with numpy 2
in the stub's environment Triton answers "successfully" with empty tensors.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import tritonclient.grpc.aio as triton_grpc
from tritonclient.utils import InferenceServerException

from services.runtime.service_auth import triton_headers
from services.scheduler.triton.control import ModelLoadError, TritonControl
from services.scheduler.triton.local_server import LocalTriton, TritonStartError
from services.scheduler.triton.model_config import ModelEntry, TensorConfig
from services.scheduler.triton.repository import ModelRepository
from tests.polling import eventually
from tests.scheduler.onnx_models import affine_model, fixed_rows_model, sum_and_argmax_model
from tests.service_token import SERVICE_TOKEN

TRITON_HEADERS = triton_headers(SERVICE_TOKEN)

REPO_ROOT = Path(__file__).resolve().parents[2]


def fp32(name: str, *dims: int) -> TensorConfig:
    return TensorConfig(name, "FP32", dims)


def write_model(repo: ModelRepository, artifacts: Path, name: str, onnx_bytes: bytes, **fields) -> None:
    artifact = artifacts / f"{name}.onnx"
    artifact.write_bytes(onnx_bytes)
    repo.write(ModelEntry(name=name, artifact_path=artifact, backend="python", **fields))


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("triton")
    artifacts = root / "artifacts"
    artifacts.mkdir()
    repo = ModelRepository(root / "repo")
    # A 20 ms queue delay makes batching of concurrent requests certain on a slow machine.
    write_model(
        repo,
        artifacts,
        "affine",
        affine_model(4, 2.0, 1.0),
        inputs=(fp32("x", 4),),
        outputs=(fp32("y", 4),),
        max_batch_size=64,
        max_queue_delay_us=20_000,
    )
    write_model(
        repo,
        artifacts,
        "fixed",
        affine_model(3, -1.0, 0.5, batched=False),
        inputs=(fp32("x", 1, 3),),
        outputs=(fp32("y", 1, 3),),
        max_batch_size=0,
    )
    write_model(
        repo,
        artifacts,
        "pair",
        sum_and_argmax_model(3),
        inputs=(fp32("a", 3), fp32("b", 3)),
        outputs=(fp32("s", 3), TensorConfig("k", "INT64", ())),
        max_batch_size=16,
        max_queue_delay_us=20_000,
    )
    write_model(
        repo,
        artifacts,
        "two_rows",
        fixed_rows_model(2, 4),
        inputs=(fp32("x", 4),),
        outputs=(fp32("y", 4),),
        max_batch_size=8,
        dynamic_batching=False,
    )
    write_model(
        repo,
        artifacts,
        "garbage",
        b"this is not an onnx file",
        inputs=(fp32("x", 4),),
        outputs=(fp32("y", 4),),
        max_batch_size=8,
    )
    return root


@pytest.fixture(scope="module")
async def triton(workspace):
    server = LocalTriton(workspace / "repo", workspace / "work", service_token=SERVICE_TOKEN)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture(scope="module")
async def control(triton):
    control = TritonControl(triton.grpc_address, TRITON_HEADERS)
    try:
        yield control
    finally:
        await control.close()


@pytest.fixture(scope="module")
async def client(triton):
    client = triton_grpc.InferenceServerClient(triton.grpc_address)
    try:
        yield client
    finally:
        await client.close()


async def infer(client, model: str, **arrays: np.ndarray) -> triton_grpc.InferResult:
    inputs = []
    for name, array in arrays.items():
        tensor = triton_grpc.InferInput(name, list(array.shape), "FP32")
        tensor.set_data_from_numpy(array)
        inputs.append(tensor)
    return await client.infer(model, inputs, client_timeout=10, headers=TRITON_HEADERS)


async def test_server_is_ready_and_reports_its_address(triton, control):
    assert triton.running
    assert triton.grpc_address.startswith("127.0.0.1:")
    assert await control.is_server_ready()
    assert (triton.log_path).exists()


async def test_triton_refuses_inference_and_model_control_without_the_token(triton, control, client):
    await control.load("affine")
    x = np.arange(4, dtype=np.float32).reshape(1, 4)
    tensor = triton_grpc.InferInput("x", [1, 4], "FP32")
    tensor.set_data_from_numpy(x)
    for headers in (None, {"triton-grpc-protocol-torii-triton-token": "0" * 64}):
        for call in (
            client.infer("affine", [tensor], client_timeout=10, headers=headers),
            client.unload_model("affine", client_timeout=10, headers=headers),
            client.get_model_repository_index(client_timeout=10, headers=headers),
        ):
            with pytest.raises(InferenceServerException) as caught:
                await call
            assert "torii-triton-token" in caught.value.message()
    assert await client.is_server_ready(client_timeout=10)  # health stays open for probes
    assert await control.is_model_ready("affine")
    assert "--grpc-restricted-protocol" in Path(f"/proc/{triton.pid}/cmdline").read_text()
    assert SERVICE_TOKEN not in Path(f"/proc/{triton.pid}/cmdline").read_text()


async def test_load_infer_and_batch(control, client):
    await control.load("affine")
    assert await control.is_model_ready("affine")
    assert "affine" in await control.loaded_models()

    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    result = await infer(client, "affine", x=x)
    np.testing.assert_allclose(result.as_numpy("y"), x * 2 + 1)

    before = await control.inference_statistics("affine")
    requests = [np.full((1 + i % 3, 4), i, dtype=np.float32) for i in range(32)]
    results = await asyncio.gather(*(infer(client, "affine", x=r) for r in requests))
    for request, result in zip(requests, results):
        np.testing.assert_allclose(result.as_numpy("y"), request * 2 + 1)
    inferences, executions = (a - b for a, b in zip(await control.inference_statistics("affine"), before))
    assert inferences == sum(len(r) for r in requests)  # counted per batch row, not per request
    assert executions < 32  # the dynamic batcher merged requests into shared executions


async def test_two_inputs_two_output_types(control, client):
    await control.load("pair")
    a = np.array([[1, 5, 2], [0, 0, 9]], dtype=np.float32)
    b = np.array([[0, 0, 9], [3, 1, 0]], dtype=np.float32)
    results = await asyncio.gather(*(infer(client, "pair", a=a[i : i + 1], b=b[i : i + 1]) for i in range(2)))
    np.testing.assert_allclose(np.concatenate([r.as_numpy("s") for r in results]), a + b)
    # k is [batch] inside the model; the config's dims [1] + reshape [] show it as [batch, 1].
    assert [r.as_numpy("k").tolist() for r in results] == [[[2]], [[2]]]
    assert results[0].as_numpy("k").dtype == np.int64


async def test_unbatched_model(control, client):
    await control.load("fixed")
    x = np.array([[1.0, 2.0, -3.0]], dtype=np.float32)
    result = await infer(client, "fixed", x=x)
    np.testing.assert_allclose(result.as_numpy("y"), -x + 0.5)


async def test_a_failing_run_answers_with_the_error_and_the_model_keeps_serving(control, client):
    await control.load("two_rows")
    with pytest.raises(triton_grpc.InferenceServerException) as caught:
        await infer(client, "two_rows", x=np.zeros((3, 4), dtype=np.float32))
    assert "Reshape" in caught.value.message()  # onnxruntime's error, passed on by model.py
    x = np.arange(8, dtype=np.float32).reshape(2, 4)
    np.testing.assert_allclose((await infer(client, "two_rows", x=x)).as_numpy("y"), x)


async def test_garbage_onnx_fails_with_tritons_message(control):
    with pytest.raises(ModelLoadError) as caught:
        await control.load("garbage")
    assert "load failed for model 'garbage'" in caught.value.message  # Triton's words
    assert "INVALID_PROTOBUF" in caught.value.message  # onnxruntime's, relayed from model.py
    assert not await control.is_model_ready("garbage")
    assert await control.is_server_ready()  # one broken model does not make the server unready


async def test_loading_a_name_missing_from_the_repository(control):
    with pytest.raises(ModelLoadError) as caught:
        await control.load("absent")
    assert "absent" in caught.value.message


async def test_unload(control, client):
    await control.load("fixed")
    await control.unload("fixed")
    assert not await control.is_model_ready("fixed")
    assert "fixed" not in await control.loaded_models()
    with pytest.raises(InferenceServerException):
        await infer(client, "fixed", x=np.zeros((1, 3), dtype=np.float32))
    await control.unload("fixed")  # twice: no error
    await control.unload("never-existed")


async def test_start_fails_when_the_port_is_taken(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = LocalTriton(
            tmp_path / "repo", tmp_path / "work", grpc_port=taken.getsockname()[1], service_token=SERVICE_TOKEN
        )
        with pytest.raises(TritonStartError) as caught:
            await server.start(ready_timeout_s=30)
    assert "exited" in str(caught.value)
    assert not server.running
    await server.stop()  # after a failed start: no error


async def test_sigkill_is_noticed_and_a_restart_keeps_the_address(tmp_path):
    repo = ModelRepository(tmp_path / "repo")
    write_model(
        repo,
        tmp_path,
        "affine",
        affine_model(2, 3.0, 0.0),
        inputs=(fp32("x", 2),),
        outputs=(fp32("y", 2),),
        max_batch_size=4,
    )
    server = LocalTriton(tmp_path / "repo", tmp_path / "work", service_token=SERVICE_TOKEN)
    await server.stop()  # before start: no error
    address = await server.start()
    control = TritonControl(address, TRITON_HEADERS)
    client = triton_grpc.InferenceServerClient(address)
    try:
        await control.load("affine")
        os.kill(server.pid, signal.SIGKILL)
        assert await asyncio.wait_for(server.wait(), 10) == -signal.SIGKILL
        assert not server.running
        assert not await control.is_server_ready(timeout_s=1)
        await server.stop()  # already dead: no error

        # At once, while the old stub may still be running from the backend folder.
        assert await server.start() == address
        assert await control.is_server_ready()
        assert not await control.is_model_ready("affine")  # a fresh Triton loads nothing by itself
        await control.load("affine")
        x = np.array([[1.0, -2.0]], dtype=np.float32)
        np.testing.assert_allclose((await infer(client, "affine", x=x)).as_numpy("y"), x * 3)
        await server.stop()
        await server.stop()
        assert not server.running
    finally:
        await client.close()
        await control.close()
        await server.stop()


async def test_triton_dies_with_its_parent(tmp_path):
    """PR_SET_PDEATHSIG: SIGKILL the process that started Triton and Triton goes too."""
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        from pathlib import Path
        from services.scheduler.triton.local_server import LocalTriton

        async def main():
            server = LocalTriton(
                Path({str(tmp_path / "repo")!r}), Path({str(tmp_path / "work")!r}), service_token="x" * 64
            )
            await server.start()
            print("TRITON_PID", server.pid, flush=True)
            await asyncio.sleep(60)

        asyncio.run(main())
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    try:
        triton_pid = await asyncio.wait_for(asyncio.to_thread(_read_pid, parent.stdout), 30)
        assert _alive(triton_pid)
    finally:
        parent.kill()
        parent.wait()
    await eventually(lambda: not _alive(triton_pid), what=f"Triton (pid {triton_pid}) to end with its parent")


def _read_pid(stream) -> int:
    for line in stream:  # the child's log lines come first
        if line.startswith("TRITON_PID "):
            return int(line.split()[1])
    raise AssertionError("the child exited without starting Triton")


def _alive(pid: int) -> bool:
    """Running and not a zombie waiting to be reaped by whoever inherited it."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False
