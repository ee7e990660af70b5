"""The caller's request id reaches Triton: Triton's trace of the inference carries the same id."""

from __future__ import annotations

import json

import pytest
from tritonclient.grpc.aio import InferenceServerClient

from services.runtime.service_auth import triton_headers
from tests.e2e.test_nnc_errors import VECTOR
from tests.polling import eventually
from tests.scheduler.onnx_models import affine_model
from tests.service_token import SERVICE_TOKEN

TRITON_HEADERS = triton_headers(SERVICE_TOKEN)


async def test_the_request_id_travels_to_triton(platform, shared_triton):
    if shared_triton.trace_file is None:
        pytest.skip("the existing Triton's trace file was not given (--triton-trace-file)")
    api = await platform.publish(affine_model(4, scale=1.0, bias=0.0))
    model = f"api_{api['api_id']}__{api['model_version_id']}"
    triton = InferenceServerClient(platform.triton_address)
    try:
        settings = {"trace_level": ["TIMESTAMPS"], "trace_rate": "1", "log_frequency": "1"}
        await triton.update_trace_settings(model_name=model, settings=settings, headers=TRITON_HEADERS)
        status, body = await platform.infer(api, VECTOR, headers={"x-request-id": "trace-me-42"})
        assert status == 200, body
        await triton.update_trace_settings(model_name=model, settings={"trace_level": ["OFF"]}, headers=TRITON_HEADERS)
    finally:
        await triton.close()
    await eventually(
        lambda: [trace.get("request_id") for trace in traces_in(shared_triton) if trace.get("model_name") == model],
        lambda request_ids: "trace-me-42" in request_ids,
        timeout_s=5,
        interval_s=0.1,
        what="Triton's trace to name the request id",
    )


def traces_in(shared_triton) -> list[dict]:
    """Triton writes <trace file>.<n>, one file per log_frequency traces."""
    traces = []
    assert shared_triton.trace_file is not None
    for path in shared_triton.trace_file.parent.glob(shared_triton.trace_file.name + "*"):
        try:
            traces.extend(json.loads(path.read_text() or "[]"))
        except ValueError:  # a file Triton is still writing
            continue
    return traces
