from __future__ import annotations

import hashlib

import grpc
from aiohttp import test_utils

from services.gateway.app import create_app
from services.gateway.settings import GatewaySettings
from tests.gateway.conftest import bearer
from tests.gateway.helpers import (
    add_bias_model,
    assert_documented,
    error_of,
    identity_model,
    upload_form,
    upload_model,
)

X_TO_Y = {
    "inputs": [{"name": "x", "data_type": "FP32", "shape": [-1, 4]}],
    "outputs": [{"name": "y", "data_type": "FP32", "shape": [-1, 4]}],
}


async def _models(gateway) -> list[dict]:
    response = await gateway.client.get("/manage/v1/models", headers=gateway.admin)
    assert response.status == 200
    return (await response.json())["models"]


async def test_upload_derives_the_signature_and_stores_the_file(gateway):
    model = identity_model()
    body = await upload_model(gateway, name="identity", model=model)
    assert_documented("POST", "/manage/v1/models", 201, body)

    assert body["model"]["name"] == "identity"
    assert body["model"]["account_id"]
    version = body["version"]
    assert version["version"] == 1
    assert version["format"] == "onnx"
    assert version["signature"] == X_TO_Y
    assert version["sha256"] == hashlib.sha256(model).hexdigest()
    assert version["size_bytes"] == len(model)
    files = gateway.artifact_files()
    assert len(files) == 1
    assert files[0].suffix == ".onnx"
    assert version["artifact_uri"] == files[0].resolve().as_uri()
    assert files[0].read_bytes() == model


async def test_initializers_are_not_inputs(gateway):
    body = await upload_model(gateway, name="add", model=add_bias_model())
    assert [t["name"] for t in body["version"]["signature"]["inputs"]] == ["x"]


async def test_a_given_signature_and_preprocessing_are_kept(gateway):
    preprocessing = {
        "images": [{"input_name": "x", "height": 2, "width": 2, "channels": 1, "mean": [0.5], "std": [0.25]}]
    }
    body = await upload_model(gateway, signature=X_TO_Y, preprocessing=preprocessing)
    assert body["version"]["signature"] == X_TO_Y
    assert body["version"]["preprocessing"] == preprocessing


async def test_a_signature_that_does_not_match_the_graph_is_refused(gateway):
    wrong = {
        "inputs": [{"name": "input", "data_type": "FP32", "shape": [-1, 4]}],
        "outputs": [{"name": "y", "data_type": "INT64", "shape": [-1, 4]}],
    }
    response = await gateway.client.post(
        "/manage/v1/models",
        data=upload_form({"name": "m", "signature": wrong}, identity_model()),
        headers=gateway.admin,
    )
    message = await error_of(response, 400, "INVALID_ARGUMENT")
    assert 'no input named "input" in the graph (its inputs: "x")' in message
    assert 'output "y" is FP32 in the graph, not INT64' in message
    assert gateway.artifact_files() == []
    assert await _models(gateway) == []


async def test_a_signature_with_the_wrong_shape_is_refused(gateway):
    wrong = {**X_TO_Y, "inputs": [{"name": "x", "data_type": "FP32", "shape": [-1, 5]}]}
    response = await gateway.client.post(
        "/manage/v1/models",
        data=upload_form({"name": "m", "signature": wrong}, identity_model()),
        headers=gateway.admin,
    )
    assert "[-1, 4]" in await error_of(response, 400, "INVALID_ARGUMENT")
    assert gateway.artifact_files() == []


async def test_preprocessing_for_an_unknown_input_is_refused(gateway):
    preprocessing = {"images": [{"input_name": "image", "height": 2, "width": 2, "channels": 3}]}
    response = await gateway.client.post(
        "/manage/v1/models",
        data=upload_form({"name": "m", "preprocessing": preprocessing}, identity_model()),
        headers=gateway.admin,
    )
    assert "image" in await error_of(response, 400, "INVALID_ARGUMENT")
    assert gateway.artifact_files() == []


async def test_bytes_that_are_not_onnx_are_refused_and_not_kept(gateway):
    response = await gateway.client.post(
        "/manage/v1/models", data=upload_form({"name": "m"}, b"this is not a model" * 100), headers=gateway.admin
    )
    assert "not a valid ONNX model" in await error_of(response, 400, "INVALID_ARGUMENT")
    assert gateway.artifact_files() == []
    assert await _models(gateway) == []


async def test_an_oversize_upload_is_refused_with_413_and_leaves_nothing(start_gateway):
    gateway = await start_gateway(max_upload_bytes=1024)
    response = await gateway.client.post(
        "/manage/v1/models", data=upload_form({"name": "big"}, b"\0" * 50_000), headers=gateway.admin
    )
    assert "1024 bytes" in await error_of(response, 413, "PAYLOAD_TOO_LARGE")
    assert gateway.artifact_files() == []
    assert await _models(gateway) == []


async def test_a_form_without_a_name_or_file_is_refused(gateway):
    response = await gateway.client.post(
        "/manage/v1/models", data=upload_form({}, identity_model()), headers=gateway.admin
    )
    assert "name" in await error_of(response, 400, "INVALID_ARGUMENT")
    response = await gateway.client.post(
        "/manage/v1/models", data=upload_form({"name": "m"}, None), headers=gateway.admin
    )
    assert "file" in await error_of(response, 400, "INVALID_ARGUMENT")
    assert gateway.artifact_files() == []
    assert await _models(gateway) == []


