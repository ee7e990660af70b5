from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ColumnType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    COLUMN_TYPE_UNSPECIFIED: _ClassVar[ColumnType]
    COLUMN_TYPE_INTEGER: _ClassVar[ColumnType]
    COLUMN_TYPE_FLOAT: _ClassVar[ColumnType]
    COLUMN_TYPE_STRING: _ClassVar[ColumnType]
    COLUMN_TYPE_TEXT: _ClassVar[ColumnType]
    COLUMN_TYPE_DATE: _ClassVar[ColumnType]
    COLUMN_TYPE_IGNORE: _ClassVar[ColumnType]

class ProblemType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROBLEM_TYPE_UNSPECIFIED: _ClassVar[ProblemType]
    PROBLEM_TYPE_BINARY_CLASSIFICATION: _ClassVar[ProblemType]
    PROBLEM_TYPE_MULTI_CLASSIFICATION: _ClassVar[ProblemType]
    PROBLEM_TYPE_REGRESSION: _ClassVar[ProblemType]
COLUMN_TYPE_UNSPECIFIED: ColumnType
COLUMN_TYPE_INTEGER: ColumnType
COLUMN_TYPE_FLOAT: ColumnType
COLUMN_TYPE_STRING: ColumnType
COLUMN_TYPE_TEXT: ColumnType
COLUMN_TYPE_DATE: ColumnType
COLUMN_TYPE_IGNORE: ColumnType
PROBLEM_TYPE_UNSPECIFIED: ProblemType
PROBLEM_TYPE_BINARY_CLASSIFICATION: ProblemType
PROBLEM_TYPE_MULTI_CLASSIFICATION: ProblemType
PROBLEM_TYPE_REGRESSION: ProblemType

class TimeSeriesConfig(_message.Message):
    __slots__ = ("enabled", "time_column", "time_unit", "interval", "window_start", "window_end", "series_column", "others_known", "known_exceptions")
    ENABLED_FIELD_NUMBER: _ClassVar[int]
    TIME_COLUMN_FIELD_NUMBER: _ClassVar[int]
    TIME_UNIT_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    WINDOW_START_FIELD_NUMBER: _ClassVar[int]
    WINDOW_END_FIELD_NUMBER: _ClassVar[int]
    SERIES_COLUMN_FIELD_NUMBER: _ClassVar[int]
    OTHERS_KNOWN_FIELD_NUMBER: _ClassVar[int]
    KNOWN_EXCEPTIONS_FIELD_NUMBER: _ClassVar[int]
    enabled: bool
    time_column: str
    time_unit: str
    interval: int
    window_start: int
    window_end: int
    series_column: str
    others_known: bool
    known_exceptions: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, enabled: _Optional[bool] = ..., time_column: _Optional[str] = ..., time_unit: _Optional[str] = ..., interval: _Optional[int] = ..., window_start: _Optional[int] = ..., window_end: _Optional[int] = ..., series_column: _Optional[str] = ..., others_known: _Optional[bool] = ..., known_exceptions: _Optional[_Iterable[str]] = ...) -> None: ...

class TrainingConfig(_message.Message):
    __slots__ = ("target_column", "problem_type", "positive_class", "cv", "imbalance", "time_series")
    TARGET_COLUMN_FIELD_NUMBER: _ClassVar[int]
    PROBLEM_TYPE_FIELD_NUMBER: _ClassVar[int]
    POSITIVE_CLASS_FIELD_NUMBER: _ClassVar[int]
    CV_FIELD_NUMBER: _ClassVar[int]
    IMBALANCE_FIELD_NUMBER: _ClassVar[int]
    TIME_SERIES_FIELD_NUMBER: _ClassVar[int]
    target_column: str
    problem_type: ProblemType
    positive_class: str
    cv: int
    imbalance: bool
    time_series: TimeSeriesConfig
    def __init__(self, target_column: _Optional[str] = ..., problem_type: _Optional[_Union[ProblemType, str]] = ..., positive_class: _Optional[str] = ..., cv: _Optional[int] = ..., imbalance: _Optional[bool] = ..., time_series: _Optional[_Union[TimeSeriesConfig, _Mapping]] = ...) -> None: ...

class TabularInput(_message.Message):
    __slots__ = ("name", "input_name", "type")
    NAME_FIELD_NUMBER: _ClassVar[int]
    INPUT_NAME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    name: str
    input_name: str
    type: ColumnType
    def __init__(self, name: _Optional[str] = ..., input_name: _Optional[str] = ..., type: _Optional[_Union[ColumnType, str]] = ...) -> None: ...

class TabularSchema(_message.Message):
    __slots__ = ("problem_type", "target_column", "columns", "class_labels", "positive_class", "training", "time_series")
    PROBLEM_TYPE_FIELD_NUMBER: _ClassVar[int]
    TARGET_COLUMN_FIELD_NUMBER: _ClassVar[int]
    COLUMNS_FIELD_NUMBER: _ClassVar[int]
    CLASS_LABELS_FIELD_NUMBER: _ClassVar[int]
    POSITIVE_CLASS_FIELD_NUMBER: _ClassVar[int]
    TRAINING_FIELD_NUMBER: _ClassVar[int]
    TIME_SERIES_FIELD_NUMBER: _ClassVar[int]
    problem_type: ProblemType
    target_column: str
    columns: _containers.RepeatedCompositeFieldContainer[TabularInput]
    class_labels: _containers.RepeatedScalarFieldContainer[str]
    positive_class: str
    training: TrainingConfig
    time_series: TimeSeriesLayout
    def __init__(self, problem_type: _Optional[_Union[ProblemType, str]] = ..., target_column: _Optional[str] = ..., columns: _Optional[_Iterable[_Union[TabularInput, _Mapping]]] = ..., class_labels: _Optional[_Iterable[str]] = ..., positive_class: _Optional[str] = ..., training: _Optional[_Union[TrainingConfig, _Mapping]] = ..., time_series: _Optional[_Union[TimeSeriesLayout, _Mapping]] = ...) -> None: ...

class TimeSeriesLayout(_message.Message):
    __slots__ = ("time_column", "series_column", "unit", "interval", "horizons", "lags", "known_in_window", "at_origin", "offset_input")
    TIME_COLUMN_FIELD_NUMBER: _ClassVar[int]
    SERIES_COLUMN_FIELD_NUMBER: _ClassVar[int]
    UNIT_FIELD_NUMBER: _ClassVar[int]
    INTERVAL_FIELD_NUMBER: _ClassVar[int]
    HORIZONS_FIELD_NUMBER: _ClassVar[int]
    LAGS_FIELD_NUMBER: _ClassVar[int]
    KNOWN_IN_WINDOW_FIELD_NUMBER: _ClassVar[int]
    AT_ORIGIN_FIELD_NUMBER: _ClassVar[int]
    OFFSET_INPUT_FIELD_NUMBER: _ClassVar[int]
    time_column: str
    series_column: str
    unit: str
    interval: int
    horizons: _containers.RepeatedScalarFieldContainer[int]
    lags: int
    known_in_window: _containers.RepeatedScalarFieldContainer[str]
    at_origin: _containers.RepeatedScalarFieldContainer[str]
    offset_input: str
    def __init__(self, time_column: _Optional[str] = ..., series_column: _Optional[str] = ..., unit: _Optional[str] = ..., interval: _Optional[int] = ..., horizons: _Optional[_Iterable[int]] = ..., lags: _Optional[int] = ..., known_in_window: _Optional[_Iterable[str]] = ..., at_origin: _Optional[_Iterable[str]] = ..., offset_input: _Optional[str] = ...) -> None: ...
