import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from torii.v1 import accounts_pb2 as _accounts_pb2
from torii.v1 import models_pb2 as _models_pb2
from torii.v1 import registry_service_pb2 as _registry_service_pb2
from torii.v1 import tabular_pb2 as _tabular_pb2
from torii.v1 import training_pb2 as _training_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class IssueExternalKeyRequest(_message.Message):
    __slots__ = ("actor_user_id", "purpose", "model_number")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    MODEL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    purpose: _training_pb2.KeyPurpose
    model_number: int
    def __init__(self, actor_user_id: _Optional[str] = ..., purpose: _Optional[_Union[_training_pb2.KeyPurpose, str]] = ..., model_number: _Optional[int] = ...) -> None: ...

class IssueExternalKeyResponse(_message.Message):
    __slots__ = ("api_key", "key")
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    api_key: _accounts_pb2.IssuedSecret
    key: _training_pb2.ExternalKey
    def __init__(self, api_key: _Optional[_Union[_accounts_pb2.IssuedSecret, _Mapping]] = ..., key: _Optional[_Union[_training_pb2.ExternalKey, _Mapping]] = ...) -> None: ...

class AuthenticateExternalKeyRequest(_message.Message):
    __slots__ = ("api_key",)
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    api_key: str
    def __init__(self, api_key: _Optional[str] = ...) -> None: ...

class AuthenticateExternalKeyResponse(_message.Message):
    __slots__ = ("user", "key")
    USER_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    user: _accounts_pb2.User
    key: _training_pb2.ExternalKey
    def __init__(self, user: _Optional[_Union[_accounts_pb2.User, _Mapping]] = ..., key: _Optional[_Union[_training_pb2.ExternalKey, _Mapping]] = ...) -> None: ...

class CreateTrainingJobRequest(_message.Message):
    __slots__ = ("actor_user_id", "kind", "base_model_number")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    BASE_MODEL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    kind: _training_pb2.TrainingJobKind
    base_model_number: int
    def __init__(self, actor_user_id: _Optional[str] = ..., kind: _Optional[_Union[_training_pb2.TrainingJobKind, str]] = ..., base_model_number: _Optional[int] = ...) -> None: ...

class CreateTrainingJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _training_pb2.TrainingJob
    def __init__(self, job: _Optional[_Union[_training_pb2.TrainingJob, _Mapping]] = ...) -> None: ...

