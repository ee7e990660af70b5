import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ChatAdmissionRefusal(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CHAT_ADMISSION_REFUSAL_UNSPECIFIED: _ClassVar[ChatAdmissionRefusal]
    CHAT_ADMISSION_REFUSAL_KEY_REFUSED: _ClassVar[ChatAdmissionRefusal]
    CHAT_ADMISSION_REFUSAL_PROJECT_REFUSED: _ClassVar[ChatAdmissionRefusal]
    CHAT_ADMISSION_REFUSAL_REQUESTS_PER_MINUTE: _ClassVar[ChatAdmissionRefusal]
    CHAT_ADMISSION_REFUSAL_TOKENS_PER_MINUTE: _ClassVar[ChatAdmissionRefusal]
    CHAT_ADMISSION_REFUSAL_IN_FLIGHT: _ClassVar[ChatAdmissionRefusal]
    CHAT_ADMISSION_REFUSAL_DAILY_BUDGET: _ClassVar[ChatAdmissionRefusal]
    CHAT_ADMISSION_REFUSAL_MONTHLY_BUDGET: _ClassVar[ChatAdmissionRefusal]
CHAT_ADMISSION_REFUSAL_UNSPECIFIED: ChatAdmissionRefusal
CHAT_ADMISSION_REFUSAL_KEY_REFUSED: ChatAdmissionRefusal
CHAT_ADMISSION_REFUSAL_PROJECT_REFUSED: ChatAdmissionRefusal
CHAT_ADMISSION_REFUSAL_REQUESTS_PER_MINUTE: ChatAdmissionRefusal
CHAT_ADMISSION_REFUSAL_TOKENS_PER_MINUTE: ChatAdmissionRefusal
CHAT_ADMISSION_REFUSAL_IN_FLIGHT: ChatAdmissionRefusal
CHAT_ADMISSION_REFUSAL_DAILY_BUDGET: ChatAdmissionRefusal
CHAT_ADMISSION_REFUSAL_MONTHLY_BUDGET: ChatAdmissionRefusal

class ChatKeyLimits(_message.Message):
    __slots__ = ("requests_per_minute", "tokens_per_minute", "max_in_flight", "tokens_per_day", "tokens_per_month")
    REQUESTS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    TOKENS_PER_MINUTE_FIELD_NUMBER: _ClassVar[int]
    MAX_IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    TOKENS_PER_DAY_FIELD_NUMBER: _ClassVar[int]
    TOKENS_PER_MONTH_FIELD_NUMBER: _ClassVar[int]
    requests_per_minute: int
    tokens_per_minute: int
    max_in_flight: int
    tokens_per_day: int
    tokens_per_month: int
    def __init__(self, requests_per_minute: _Optional[int] = ..., tokens_per_minute: _Optional[int] = ..., max_in_flight: _Optional[int] = ..., tokens_per_day: _Optional[int] = ..., tokens_per_month: _Optional[int] = ...) -> None: ...

class ChatKey(_message.Message):
    __slots__ = ("key_id", "account_id", "name", "api_ids", "limits", "projects", "default_project", "created_at", "expires_at", "rotated_at")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    API_IDS_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    PROJECTS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_PROJECT_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    ROTATED_AT_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    account_id: str
    name: str
    api_ids: _containers.RepeatedScalarFieldContainer[str]
    limits: ChatKeyLimits
    projects: _containers.RepeatedScalarFieldContainer[str]
    default_project: str
    created_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    rotated_at: _timestamp_pb2.Timestamp
    def __init__(self, key_id: _Optional[str] = ..., account_id: _Optional[str] = ..., name: _Optional[str] = ..., api_ids: _Optional[_Iterable[str]] = ..., limits: _Optional[_Union[ChatKeyLimits, _Mapping]] = ..., projects: _Optional[_Iterable[str]] = ..., default_project: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., rotated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ChatRateState(_message.Message):
    __slots__ = ("limit_requests", "remaining_requests", "reset_requests_ms", "limit_tokens", "remaining_tokens", "reset_tokens_ms")
    LIMIT_REQUESTS_FIELD_NUMBER: _ClassVar[int]
    REMAINING_REQUESTS_FIELD_NUMBER: _ClassVar[int]
    RESET_REQUESTS_MS_FIELD_NUMBER: _ClassVar[int]
    LIMIT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    REMAINING_TOKENS_FIELD_NUMBER: _ClassVar[int]
    RESET_TOKENS_MS_FIELD_NUMBER: _ClassVar[int]
    limit_requests: int
    remaining_requests: int
    reset_requests_ms: int
    limit_tokens: int
    remaining_tokens: int
    reset_tokens_ms: int
    def __init__(self, limit_requests: _Optional[int] = ..., remaining_requests: _Optional[int] = ..., reset_requests_ms: _Optional[int] = ..., limit_tokens: _Optional[int] = ..., remaining_tokens: _Optional[int] = ..., reset_tokens_ms: _Optional[int] = ...) -> None: ...
