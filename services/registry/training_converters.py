"""Protobuf messages ↔ training's domain values, for TrainingRegistryServicer."""

from __future__ import annotations

from datetime import datetime

from google.protobuf import json_format

from services.registry.converters import _from_proto_enum, timestamp, version_to_proto
from services.registry.domain.training_types import (
    DataSet,
    ExternalKey,
    JobKind,
    JobStatus,
    KeyPurpose,
    NewDataSet,
    PageOf,
    TrainedModel,
    TrainingJob,
    UploadSlot,
)
from torii.v1 import tabular_pb2, training_pb2
from torii.v1 import training_registry_service_pb2 as pb

_PURPOSES = {
    KeyPurpose.TRAIN: training_pb2.KEY_PURPOSE_TRAIN,
    KeyPurpose.DEPLOY: training_pb2.KEY_PURPOSE_DEPLOY,
    KeyPurpose.RETRAIN: training_pb2.KEY_PURPOSE_RETRAIN,
}
_KINDS = {JobKind.TRAIN: training_pb2.TRAINING_JOB_KIND_TRAIN, JobKind.RETRAIN: training_pb2.TRAINING_JOB_KIND_RETRAIN}
_STATUSES = {
    JobStatus.AWAITING_DATA: training_pb2.TRAINING_JOB_STATUS_AWAITING_DATA,
    JobStatus.QUEUED: training_pb2.TRAINING_JOB_STATUS_QUEUED,
    JobStatus.RUNNING: training_pb2.TRAINING_JOB_STATUS_RUNNING,
    JobStatus.FINISHED: training_pb2.TRAINING_JOB_STATUS_FINISHED,
    JobStatus.FAILED: training_pb2.TRAINING_JOB_STATUS_FAILED,
    JobStatus.CANCELLED: training_pb2.TRAINING_JOB_STATUS_CANCELLED,
}
# By enum name, as a job's config and a version's tabular schema name them; any other is UNSPECIFIED.
_PROBLEM_TYPES = {
    tabular_pb2.ProblemType.Name(problem_type): problem_type
    for problem_type in (
        tabular_pb2.PROBLEM_TYPE_BINARY_CLASSIFICATION,
        tabular_pb2.PROBLEM_TYPE_MULTI_CLASSIFICATION,
        tabular_pb2.PROBLEM_TYPE_REGRESSION,
    )
}
_SLOTS = {
    UploadSlot.LEARN: training_pb2.UPLOAD_SLOT_LEARN,
    UploadSlot.EVAL: training_pb2.UPLOAD_SLOT_EVAL,
    UploadSlot.COLUMN_TYPES: training_pb2.UPLOAD_SLOT_COLUMN_TYPES,
}


def _optional_timestamp(moment: datetime | None):
    """Unset (rather than the epoch) when the moment has not come."""
    return timestamp(moment) if moment is not None else None


def _message_to_dict(message) -> dict:
    return json_format.MessageToDict(message, preserving_proto_field_name=True, use_integers_for_enums=False)


def purpose_from_proto(value: int) -> KeyPurpose:
    return _from_proto_enum(_PURPOSES, value, "purpose")


def kind_from_proto(value: int) -> JobKind:
    return _from_proto_enum(_KINDS, value, "kind")


def slot_from_proto(value: int) -> UploadSlot:
    return _from_proto_enum(_SLOTS, value, "slot")


def config_from_proto(request, field: str = "config") -> dict | None:
    """The request's TrainingConfig as the domain keeps it, or None when the request has none."""
    return _message_to_dict(getattr(request, field)) if request.HasField(field) else None


def config_to_proto(config: dict) -> tabular_pb2.TrainingConfig:
    return json_format.ParseDict(config, tabular_pb2.TrainingConfig(), ignore_unknown_fields=True)


def progress_from_proto(progress: training_pb2.TrainingProgress) -> dict:
    return _message_to_dict(progress)


def new_data_set_from_proto(request: pb.AttachUploadRequest) -> NewDataSet | None:
    if not request.HasField("data_set"):
        return None
    given = request.data_set
    return NewDataSet(
        name=given.name,
        extension=given.extension,
        column_count=given.column_count,
        data_count=given.data_count,
        size_bytes=given.size_bytes,
        sha256=given.sha256,
        artifact_uri=given.artifact_uri,
    )


def page_info_to_proto(page: PageOf) -> pb.PageInfo:
    return pb.PageInfo(offset=page.offset, limit=page.limit, total=page.total)


def external_key_to_proto(key: ExternalKey) -> training_pb2.ExternalKey:
    return training_pb2.ExternalKey(
        credential_id=key.credential_id,
        purpose=_PURPOSES[key.purpose],
        model_number=key.model_number,
        expires_at=timestamp(key.expires_at),
    )


def data_set_to_proto(data_set: DataSet) -> training_pb2.DataSet:
    return training_pb2.DataSet(
        data_set_id=data_set.data_set_id,
        account_id=data_set.account_id,
        owner_user_id=data_set.owner_user_id,
        name=data_set.name,
        extension=data_set.extension,
        column_count=data_set.column_count,
        data_count=data_set.data_count,
        size_bytes=data_set.size_bytes,
        sha256=data_set.sha256,
        artifact_uri=data_set.artifact_uri,
        created_at=_optional_timestamp(data_set.created_at),
        updated_at=_optional_timestamp(data_set.updated_at),
    )


def job_to_proto(job: TrainingJob) -> training_pb2.TrainingJob:
    return training_pb2.TrainingJob(
        job_id=job.job_id,
        account_id=job.account_id,
        owner_user_id=job.owner_user_id,
        kind=_KINDS[job.kind],
        status=_STATUSES[job.status],
        message=job.message,
        learn_data_set_id=job.learn_data_set_id or 0,
        eval_data_set_id=job.eval_data_set_id or 0,
        column_types_uri=job.column_types_uri,
        model_name=job.model_name,
        config=config_to_proto(job.config),
        base_model_version_id=job.base_model_version_id,
        progress=json_format.ParseDict(job.progress, training_pb2.TrainingProgress(), ignore_unknown_fields=True),
        result_uri=job.result_uri,
        model_version_id=job.model_version_id,
        model_number=job.model_number,
        attempts=job.attempts,
        created_at=_optional_timestamp(job.created_at),
        updated_at=_optional_timestamp(job.updated_at),
        started_at=_optional_timestamp(job.started_at),
        finished_at=_optional_timestamp(job.finished_at),
    )


def trained_model_to_proto(model: TrainedModel) -> pb.TrainedModel:
    return pb.TrainedModel(
        model_version=version_to_proto(model.version),
        model_name=model.model_name,
        owner_user_id=model.owner_user_id,
        config=config_to_proto(model.config),
        problem_type=_PROBLEM_TYPES.get(model.problem_type, tabular_pb2.PROBLEM_TYPE_UNSPECIFIED),
        in_use=model.in_use,
        updated_at=timestamp(model.version.created_at),
    )
