import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from torii.v1 import tabular_pb2 as _tabular_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class KeyPurpose(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    KEY_PURPOSE_UNSPECIFIED: _ClassVar[KeyPurpose]
    KEY_PURPOSE_TRAIN: _ClassVar[KeyPurpose]
    KEY_PURPOSE_DEPLOY: _ClassVar[KeyPurpose]
    KEY_PURPOSE_RETRAIN: _ClassVar[KeyPurpose]

class TrainingJobKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRAINING_JOB_KIND_UNSPECIFIED: _ClassVar[TrainingJobKind]
    TRAINING_JOB_KIND_TRAIN: _ClassVar[TrainingJobKind]
    TRAINING_JOB_KIND_RETRAIN: _ClassVar[TrainingJobKind]

class TrainingJobStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    TRAINING_JOB_STATUS_UNSPECIFIED: _ClassVar[TrainingJobStatus]
    TRAINING_JOB_STATUS_AWAITING_DATA: _ClassVar[TrainingJobStatus]
    TRAINING_JOB_STATUS_QUEUED: _ClassVar[TrainingJobStatus]
    TRAINING_JOB_STATUS_RUNNING: _ClassVar[TrainingJobStatus]
    TRAINING_JOB_STATUS_FINISHED: _ClassVar[TrainingJobStatus]
    TRAINING_JOB_STATUS_FAILED: _ClassVar[TrainingJobStatus]
    TRAINING_JOB_STATUS_CANCELLED: _ClassVar[TrainingJobStatus]

class UploadSlot(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    UPLOAD_SLOT_UNSPECIFIED: _ClassVar[UploadSlot]
    UPLOAD_SLOT_LEARN: _ClassVar[UploadSlot]
    UPLOAD_SLOT_EVAL: _ClassVar[UploadSlot]
    UPLOAD_SLOT_COLUMN_TYPES: _ClassVar[UploadSlot]
KEY_PURPOSE_UNSPECIFIED: KeyPurpose
KEY_PURPOSE_TRAIN: KeyPurpose
KEY_PURPOSE_DEPLOY: KeyPurpose
KEY_PURPOSE_RETRAIN: KeyPurpose
TRAINING_JOB_KIND_UNSPECIFIED: TrainingJobKind
TRAINING_JOB_KIND_TRAIN: TrainingJobKind
TRAINING_JOB_KIND_RETRAIN: TrainingJobKind
TRAINING_JOB_STATUS_UNSPECIFIED: TrainingJobStatus
TRAINING_JOB_STATUS_AWAITING_DATA: TrainingJobStatus
TRAINING_JOB_STATUS_QUEUED: TrainingJobStatus
TRAINING_JOB_STATUS_RUNNING: TrainingJobStatus
TRAINING_JOB_STATUS_FINISHED: TrainingJobStatus
TRAINING_JOB_STATUS_FAILED: TrainingJobStatus
TRAINING_JOB_STATUS_CANCELLED: TrainingJobStatus
UPLOAD_SLOT_UNSPECIFIED: UploadSlot
UPLOAD_SLOT_LEARN: UploadSlot
UPLOAD_SLOT_EVAL: UploadSlot
UPLOAD_SLOT_COLUMN_TYPES: UploadSlot

class ExternalKey(_message.Message):
    __slots__ = ("credential_id", "purpose", "model_number", "expires_at")
    CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    MODEL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    credential_id: str
    purpose: KeyPurpose
    model_number: int
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, credential_id: _Optional[str] = ..., purpose: _Optional[_Union[KeyPurpose, str]] = ..., model_number: _Optional[int] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DataSet(_message.Message):
    __slots__ = ("data_set_id", "account_id", "owner_user_id", "name", "extension", "column_count", "data_count", "size_bytes", "sha256", "artifact_uri", "created_at", "updated_at")
    DATA_SET_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_USER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    COLUMN_COUNT_FIELD_NUMBER: _ClassVar[int]
    DATA_COUNT_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_URI_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    data_set_id: int
    account_id: str
    owner_user_id: str
    name: str
    extension: str
    column_count: int
    data_count: int
    size_bytes: int
    sha256: str
    artifact_uri: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    def __init__(self, data_set_id: _Optional[int] = ..., account_id: _Optional[str] = ..., owner_user_id: _Optional[str] = ..., name: _Optional[str] = ..., extension: _Optional[str] = ..., column_count: _Optional[int] = ..., data_count: _Optional[int] = ..., size_bytes: _Optional[int] = ..., sha256: _Optional[str] = ..., artifact_uri: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class TrainingProgress(_message.Message):
    __slots__ = ("phase", "fold", "percent")
    PHASE_FIELD_NUMBER: _ClassVar[int]
    FOLD_FIELD_NUMBER: _ClassVar[int]
    PERCENT_FIELD_NUMBER: _ClassVar[int]
    phase: str
    fold: int
    percent: float
    def __init__(self, phase: _Optional[str] = ..., fold: _Optional[int] = ..., percent: _Optional[float] = ...) -> None: ...

class TrainingJob(_message.Message):
    __slots__ = ("job_id", "account_id", "owner_user_id", "kind", "status", "message", "learn_data_set_id", "eval_data_set_id", "column_types_uri", "model_name", "config", "base_model_version_id", "progress", "result_uri", "model_version_id", "model_number", "attempts", "created_at", "updated_at", "started_at", "finished_at")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    OWNER_USER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    LEARN_DATA_SET_ID_FIELD_NUMBER: _ClassVar[int]
    EVAL_DATA_SET_ID_FIELD_NUMBER: _ClassVar[int]
    COLUMN_TYPES_URI_FIELD_NUMBER: _ClassVar[int]
    MODEL_NAME_FIELD_NUMBER: _ClassVar[int]
    CONFIG_FIELD_NUMBER: _ClassVar[int]
    BASE_MODEL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_FIELD_NUMBER: _ClassVar[int]
    RESULT_URI_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    account_id: str
    owner_user_id: str
    kind: TrainingJobKind
    status: TrainingJobStatus
    message: str
    learn_data_set_id: int
    eval_data_set_id: int
    column_types_uri: str
    model_name: str
    config: _tabular_pb2.TrainingConfig
    base_model_version_id: str
    progress: TrainingProgress
    result_uri: str
    model_version_id: str
    model_number: int
    attempts: int
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    def __init__(self, job_id: _Optional[str] = ..., account_id: _Optional[str] = ..., owner_user_id: _Optional[str] = ..., kind: _Optional[_Union[TrainingJobKind, str]] = ..., status: _Optional[_Union[TrainingJobStatus, str]] = ..., message: _Optional[str] = ..., learn_data_set_id: _Optional[int] = ..., eval_data_set_id: _Optional[int] = ..., column_types_uri: _Optional[str] = ..., model_name: _Optional[str] = ..., config: _Optional[_Union[_tabular_pb2.TrainingConfig, _Mapping]] = ..., base_model_version_id: _Optional[str] = ..., progress: _Optional[_Union[TrainingProgress, _Mapping]] = ..., result_uri: _Optional[str] = ..., model_version_id: _Optional[str] = ..., model_number: _Optional[int] = ..., attempts: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
