"""NNC inference end to end on vector models: the contract's body in, Triton's answer out."""

from __future__ import annotations

from tests.scheduler.onnx_models import affine_model
from tests.urls import path_of


async def test_a_vector_model_answers_in_the_contracts_shape(platform):
    api = await platform.publish(affine_model(4, scale=2.0, bias=1.0))
    status, body = await platform.infer(api, [{"name": "x", "type": "vector", "data": [[5], [3.5], [1.3], [0.3]]}])
    assert status == 200, body
    assert set(body) == {"version", "outputs"}
    assert len(body["version"]) == len("20200707_051647035778") and body["version"][8] == "_"
    assert body["outputs"] == [{"name": "y", "data": "11.0, 8.0, 3.5999999046325684, 1.600000023841858"}]


async def test_bodies_are_compact_like_the_sources(platform):
    api = await platform.publish(affine_model(4, scale=1.0, bias=0.0))
    path = path_of(api["url"])
    body = {"executor": "Executor", "inputs": [{"name": "x", "type": "vector", "data": [1, 2, 3, 4]}]}
    response = await platform.client.post(path, json=body, headers={"x-api-key": platform.keys[api["api_id"]]})
    text = await response.text()
    assert text.startswith('{"version":"') and '"outputs":[{"name":"y","data":"1.0, 2.0, 3.0, 4.0"}]}' in text
    refused = await (await platform.client.post(path, json=body, headers={"x-api-key": "nope"})).text()
    assert refused.startswith(
        '{"code":"4031020301","error":"ACCESS_DENIED","message":"Invalid API key","data":{"request_id":"'
    )
