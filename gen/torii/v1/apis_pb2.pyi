import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ApiType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    API_TYPE_UNSPECIFIED: _ClassVar[ApiType]
    API_TYPE_FORMAL: _ClassVar[ApiType]
    API_TYPE_TRIAL: _ClassVar[ApiType]

class ExecutionType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    EXECUTION_TYPE_UNSPECIFIED: _ClassVar[ExecutionType]
    EXECUTION_TYPE_SERVERLESS: _ClassVar[ExecutionType]
    EXECUTION_TYPE_DEDICATED: _ClassVar[ExecutionType]

class InstanceKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    INSTANCE_KIND_UNSPECIFIED: _ClassVar[InstanceKind]
    INSTANCE_KIND_CPU: _ClassVar[InstanceKind]
    INSTANCE_KIND_GPU: _ClassVar[InstanceKind]

class ApiContract(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    API_CONTRACT_UNSPECIFIED: _ClassVar[ApiContract]
    API_CONTRACT_NNC: _ClassVar[ApiContract]
    API_CONTRACT_PREDICTION_ONE: _ClassVar[ApiContract]
    API_CONTRACT_OPENAI_CHAT: _ClassVar[ApiContract]

class ApiStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    API_STATUS_UNSPECIFIED: _ClassVar[ApiStatus]
    API_STATUS_BUILDING: _ClassVar[ApiStatus]
    API_STATUS_UPDATING: _ClassVar[ApiStatus]
    API_STATUS_RUNNING: _ClassVar[ApiStatus]
    API_STATUS_STOPPED: _ClassVar[ApiStatus]
    API_STATUS_DELETING: _ClassVar[ApiStatus]
    API_STATUS_FAILED: _ClassVar[ApiStatus]
    API_STATUS_OUTSIDE_SCHEDULE: _ClassVar[ApiStatus]

class Weekday(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WEEKDAY_UNSPECIFIED: _ClassVar[Weekday]
    WEEKDAY_MONDAY: _ClassVar[Weekday]
    WEEKDAY_TUESDAY: _ClassVar[Weekday]
    WEEKDAY_WEDNESDAY: _ClassVar[Weekday]
    WEEKDAY_THURSDAY: _ClassVar[Weekday]
    WEEKDAY_FRIDAY: _ClassVar[Weekday]
    WEEKDAY_SATURDAY: _ClassVar[Weekday]
    WEEKDAY_SUNDAY: _ClassVar[Weekday]

class RuleAction(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    RULE_ACTION_UNSPECIFIED: _ClassVar[RuleAction]
    RULE_ACTION_ALLOW: _ClassVar[RuleAction]
    RULE_ACTION_DENY: _ClassVar[RuleAction]
API_TYPE_UNSPECIFIED: ApiType
API_TYPE_FORMAL: ApiType
API_TYPE_TRIAL: ApiType
EXECUTION_TYPE_UNSPECIFIED: ExecutionType
EXECUTION_TYPE_SERVERLESS: ExecutionType
EXECUTION_TYPE_DEDICATED: ExecutionType
INSTANCE_KIND_UNSPECIFIED: InstanceKind
INSTANCE_KIND_CPU: InstanceKind
INSTANCE_KIND_GPU: InstanceKind
API_CONTRACT_UNSPECIFIED: ApiContract
API_CONTRACT_NNC: ApiContract
API_CONTRACT_PREDICTION_ONE: ApiContract
API_CONTRACT_OPENAI_CHAT: ApiContract
API_STATUS_UNSPECIFIED: ApiStatus
API_STATUS_BUILDING: ApiStatus
API_STATUS_UPDATING: ApiStatus
API_STATUS_RUNNING: ApiStatus
API_STATUS_STOPPED: ApiStatus
API_STATUS_DELETING: ApiStatus
API_STATUS_FAILED: ApiStatus
API_STATUS_OUTSIDE_SCHEDULE: ApiStatus
WEEKDAY_UNSPECIFIED: Weekday
WEEKDAY_MONDAY: Weekday
WEEKDAY_TUESDAY: Weekday
WEEKDAY_WEDNESDAY: Weekday
WEEKDAY_THURSDAY: Weekday
WEEKDAY_FRIDAY: Weekday
WEEKDAY_SATURDAY: Weekday
WEEKDAY_SUNDAY: Weekday
RULE_ACTION_UNSPECIFIED: RuleAction
RULE_ACTION_ALLOW: RuleAction
RULE_ACTION_DENY: RuleAction

class Schedule(_message.Message):
    __slots__ = ("always", "start_time", "end_time", "weekdays")
    ALWAYS_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    WEEKDAYS_FIELD_NUMBER: _ClassVar[int]
    always: bool
    start_time: str
    end_time: str
    weekdays: _containers.RepeatedScalarFieldContainer[Weekday]
    def __init__(self, always: _Optional[bool] = ..., start_time: _Optional[str] = ..., end_time: _Optional[str] = ..., weekdays: _Optional[_Iterable[_Union[Weekday, str]]] = ...) -> None: ...

class AccessRule(_message.Message):
    __slots__ = ("cidr", "action", "priority")
    CIDR_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    PRIORITY_FIELD_NUMBER: _ClassVar[int]
    cidr: str
    action: RuleAction
    priority: int
    def __init__(self, cidr: _Optional[str] = ..., action: _Optional[_Union[RuleAction, str]] = ..., priority: _Optional[int] = ...) -> None: ...

class PublishedApi(_message.Message):
    __slots__ = ("api_id", "account_id", "name", "model_version_id", "api_type", "execution_type", "instance_kind", "instance_count", "schedule", "status", "status_message", "public", "locked", "rules", "url_path", "trial_limit", "trial_used", "created_at", "updated_at", "serving_model_version_id", "contract", "chat_model_id")
    API_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    API_TYPE_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_TYPE_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_KIND_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_FIELD_NUMBER: _ClassVar[int]
    LOCKED_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    URL_PATH_FIELD_NUMBER: _ClassVar[int]
    TRIAL_LIMIT_FIELD_NUMBER: _ClassVar[int]
    TRIAL_USED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    SERVING_MODEL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    CHAT_MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    api_id: str
    account_id: str
    name: str
    model_version_id: str
    api_type: ApiType
    execution_type: ExecutionType
    instance_kind: InstanceKind
    instance_count: int
    schedule: Schedule
    status: ApiStatus
    status_message: str
    public: bool
    locked: bool
    rules: _containers.RepeatedCompositeFieldContainer[AccessRule]
    url_path: str
    trial_limit: int
    trial_used: int
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    serving_model_version_id: str
    contract: ApiContract
    chat_model_id: str
    def __init__(self, api_id: _Optional[str] = ..., account_id: _Optional[str] = ..., name: _Optional[str] = ..., model_version_id: _Optional[str] = ..., api_type: _Optional[_Union[ApiType, str]] = ..., execution_type: _Optional[_Union[ExecutionType, str]] = ..., instance_kind: _Optional[_Union[InstanceKind, str]] = ..., instance_count: _Optional[int] = ..., schedule: _Optional[_Union[Schedule, _Mapping]] = ..., status: _Optional[_Union[ApiStatus, str]] = ..., status_message: _Optional[str] = ..., public: _Optional[bool] = ..., locked: _Optional[bool] = ..., rules: _Optional[_Iterable[_Union[AccessRule, _Mapping]]] = ..., url_path: _Optional[str] = ..., trial_limit: _Optional[int] = ..., trial_used: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., serving_model_version_id: _Optional[str] = ..., contract: _Optional[_Union[ApiContract, str]] = ..., chat_model_id: _Optional[str] = ...) -> None: ...

class ApiKeyDigest(_message.Message):
    __slots__ = ("key_id", "sha256", "expires_at", "chat_key")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    CHAT_KEY_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    sha256: bytes
    expires_at: _timestamp_pb2.Timestamp
    chat_key: bool
    def __init__(self, key_id: _Optional[str] = ..., sha256: _Optional[bytes] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., chat_key: _Optional[bool] = ...) -> None: ...

class ChatTokenUsage(_message.Message):
    __slots__ = ("api_id", "key_id", "project", "day", "requests", "prompt_tokens", "completion_tokens")
    API_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    REQUESTS_FIELD_NUMBER: _ClassVar[int]
    PROMPT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    api_id: str
    key_id: str
    project: str
    day: str
    requests: int
    prompt_tokens: int
    completion_tokens: int
    def __init__(self, api_id: _Optional[str] = ..., key_id: _Optional[str] = ..., project: _Optional[str] = ..., day: _Optional[str] = ..., requests: _Optional[int] = ..., prompt_tokens: _Optional[int] = ..., completion_tokens: _Optional[int] = ...) -> None: ...

class DailyUsage(_message.Message):
    __slots__ = ("api_id", "day", "count_2xx", "count_4xx", "count_5xx")
    API_ID_FIELD_NUMBER: _ClassVar[int]
    DAY_FIELD_NUMBER: _ClassVar[int]
    COUNT_2XX_FIELD_NUMBER: _ClassVar[int]
    COUNT_4XX_FIELD_NUMBER: _ClassVar[int]
    COUNT_5XX_FIELD_NUMBER: _ClassVar[int]
    api_id: str
    day: str
    count_2xx: int
    count_4xx: int
    count_5xx: int
    def __init__(self, api_id: _Optional[str] = ..., day: _Optional[str] = ..., count_2xx: _Optional[int] = ..., count_4xx: _Optional[int] = ..., count_5xx: _Optional[int] = ...) -> None: ...