class GetTrainingJobRequest(_message.Message):
    __slots__ = ("actor_user_id", "job_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    job_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., job_id: _Optional[str] = ...) -> None: ...

class GetTrainingJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _training_pb2.TrainingJob
    def __init__(self, job: _Optional[_Union[_training_pb2.TrainingJob, _Mapping]] = ...) -> None: ...

class NewDataSet(_message.Message):
    __slots__ = ("name", "extension", "column_count", "data_count", "size_bytes", "sha256", "artifact_uri")
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    COLUMN_COUNT_FIELD_NUMBER: _ClassVar[int]
    DATA_COUNT_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_URI_FIELD_NUMBER: _ClassVar[int]
    name: str
    extension: str
    column_count: int
    data_count: int
    size_bytes: int
    sha256: str
    artifact_uri: str
    def __init__(self, name: _Optional[str] = ..., extension: _Optional[str] = ..., column_count: _Optional[int] = ..., data_count: _Optional[int] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., artifact_uri: _Optional[str] = ...) -> None: ...

class AttachUploadRequest(_message.Message):
    __slots__ = ("job_id", "slot", "data_set", "column_types_uri")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    SLOT_FIELD_NUMBER: _ClassVar[int]
    DATA_SET_FIELD_NUMBER: _ClassVar[int]
    COLUMN_TYPES_URI_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    slot: _training_pb2.UploadSlot
    data_set: NewDataSet
    column_types_uri: str
    def __init__(self, job_id: _Optional[str] = ..., slot: _Optional[_Union[_training_pb2.UploadSlot, str]] = ..., data_set: _Optional[_Union[NewDataSet, _Mapping]] = ..., column_types_uri: _Optional[str] = ...) -> None: ...

class AttachUploadResponse(_message.Message):
    __slots__ = ("job", "data_set")
    JOB_FIELD_NUMBER: _ClassVar[int]
    DATA_SET_FIELD_NUMBER: _ClassVar[int]
    job: _training_pb2.TrainingJob
    data_set: _training_pb2.DataSet
    def __init__(self, job: _Optional[_Union[_training_pb2.TrainingJob, _Mapping]] = ..., data_set: _Optional[_Union[_training_pb2.DataSet, _Mapping]] = ...) -> None: ...

class SubmitTrainingJobRequest(_message.Message):
    __slots__ = ("actor_user_id", "job_id", "model_name", "config")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    job_id: str
    model_name: str
    config: _tabular_pb2.TrainingConfig
    def __init__(self, actor_user_id: _Optional[str] = ..., job_id: _Optional[str] = ..., model_name: _Optional[str] = ..., config: _Optional[_Union[_tabular_pb2.TrainingConfig, _Mapping]] = ...) -> None: ...

class SubmitTrainingJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _training_pb2.TrainingJob
    def __init__(self, job: _Optional[_Union[_training_pb2.TrainingJob, _Mapping]] = ...) -> None: ...

class CancelTrainingJobRequest(_message.Message):
    __slots__ = ("actor_user_id", "job_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    job_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., job_id: _Optional[str] = ...) -> None: ...

class CancelTrainingJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _training_pb2.TrainingJob
    def __init__(self, job: _Optional[_Union[_training_pb2.TrainingJob, _Mapping]] = ...) -> None: ...

class ClaimTrainingJobRequest(_message.Message):
    __slots__ = ("trainer_id",)
    TRAINER_ID_FIELD_NUMBER: _ClassVar[int]
    trainer_id: str
    def __init__(self, trainer_id: _Optional[str] = ...) -> None: ...

class ClaimTrainingJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _training_pb2.TrainingJob
    def __init__(self, job: _Optional[_Union[_training_pb2.TrainingJob, _Mapping]] = ...) -> None: ...

class ReportTrainingProgressRequest(_message.Message):
    __slots__ = ("job_id", "progress")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    progress: _training_pb2.TrainingProgress
    def __init__(self, job_id: _Optional[str] = ..., progress: _Optional[_Union[_training_pb2.TrainingProgress, _Mapping]] = ...) -> None: ...

class ReportTrainingProgressResponse(_message.Message):
    __slots__ = ("still_running",)
    STILL_RUNNING_FIELD_NUMBER: _ClassVar[int]
    still_running: bool
    def __init__(self, still_running: _Optional[bool] = ...) -> None: ...

class FinishTrainingJobRequest(_message.Message):
    __slots__ = ("job_id", "result_uri", "model_version")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    RESULT_URI_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    result_uri: str
    model_version: _registry_service_pb2.ModelVersionSpec
    def __init__(self, job_id: _Optional[str] = ..., result_uri: _Optional[str] = ..., model_version: _Optional[_Union[_registry_service_pb2.ModelVersionSpec, _Mapping]] = ...) -> None: ...

class FinishTrainingJobResponse(_message.Message):
    __slots__ = ("job", "model_version")
    JOB_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    job: _training_pb2.TrainingJob
    model_version: _models_pb2.ModelVersion
    def __init__(self, job: _Optional[_Union[_training_pb2.TrainingJob, _Mapping]] = ..., model_version: _Optional[_Union[_models_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class FailTrainingJobRequest(_message.Message):
    __slots__ = ("job_id", "message")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    message: str
    def __init__(self, job_id: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class FailTrainingJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _training_pb2.TrainingJob
    def __init__(self, job: _Optional[_Union[_training_pb2.TrainingJob, _Mapping]] = ...) -> None: ...

class RecoverTrainingJobsRequest(_message.Message):
    __slots__ = ("max_attempts",)
    MAX_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    max_attempts: int
    def __init__(self, max_attempts: _Optional[int] = ...) -> None: ...

class RecoverTrainingJobsResponse(_message.Message):
    __slots__ = ("requeued", "failed")
    REQUEUED_FIELD_NUMBER: _ClassVar[int]
    FAILED_FIELD_NUMBER: _ClassVar[int]
    requeued: _containers.RepeatedCompositeFieldContainer[_training_pb2.TrainingJob]
    failed: _containers.RepeatedCompositeFieldContainer[_training_pb2.TrainingJob]
    def __init__(self, requeued: _Optional[_Iterable[_Union[_training_pb2.TrainingJob, _Mapping]]] = ..., failed: _Optional[_Iterable[_Union[_training_pb2.TrainingJob, _Mapping]]] = ...) -> None: ...

class Page(_message.Message):
    __slots__ = ("offset", "limit")
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    offset: int
    limit: int
    def __init__(self, offset: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class PageInfo(_message.Message):
    __slots__ = ("offset", "limit", "total")
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    offset: int
    limit: int
    total: int
    def __init__(self, offset: _Optional[int] = ..., limit: _Optional[int] = ..., total: _Optional[int] = ...) -> None: ...

class ListTrainingJobsRequest(_message.Message):
    __slots__ = ("actor_user_id", "page")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    page: Page
    def __init__(self, actor_user_id: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListTrainingJobsResponse(_message.Message):
    __slots__ = ("jobs", "page")
    JOBS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    jobs: _containers.RepeatedCompositeFieldContainer[_training_pb2.TrainingJob]
    page: PageInfo
    def __init__(self, jobs: _Optional[_Iterable[_Union[_training_pb2.TrainingJob, _Mapping]]] = ..., page: _Optional[_Union[PageInfo, _Mapping]] = ...) -> None: ...

class ListDataSetsRequest(_message.Message):
    __slots__ = ("actor_user_id", "page")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    page: Page
    def __init__(self, actor_user_id: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListDataSetsResponse(_message.Message):
    __slots__ = ("data_sets", "page")
    DATA_SETS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    data_sets: _containers.RepeatedCompositeFieldContainer[_training_pb2.DataSet]
    page: PageInfo
    def __init__(self, data_sets: _Optional[_Iterable[_Union[_training_pb2.DataSet, _Mapping]]] = ..., page: _Optional[_Union[PageInfo, _Mapping]] = ...) -> None: ...

class GetDataSetRequest(_message.Message):
    __slots__ = ("actor_user_id", "data_set_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    DATA_SET_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    data_set_id: int
    def __init__(self, actor_user_id: _Optional[str] = ..., data_set_id: _Optional[int] = ...) -> None: ...

class GetDataSetResponse(_message.Message):
    __slots__ = ("data_set",)
    DATA_SET_FIELD_NUMBER: _ClassVar[int]
    data_set: _training_pb2.DataSet
    def __init__(self, data_set: _Optional[_Union[_training_pb2.DataSet, _Mapping]] = ...) -> None: ...

class DeleteDataSetRequest(_message.Message):
    __slots__ = ("actor_user_id", "data_set_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    DATA_SET_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    data_set_id: int
    def __init__(self, actor_user_id: _Optional[str] = ..., data_set_id: _Optional[int] = ...) -> None: ...

class DeleteDataSetResponse(_message.Message):
    __slots__ = ("artifact_uri",)
    ARTIFACT_URI_FIELD_NUMBER: _ClassVar[int]
    artifact_uri: str
    def __init__(self, artifact_uri: _Optional[str] = ...) -> None: ...

class TrainedModel(_message.Message):
    __slots__ = ("model_version", "model_name", "owner_user_id", "config", "problem_type", "in_use", "updated_at")
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    OWNER_USER_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_TYPE_FIELD_NUMBER: _ClassVar[int]
    IN_USE_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    model_version: _models_pb2.ModelVersion
    model_name: str
    owner_user_id: str
    config: _tabular_pb2.TrainingConfig
    problem_type: _tabular_pb2.ProblemType
    in_use: bool
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, model_version: _Optional[_Union[_models_pb2.ModelVersion, _Mapping]] = ..., model_name: _Optional[str] = ..., owner_user_id: _Optional[str] = ..., config: _Optional[_Union[_tabular_pb2.TrainingConfig, _Mapping]] = ..., problem_type: _Optional[_Union[_tabular_pb2.ProblemType, str]] = ..., in_use: _Optional[bool] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ListTrainedModelsRequest(_message.Message):
    __slots__ = ("actor_user_id", "page")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    page: Page
    def __init__(self, actor_user_id: _Optional[str] = ..., page: _Optional[_Union[Page, _Mapping]] = ...) -> None: ...

class ListTrainedModelsResponse(_message.Message):
    __slots__ = ("models", "page")
    MODELS_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[TrainedModel]
    page: PageInfo
    def __init__(self, models: _Optional[_Iterable[_Union[TrainedModel, _Mapping]]] = ..., page: _Optional[_Union[PageInfo, _Mapping]] = ...) -> None: ...

class GetTrainedModelRequest(_message.Message):
    __slots__ = ("actor_user_id", "model_number")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    model_number: int
    def __init__(self, actor_user_id: _Optional[str] = ..., model_number: _Optional[int] = ...) -> None: ...

class GetTrainedModelResponse(_message.Message):
    __slots__ = ("model",)
    MODEL_FIELD_NUMBER: _ClassVar[int]
    model: TrainedModel
    def __init__(self, model: _Optional[_Union[TrainedModel, _Mapping]] = ...) -> None: ...

class DeleteTrainedModelRequest(_message.Message):
    __slots__ = ("actor_user_id", "model_number")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    model_number: int
    def __init__(self, actor_user_id: _Optional[str] = ..., model_number: _Optional[int] = ...) -> None: ...

class DeleteTrainedModelResponse(_message.Message):
    __slots__ = ("artifact_uri",)
    ARTIFACT_URI_FIELD_NUMBER: _ClassVar[int]
    artifact_uri: str
    def __init__(self, artifact_uri: _Optional[str] = ...) -> None: ...
