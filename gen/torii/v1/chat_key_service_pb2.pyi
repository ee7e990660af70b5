import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from torii.v1 import accounts_pb2 as _accounts_pb2
from torii.v1 import apis_pb2 as _apis_pb2
from torii.v1 import chat_keys_pb2 as _chat_keys_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateChatKeyRequest(_message.Message):
    __slots__ = ("actor_user_id", "account_id", "name", "api_ids", "limits", "projects", "default_project", "expires_at")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    API_IDS_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    PROJECTS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_PROJECT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    account_id: str
    name: str
    api_ids: _containers.RepeatedScalarFieldContainer[str]
    limits: _chat_keys_pb2.ChatKeyLimits
    projects: _containers.RepeatedScalarFieldContainer[str]
    default_project: str
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, actor_user_id: _Optional[str] = ..., account_id: _Optional[str] = ..., name: _Optional[str] = ..., api_ids: _Optional[_Iterable[str]] = ..., limits: _Optional[_Union[_chat_keys_pb2.ChatKeyLimits, _Mapping]] = ..., projects: _Optional[_Iterable[str]] = ..., default_project: _Optional[str] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateChatKeyResponse(_message.Message):
    __slots__ = ("key", "secret")
    KEY_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    key: _chat_keys_pb2.ChatKey
    secret: _accounts_pb2.IssuedSecret
    def __init__(self, key: _Optional[_Union[_chat_keys_pb2.ChatKey, _Mapping]] = ..., secret: _Optional[_Union[_accounts_pb2.IssuedSecret, _Mapping]] = ...) -> None: ...

