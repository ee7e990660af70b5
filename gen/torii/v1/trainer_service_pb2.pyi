from torii.v1 import tabular_pb2 as _tabular_pb2
from torii.v1 import training_pb2 as _training_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UploadHeader(_message.Message):
    __slots__ = ("job_id", "slot", "filename", "extension")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    SLOT_FIELD_NUMBER: _ClassVar[int]
    FILENAME_FIELD_NUMBER: _ClassVar[int]
    EXTENSION_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    slot: _training_pb2.UploadSlot
    filename: str
    extension: str
    def __init__(self, job_id: _Optional[str] = ..., slot: _Optional[_Union[_training_pb2.UploadSlot, str]] = ..., filename: _Optional[str] = ..., extension: _Optional[str] = ...) -> None: ...

class UploadFileRequest(_message.Message):
    __slots__ = ("header", "chunk")
    HEADER_FIELD_NUMBER: _ClassVar[int]
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    header: UploadHeader
    chunk: bytes
    def __init__(self, header: _Optional[_Union[UploadHeader, _Mapping]] = ..., chunk: _Optional[bytes] = ...) -> None: ...

class UploadFileResponse(_message.Message):
    __slots__ = ("job", "data_set")
    JOB_FIELD_NUMBER: _ClassVar[int]
    DATA_SET_FIELD_NUMBER: _ClassVar[int]
    job: _training_pb2.TrainingJob
    data_set: _training_pb2.DataSet
    def __init__(self, job: _Optional[_Union[_training_pb2.TrainingJob, _Mapping]] = ..., data_set: _Optional[_Union[_training_pb2.DataSet, _Mapping]] = ...) -> None: ...

class DescribeColumnsRequest(_message.Message):
    __slots__ = ("job_id", "target_column")
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_COLUMN_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    target_column: str
    def __init__(self, job_id: _Optional[str] = ..., target_column: _Optional[str] = ...) -> None: ...

class NumericSummary(_message.Message):
    __slots__ = ("min", "max", "mean", "median")
    MIN_FIELD_NUMBER: _ClassVar[int]
    MAX_FIELD_NUMBER: _ClassVar[int]
    MEAN_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_FIELD_NUMBER: _ClassVar[int]
    min: float
    max: float
    mean: float
    median: float
    def __init__(self, min: _Optional[float] = ..., max: _Optional[float] = ..., mean: _Optional[float] = ..., median: _Optional[float] = ...) -> None: ...

class DateRange(_message.Message):
    __slots__ = ("min_epoch_seconds", "max_epoch_seconds", "median_epoch_seconds", "time_unit")
    MIN_EPOCH_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MAX_EPOCH_SECONDS_FIELD_NUMBER: _ClassVar[int]
    MEDIAN_EPOCH_SECONDS_FIELD_NUMBER: _ClassVar[int]
    TIME_UNIT_FIELD_NUMBER: _ClassVar[int]
    min_epoch_seconds: int
    max_epoch_seconds: int
    median_epoch_seconds: int
    time_unit: str
    def __init__(self, min_epoch_seconds: _Optional[int] = ..., max_epoch_seconds: _Optional[int] = ..., median_epoch_seconds: _Optional[int] = ..., time_unit: _Optional[str] = ...) -> None: ...

class ClassCount(_message.Message):
    __slots__ = ("value", "count")
    VALUE_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    value: str
    count: int
    def __init__(self, value: _Optional[str] = ..., count: _Optional[int] = ...) -> None: ...

