"""Builders and the TrainingRegistryService stub shared by the training tests."""

from __future__ import annotations

from contextlib import asynccontextmanager

import grpc
import pytest

from services.runtime.grpc_client import open_channel
from tests.registry.helpers import SHA, make_member, version_spec
from tests.service_token import SERVICE_TOKEN
from torii.v1 import models_pb2, tabular_pb2, training_pb2, training_registry_service_pb2_grpc
from torii.v1 import registry_service_pb2 as registry_pb
from torii.v1 import training_registry_service_pb2 as pb

__all__ = [
    "SHA",
    "attach_learn",
    "config",
    "make_member",
    "new_data_set",
    "other_account_member",
    "queued_job",
    "rpc_error",
    "trained_spec",
    "trained_version",
    "training_stub",
]


@asynccontextmanager
async def training_stub(address: str):
    """A TrainingRegistryService stub on the registry at address; each test module makes it its fixture."""
    channel = open_channel(address, default_timeout_s=10, service_token=SERVICE_TOKEN)
    try:
        yield training_registry_service_pb2_grpc.TrainingRegistryServiceStub(channel)
    finally:
        await channel.close()


async def rpc_error(call) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


def config(**overrides) -> tabular_pb2.TrainingConfig:
    fields = dict(target_column="species", problem_type=tabular_pb2.PROBLEM_TYPE_MULTI_CLASSIFICATION, cv=2)
    fields.update(overrides)
    return tabular_pb2.TrainingConfig(**fields)


def new_data_set(**overrides) -> pb.NewDataSet:
    fields = dict(
        name="iris.csv",
        extension="csv",
        column_count=5,
        data_count=150,
        size_bytes=4551,
        sha256=SHA,
        artifact_uri="file:///tmp/data/iris.csv",
    )
    fields.update(overrides)
    return pb.NewDataSet(**fields)


def trained_spec(
    training_config: tabular_pb2.TrainingConfig | None = None, **overrides
) -> registry_pb.ModelVersionSpec:
    """A version spec as the trainer sends it: a tabular schema that keeps the training config."""
    training_config = training_config or config()
    tabular = tabular_pb2.TabularSchema(
        problem_type=training_config.problem_type,
        target_column=training_config.target_column,
        columns=[tabular_pb2.TabularInput(name="petal", input_name="x", type=tabular_pb2.COLUMN_TYPE_FLOAT)],
        class_labels=["setosa", "versicolor", "virginica"],
        training=training_config,
    )
    overrides.setdefault("preprocessing", models_pb2.Preprocessing(tabular=tabular))
    overrides.setdefault("artifact_uri", "file:///tmp/models/trained.onnx")
    return version_spec(**overrides)


async def attach_learn(training, job_id: str, **overrides) -> pb.AttachUploadResponse:
    return await training.AttachUpload(
        pb.AttachUploadRequest(job_id=job_id, slot=training_pb2.UPLOAD_SLOT_LEARN, data_set=new_data_set(**overrides))
    )


async def queued_job(training, actor: str, model_name: str = "iris", **config_overrides) -> training_pb2.TrainingJob:
    """A TRAIN job with its learning data, submitted."""
    job = (
        await training.CreateTrainingJob(
            pb.CreateTrainingJobRequest(actor_user_id=actor, kind=training_pb2.TRAINING_JOB_KIND_TRAIN)
        )
    ).job
    await attach_learn(training, job.job_id)
    submitted = await training.SubmitTrainingJob(
        pb.SubmitTrainingJobRequest(
            actor_user_id=actor, job_id=job.job_id, model_name=model_name, config=config(**config_overrides)
        )
    )
    return submitted.job


async def trained_version(training, actor: str, model_name: str = "iris") -> pb.FinishTrainingJobResponse:
    """Train a model end to end: queue a job, claim it, finish it; returns the finished job and version."""
    job = await queued_job(training, actor, model_name)
    claimed = (await training.ClaimTrainingJob(pb.ClaimTrainingJobRequest(trainer_id="t1"))).job
    assert claimed.job_id == job.job_id
    return await training.FinishTrainingJob(
        pb.FinishTrainingJobRequest(
            job_id=job.job_id, result_uri=f"file:///tmp/results/{job.job_id}.zip", model_version=trained_spec()
        )
    )


async def other_account_member(registry, name: str = "olga") -> str:
    """A member of another account; returns the user id."""
    admin = registry.admin_user_id
    other = (
        await registry.stub.CreateAccount(registry_pb.CreateAccountRequest(actor_user_id=admin, name="acme"))
    ).account
    return (await make_member(registry.stub, admin, name, other.account_id)).user.user_id