class GetChatKeyRequest(_message.Message):
    __slots__ = ("actor_user_id", "key_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    key_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., key_id: _Optional[str] = ...) -> None: ...

class GetChatKeyResponse(_message.Message):
    __slots__ = ("key",)
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: _chat_keys_pb2.ChatKey
    def __init__(self, key: _Optional[_Union[_chat_keys_pb2.ChatKey, _Mapping]] = ...) -> None: ...

class ListChatKeysRequest(_message.Message):
    __slots__ = ("actor_user_id", "account_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    account_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., account_id: _Optional[str] = ...) -> None: ...

class ListChatKeysResponse(_message.Message):
    __slots__ = ("keys",)
    KEYS_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedCompositeFieldContainer[_chat_keys_pb2.ChatKey]
    def __init__(self, keys: _Optional[_Iterable[_Union[_chat_keys_pb2.ChatKey, _Mapping]]] = ...) -> None: ...

class UpdateChatKeyRequest(_message.Message):
    __slots__ = ("actor_user_id", "key_id", "name", "api_ids", "api_ids_given", "limits", "projects", "projects_given", "default_project")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    API_IDS_FIELD_NUMBER: _ClassVar[int]
    API_IDS_GIVEN_FIELD_NUMBER: _ClassVar[int]
    LIMITS_FIELD_NUMBER: _ClassVar[int]
    PROJECTS_FIELD_NUMBER: _ClassVar[int]
    PROJECTS_GIVEN_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_PROJECT_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    key_id: str
    name: str
    api_ids: _containers.RepeatedScalarFieldContainer[str]
    api_ids_given: bool
    limits: _chat_keys_pb2.ChatKeyLimits
    projects: _containers.RepeatedScalarFieldContainer[str]
    projects_given: bool
    default_project: str
    def __init__(self, actor_user_id: _Optional[str] = ..., key_id: _Optional[str] = ..., name: _Optional[str] = ..., api_ids: _Optional[_Iterable[str]] = ..., api_ids_given: _Optional[bool] = ..., limits: _Optional[_Union[_chat_keys_pb2.ChatKeyLimits, _Mapping]] = ..., projects: _Optional[_Iterable[str]] = ..., projects_given: _Optional[bool] = ..., default_project: _Optional[str] = ...) -> None: ...

class UpdateChatKeyResponse(_message.Message):
    __slots__ = ("key",)
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: _chat_keys_pb2.ChatKey
    def __init__(self, key: _Optional[_Union[_chat_keys_pb2.ChatKey, _Mapping]] = ...) -> None: ...

class RotateChatKeyRequest(_message.Message):
    __slots__ = ("actor_user_id", "key_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    key_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., key_id: _Optional[str] = ...) -> None: ...

class RotateChatKeyResponse(_message.Message):
    __slots__ = ("key", "secret")
    KEY_FIELD_NUMBER: _ClassVar[int]
    SECRET_FIELD_NUMBER: _ClassVar[int]
    key: _chat_keys_pb2.ChatKey
    secret: _accounts_pb2.IssuedSecret
    def __init__(self, key: _Optional[_Union[_chat_keys_pb2.ChatKey, _Mapping]] = ..., secret: _Optional[_Union[_accounts_pb2.IssuedSecret, _Mapping]] = ...) -> None: ...

class AdmitChatRequestRequest(_message.Message):
    __slots__ = ("key_id", "api_id", "project", "prompt_tokens_bound", "max_completion_tokens", "default_completion_tokens", "lease_seconds")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    API_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    PROMPT_TOKENS_BOUND_FIELD_NUMBER: _ClassVar[int]
    MAX_COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    DEFAULT_COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    LEASE_SECONDS_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    api_id: str
    project: str
    prompt_tokens_bound: int
    max_completion_tokens: int
    default_completion_tokens: int
    lease_seconds: int
    def __init__(self, key_id: _Optional[str] = ..., api_id: _Optional[str] = ..., project: _Optional[str] = ..., prompt_tokens_bound: _Optional[int] = ..., max_completion_tokens: _Optional[int] = ..., default_completion_tokens: _Optional[int] = ..., lease_seconds: _Optional[int] = ...) -> None: ...

class AdmitChatRequestResponse(_message.Message):
    __slots__ = ("admitted", "lease_id", "max_completion_tokens", "project", "refusal", "retry_after_ms", "rate")
    ADMITTED_FIELD_NUMBER: _ClassVar[int]
    LEASE_ID_FIELD_NUMBER: _ClassVar[int]
    MAX_COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    PROJECT_FIELD_NUMBER: _ClassVar[int]
    REFUSAL_FIELD_NUMBER: _ClassVar[int]
    RETRY_AFTER_MS_FIELD_NUMBER: _ClassVar[int]
    RATE_FIELD_NUMBER: _ClassVar[int]
    admitted: bool
    lease_id: str
    max_completion_tokens: int
    project: str
    refusal: _chat_keys_pb2.ChatAdmissionRefusal
    retry_after_ms: int
    rate: _chat_keys_pb2.ChatRateState
    def __init__(self, admitted: _Optional[bool] = ..., lease_id: _Optional[str] = ..., max_completion_tokens: _Optional[int] = ..., project: _Optional[str] = ..., refusal: _Optional[_Union[_chat_keys_pb2.ChatAdmissionRefusal, str]] = ..., retry_after_ms: _Optional[int] = ..., rate: _Optional[_Union[_chat_keys_pb2.ChatRateState, _Mapping]] = ...) -> None: ...

class FinishChatRequestRequest(_message.Message):
    __slots__ = ("lease_id", "prompt_tokens", "completion_tokens")
    LEASE_ID_FIELD_NUMBER: _ClassVar[int]
    PROMPT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    lease_id: str
    prompt_tokens: int
    completion_tokens: int
    def __init__(self, lease_id: _Optional[str] = ..., prompt_tokens: _Optional[int] = ..., completion_tokens: _Optional[int] = ...) -> None: ...

class FinishChatRequestResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetChatKeyUsageRequest(_message.Message):
    __slots__ = ("actor_user_id", "key_id", "from_day", "to_day")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_DAY_FIELD_NUMBER: _ClassVar[int]
    TO_DAY_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    key_id: str
    from_day: str
    to_day: str
    def __init__(self, actor_user_id: _Optional[str] = ..., key_id: _Optional[str] = ..., from_day: _Optional[str] = ..., to_day: _Optional[str] = ...) -> None: ...

class GetChatKeyUsageResponse(_message.Message):
    __slots__ = ("days",)
    DAYS_FIELD_NUMBER: _ClassVar[int]
    days: _containers.RepeatedCompositeFieldContainer[_apis_pb2.ChatTokenUsage]
    def __init__(self, days: _Optional[_Iterable[_Union[_apis_pb2.ChatTokenUsage, _Mapping]]] = ...) -> None: ...