class ColumnSummary(_message.Message):
    __slots__ = ("column_id", "name", "type", "available_types", "unique_count", "data_count", "missing_count", "correlation", "classes", "numeric", "dates", "useless_reason")
    COLUMN_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_TYPES_FIELD_NUMBER: _ClassVar[int]
    UNIQUE_COUNT_FIELD_NUMBER: _ClassVar[int]
    DATA_COUNT_FIELD_NUMBER: _ClassVar[int]
    MISSING_COUNT_FIELD_NUMBER: _ClassVar[int]
    CORRELATION_FIELD_NUMBER: _ClassVar[int]
    CLASSES_FIELD_NUMBER: _ClassVar[int]
    NUMERIC_FIELD_NUMBER: _ClassVar[int]
    DATES_FIELD_NUMBER: _ClassVar[int]
    USELESS_REASON_FIELD_NUMBER: _ClassVar[int]
    column_id: int
    name: str
    type: _tabular_pb2.ColumnType
    available_types: _containers.RepeatedScalarFieldContainer[_tabular_pb2.ColumnType]
    unique_count: int
    data_count: int
    missing_count: int
    correlation: float
    classes: _containers.RepeatedCompositeFieldContainer[ClassCount]
    numeric: NumericSummary
    dates: DateRange
    useless_reason: str
    def __init__(self, column_id: _Optional[int] = ..., name: _Optional[str] = ..., type: _Optional[_Union[_tabular_pb2.ColumnType, str]] = ..., available_types: _Optional[_Iterable[_Union[_tabular_pb2.ColumnType, str]]] = ..., unique_count: _Optional[int] = ..., data_count: _Optional[int] = ..., missing_count: _Optional[int] = ..., correlation: _Optional[float] = ..., classes: _Optional[_Iterable[_Union[ClassCount, _Mapping]]] = ..., numeric: _Optional[_Union[NumericSummary, _Mapping]] = ..., dates: _Optional[_Union[DateRange, _Mapping]] = ..., useless_reason: _Optional[str] = ...) -> None: ...

class DescribeColumnsResponse(_message.Message):
    __slots__ = ("column_names", "sample_rows", "columns", "row_count")
    COLUMN_NAMES_FIELD_NUMBER: _ClassVar[int]
    SAMPLE_ROWS_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    ROW_COUNT_FIELD_NUMBER: _ClassVar[int]
    column_names: _containers.RepeatedScalarFieldContainer[str]
    sample_rows: _containers.RepeatedScalarFieldContainer[str]
    columns: _containers.RepeatedCompositeFieldContainer[ColumnSummary]
    row_count: int
    def __init__(self, column_names: _Optional[_Iterable[str]] = ..., sample_rows: _Optional[_Iterable[str]] = ..., columns: _Optional[_Iterable[_Union[ColumnSummary, _Mapping]]] = ..., row_count: _Optional[int] = ...) -> None: ...

class WatchTrainingJobRequest(_message.Message):
    __slots__ = ("job_id",)
    JOB_ID_FIELD_NUMBER: _ClassVar[int]
    job_id: str
    def __init__(self, job_id: _Optional[str] = ...) -> None: ...

class WatchTrainingJobResponse(_message.Message):
    __slots__ = ("job",)
    JOB_FIELD_NUMBER: _ClassVar[int]
    job: _training_pb2.TrainingJob
    def __init__(self, job: _Optional[_Union[_training_pb2.TrainingJob, _Mapping]] = ...) -> None: ...

class ReadArtifactRequest(_message.Message):
    __slots__ = ("artifact_uri",)
    ARTIFACT_URI_FIELD_NUMBER: _ClassVar[int]
    artifact_uri: str
    def __init__(self, artifact_uri: _Optional[str] = ...) -> None: ...

class ReadArtifactResponse(_message.Message):
    __slots__ = ("chunk",)
    CHUNK_FIELD_NUMBER: _ClassVar[int]
    chunk: bytes
    def __init__(self, chunk: _Optional[bytes] = ...) -> None: ...

class RemoveDataSetRequest(_message.Message):
    __slots__ = ("actor_user_id", "data_set_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    DATA_SET_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    data_set_id: int
    def __init__(self, actor_user_id: _Optional[str] = ..., data_set_id: _Optional[int] = ...) -> None: ...

class RemoveDataSetResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class RemoveTrainedModelRequest(_message.Message):
    __slots__ = ("actor_user_id", "model_number")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_NUMBER_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    model_number: int
    def __init__(self, actor_user_id: _Optional[str] = ..., model_number: _Optional[int] = ...) -> None: ...

class RemoveTrainedModelResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
