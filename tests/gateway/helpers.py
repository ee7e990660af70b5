"""Tiny ONNX models and the requests most tests need."""

from __future__ import annotations

import json
import uuid
from typing import Any

import aiohttp
import onnx
from onnx import TensorProto, helper

from services.gateway.app import ROUTES
from services.gateway.http_base.validation import problems


def identity_model(width: int = 4) -> bytes:
    """x: FP32 [-1, width] → y = x."""
    graph = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["y"])],
        "identity",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", width])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", width])],
    )
    return _serialize(graph)


def add_bias_model() -> bytes:
    """x: FP32 [-1, 4] → y = x + bias, where bias is an initializer (and so not an input)."""
    bias = helper.make_tensor("bias", TensorProto.FLOAT, [4], [1.0, 2.0, 3.0, 4.0])
    graph = helper.make_graph(
        [helper.make_node("Add", ["x", "bias"], ["y"])],
        "add_bias",
        [
            helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 4]),
            # Older exporters list initializers among the inputs too; they must not become inputs.
            helper.make_tensor_value_info("bias", TensorProto.FLOAT, [4]),
        ],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 4])],
        initializer=[bias],
    )
    return _serialize(graph)


def _serialize(graph) -> bytes:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model.SerializeToString()


def upload_form(fields: dict[str, Any], model: bytes | None, filename: str = "model.onnx") -> aiohttp.FormData:
    form = aiohttp.FormData()
    for key, value in fields.items():
        form.add_field(key, value if isinstance(value, str) else json.dumps(value))
    if model is not None:
        form.add_field("file", model, filename=filename, content_type="application/octet-stream")
    return form


async def upload_model(gateway, name: str = "identity", model: bytes | None = None, headers=None, **fields) -> dict:
    response = await gateway.client.post(
        "/manage/v1/models",
        data=upload_form({"name": name, **fields}, identity_model() if model is None else model),
        headers=gateway.admin if headers is None else headers,
    )
    body = await response.json()
    assert response.status == 201, body
    return body


async def create_api(gateway, model_version_id: str, headers=None, **fields) -> dict:
    payload = {
        "name": "classifier",
        "model_version_id": model_version_id,
        "api_type": "formal",
        "execution_type": "serverless",
        "instance_kind": "cpu",
        **fields,
    }
    response = await gateway.client.post(
        "/manage/v1/apis", json=payload, headers=gateway.admin if headers is None else headers
    )
    body = await response.json()
    assert response.status == 201, body
    return body


async def published_api(gateway, **fields) -> dict:
    """A new model, version and API; returns the API's info."""
    uploaded = await upload_model(gateway, name=f"model-{uuid.uuid4().hex[:8]}")
    created = await create_api(gateway, uploaded["version"]["model_version_id"], **fields)
    return created["api"]


def assert_documented(method: str, path: str, status: int, body: Any) -> None:
    """body is what the route table (and so the OpenAPI document) promises for this answer."""
    route = next(r for r in ROUTES if r.method == method and r.path == path)
    response = route.responses[status]
    assert response.schema is not None
    assert problems(body, response.schema) == []


async def error_of(response: aiohttp.ClientResponse, status: int, code: str) -> str:
    """The message of a JSON error answer, after checking its status, code and request id."""
    assert response.status == status, await response.text()
    assert response.content_type == "application/json"
    body = await response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert error["code"] == code
    assert error["request_id"] == response.headers["x-request-id"]
    assert error["message"]
    return error["message"]


async def member_elsewhere(gateway, name: str = "outsider") -> dict[str, str]:
    """The bearer header of a member of a new account, not the admin's."""
    response = await gateway.client.post(
        "/manage/v1/accounts", json={"name": f"{name}-{uuid.uuid4().hex[:6]}"}, headers=gateway.admin
    )
    account = await response.json()
    assert response.status == 201, account
    response = await gateway.client.post(
        "/manage/v1/users",
        json={"account_id": account["account"]["account_id"], "name": name, "role": "member"},
        headers=gateway.admin,
    )
    body = await response.json()
    assert response.status == 201, body
    return {"Authorization": f"Bearer {body['token']}"}
