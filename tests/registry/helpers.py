"""Small builders shared by the registry tests."""

from __future__ import annotations

from torii.v1 import apis_pb2, models_pb2
from torii.v1 import registry_service_pb2 as pb

SHA = "ab" * 32


def signature() -> models_pb2.Signature:
    return models_pb2.Signature(
        inputs=[models_pb2.TensorSpec(name="x", data_type=models_pb2.DATA_TYPE_FP32, shape=[-1, 4])],
        outputs=[models_pb2.TensorSpec(name="y", data_type=models_pb2.DATA_TYPE_FP32, shape=[-1, 3])],
    )


def version_spec(**overrides) -> pb.ModelVersionSpec:
    fields = dict(
        format=models_pb2.MODEL_FORMAT_ONNX,
        artifact_uri="file:///tmp/iris.onnx",
        sha256=SHA,
        size_bytes=1234,
        signature=signature(),
    )
    fields.update(overrides)
    return pb.ModelVersionSpec(**fields)


async def make_version(stub, actor: str, name: str = "iris", account_id: str = "") -> models_pb2.ModelVersion:
    """A new model with its version 1; returns the version."""
    request = pb.CreateModelRequest(actor_user_id=actor, account_id=account_id, name=name, first_version=version_spec())
    return (await stub.CreateModel(request)).model_version


async def make_api(stub, actor: str, version_id: str, **fields) -> pb.CreateApiResponse:
    fields.setdefault("name", "iris api")
    fields.setdefault("execution_type", apis_pb2.EXECUTION_TYPE_SERVERLESS)
    return await stub.CreateApi(pb.CreateApiRequest(actor_user_id=actor, model_version_id=version_id, **fields))


async def make_member(stub, admin: str, name: str = "mia", account_id: str = "") -> pb.CreateUserResponse:
    from torii.v1 import accounts_pb2

    return await stub.CreateUser(
        pb.CreateUserRequest(actor_user_id=admin, account_id=account_id, name=name, role=accounts_pb2.ROLE_MEMBER)
    )
