import grpc
import pytest

from tests.registry.helpers import SHA, make_member, make_version, signature, version_spec
from torii.v1 import models_pb2
from torii.v1 import registry_service_pb2 as pb


def version_request(actor, model_id, **overrides):
    return pb.CreateModelVersionRequest(actor_user_id=actor, model_id=model_id, version=version_spec(**overrides))


async def test_versions_count_up_and_keep_signature_and_preprocessing(registry):
    admin = registry.admin_user_id
    first = await make_version(registry.stub, admin)
    preprocessing = models_pb2.Preprocessing(
        images=[models_pb2.ImagePreprocessing(input_name="x", height=28, width=28, channels=1, mean=[0.5], std=[0.25])]
    )
    second = (
        await registry.stub.CreateModelVersion(version_request(admin, first.model_id, preprocessing=preprocessing))
    ).model_version
    assert (first.version, second.version) == (1, 2)
    got = await registry.stub.GetModel(pb.GetModelRequest(actor_user_id=admin, model_id=first.model_id))
    assert [v.version for v in got.versions] == [1, 2]
    assert got.versions[0].signature == signature()
    assert got.versions[1].preprocessing == preprocessing
    assert got.versions[0].sha256 == SHA and got.versions[0].format == models_pb2.MODEL_FORMAT_ONNX


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"signature": models_pb2.Signature()}, "at least one input"),
        (
            {
                "signature": models_pb2.Signature(
                    inputs=[models_pb2.TensorSpec(name="x", data_type=models_pb2.DATA_TYPE_FP32, shape=[-1, 0])],
                    outputs=[models_pb2.TensorSpec(name="y", data_type=models_pb2.DATA_TYPE_FP32, shape=[-1])],
                )
            },
            "dimensions are positive or -1",
        ),
        (
            {
                "signature": models_pb2.Signature(
                    inputs=[models_pb2.TensorSpec(name="x", shape=[-1, 4])],
                    outputs=[models_pb2.TensorSpec(name="y", data_type=models_pb2.DATA_TYPE_FP32, shape=[-1])],
                )
            },
            "needs a data_type",
        ),
        ({"format": models_pb2.MODEL_FORMAT_UNSPECIFIED}, "model format is required"),
        ({"sha256": "abc"}, "64 hexadecimal"),
        (
            {
                "preprocessing": models_pb2.Preprocessing(
                    images=[models_pb2.ImagePreprocessing(input_name="z", height=2, width=2, channels=3)]
                )
            },
            "does not have",
        ),
        (
            {
                "preprocessing": models_pb2.Preprocessing(
                    images=[models_pb2.ImagePreprocessing(input_name="x", height=2, width=2, channels=2)]
                )
            },
            "channels must be 1",
        ),
    ],
)
async def test_invalid_versions_are_refused_and_not_stored(registry, overrides, message):
    admin = registry.admin_user_id
    first = await make_version(registry.stub, admin)
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.CreateModelVersion(version_request(admin, first.model_id, **overrides))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert message in caught.value.details()
    got = await registry.stub.GetModel(pb.GetModelRequest(actor_user_id=admin, model_id=first.model_id))
    assert len(got.versions) == 1


async def test_models_belong_to_their_account(registry):
    admin = registry.admin_user_id
    first = await make_version(registry.stub, admin)
    other = (await registry.stub.CreateAccount(pb.CreateAccountRequest(actor_user_id=admin, name="acme"))).account
    outsider = (await make_member(registry.stub, admin, "olga", other.account_id)).user.user_id
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.GetModel(pb.GetModelRequest(actor_user_id=outsider, model_id=first.model_id))
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND, "another account's model must not be told apart from none"
    assert list((await registry.stub.ListModels(pb.ListModelsRequest(actor_user_id=outsider))).models) == []
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.CreateModel(
            pb.CreateModelRequest(actor_user_id=admin, name="iris", first_version=version_spec())
        )
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS


async def test_a_model_whose_first_version_is_invalid_is_not_created(registry):
    admin = registry.admin_user_id
    bad = version_spec(signature=models_pb2.Signature())
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await registry.stub.CreateModel(pb.CreateModelRequest(actor_user_id=admin, name="iris", first_version=bad))
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert list((await registry.stub.ListModels(pb.ListModelsRequest(actor_user_id=admin))).models) == []
    created = await make_version(registry.stub, admin, name="iris")
    assert created.version == 1