async def test_an_unknown_form_field_is_named(gateway):
    response = await gateway.client.post(
        "/manage/v1/models", data=upload_form({"name": "m", "colour": "blue"}, identity_model()), headers=gateway.admin
    )
    assert "'colour'" in await error_of(response, 400, "INVALID_ARGUMENT")
    assert gateway.artifact_files() == []


async def test_a_signature_that_is_not_json_is_refused(gateway):
    form = upload_form({"name": "m"}, identity_model())
    form.add_field("signature", "{inputs: x")
    response = await gateway.client.post("/manage/v1/models", data=form, headers=gateway.admin)
    assert "signature" in await error_of(response, 400, "INVALID_ARGUMENT")
    assert gateway.artifact_files() == []


async def test_a_json_body_instead_of_a_form_is_refused(gateway):
    response = await gateway.client.post("/manage/v1/models", json={"name": "m"}, headers=gateway.admin)
    assert "multipart/form-data" in await error_of(response, 400, "INVALID_ARGUMENT")


async def test_an_upload_without_a_token_stores_nothing(gateway):
    response = await gateway.client.post("/manage/v1/models", data=upload_form({"name": "m"}, identity_model()))
    await error_of(response, 401, "UNAUTHENTICATED")
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert gateway.artifact_files() == []
    assert await _models(gateway) == []


async def test_new_versions_list_and_get(gateway):
    first = await upload_model(gateway, name="identity")
    model_id = first["model"]["model_id"]
    response = await gateway.client.post(
        f"/manage/v1/models/{model_id}/versions", data=upload_form({}, identity_model(width=8)), headers=gateway.admin
    )
    second = await response.json()
    assert response.status == 201, second
    assert second["version"]["version"] == 2
    assert second["version"]["signature"]["inputs"][0]["shape"] == [-1, 8]

    assert [m["model_id"] for m in await _models(gateway)] == [model_id]

    response = await gateway.client.get(f"/manage/v1/models/{model_id}", headers=gateway.admin)
    body = await response.json()
    assert response.status == 200
    assert_documented("GET", "/manage/v1/models/{model_id}", 200, body)
    assert [v["version"] for v in body["versions"]] == [1, 2]
    assert body["versions"][0]["signature"] == X_TO_Y
    assert len(gateway.artifact_files()) == 2


async def test_a_version_of_an_unknown_model_is_refused_before_the_upload(gateway):
    response = await gateway.client.post(
        "/manage/v1/models/00000000-0000-0000-0000-000000000000/versions",
        data=upload_form({}, identity_model()),
        headers=gateway.admin,
    )
    await error_of(response, 404, "NOT_FOUND")
    assert gateway.artifact_files() == []


async def test_a_member_cannot_see_another_accounts_model(gateway):
    uploaded = await upload_model(gateway)
    account = await (
        await gateway.client.post("/manage/v1/accounts", json={"name": "other"}, headers=gateway.admin)
    ).json()
    response = await gateway.client.post(
        "/manage/v1/users",
        json={"account_id": account["account"]["account_id"], "name": "outsider", "role": "member"},
        headers=gateway.admin,
    )
    outsider = bearer((await response.json())["token"])
    response = await gateway.client.get(f"/manage/v1/models/{uploaded['model']['model_id']}", headers=outsider)
    await error_of(response, 404, "NOT_FOUND")
    response = await gateway.client.get("/manage/v1/models", headers=outsider)
    assert (await response.json()) == {"models": []}


async def test_a_registry_refusal_deletes_the_stored_file(gateway):
    await upload_model(gateway, name="twice")
    stored = gateway.artifact_files()
    response = await gateway.client.post(
        "/manage/v1/models", data=upload_form({"name": "twice"}, identity_model(width=3)), headers=gateway.admin
    )
    assert "twice" in await error_of(response, 409, "ALREADY_EXISTS")
    assert gateway.artifact_files() == stored
    assert [m["name"] for m in await _models(gateway)] == ["twice"]


class _TimingOutModels:
    """The real registry, except that CreateModel times out after it may have been applied."""

    def __init__(self, real) -> None:
        self._real = real

    def __getattr__(self, name):
        return getattr(self._real, name)

    async def CreateModel(self, request, **kwargs):  # noqa: N802 - the stub's method name
        raise grpc.aio.AioRpcError(
            grpc.StatusCode.DEADLINE_EXCEEDED, grpc.aio.Metadata(), grpc.aio.Metadata(), "too slow"
        )


async def test_a_version_of_unknown_outcome_keeps_its_file(registry, tmp_path):
    settings = GatewaySettings(data_dir=tmp_path / "gw", registry_address=registry.address)
    app = create_app(settings, _TimingOutModels(registry.stub))
    async with test_utils.TestClient(test_utils.TestServer(app)) as client:
        response = await client.post(
            "/manage/v1/models",
            data=upload_form({"name": "slow"}, identity_model()),
            headers=bearer(registry.admin_token),
        )
        assert "too slow" in await error_of(response, 504, "DEADLINE_EXCEEDED")
        # The registry may hold a version that points at the file: it must still be there.
        assert len(list((tmp_path / "gw" / "artifacts" / "models").iterdir())) == 1
        # Without a health stub the factory cannot probe the registry, and says so.
        await error_of(await client.get("/readyz"), 503, "UNAVAILABLE")
