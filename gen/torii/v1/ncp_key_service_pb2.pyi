import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from torii.v1 import accounts_pb2 as _accounts_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class NcpKey(_message.Message):
    __slots__ = ("access_key", "account_id", "disabled", "created_at", "last_used_at")
    ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    DISABLED_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_USED_AT_FIELD_NUMBER: _ClassVar[int]
    access_key: str
    account_id: str
    disabled: bool
    created_at: _timestamp_pb2.Timestamp
    last_used_at: _timestamp_pb2.Timestamp
    def __init__(self, access_key: _Optional[str] = ..., account_id: _Optional[str] = ..., disabled: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_used_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateNcpKeyRequest(_message.Message):
    __slots__ = ("actor_user_id", "account_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    account_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., account_id: _Optional[str] = ...) -> None: ...

class CreateNcpKeyResponse(_message.Message):
    __slots__ = ("key", "secret_key")
    KEY_FIELD_NUMBER: _ClassVar[int]
    SECRET_KEY_FIELD_NUMBER: _ClassVar[int]
    key: NcpKey
    secret_key: str
    def __init__(self, key: _Optional[_Union[NcpKey, _Mapping]] = ..., secret_key: _Optional[str] = ...) -> None: ...

class ListNcpKeysRequest(_message.Message):
    __slots__ = ("actor_user_id", "account_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    account_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., account_id: _Optional[str] = ...) -> None: ...

class ListNcpKeysResponse(_message.Message):
    __slots__ = ("keys",)
    KEYS_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedCompositeFieldContainer[NcpKey]
    def __init__(self, keys: _Optional[_Iterable[_Union[NcpKey, _Mapping]]] = ...) -> None: ...

class SetNcpKeyDisabledRequest(_message.Message):
    __slots__ = ("actor_user_id", "access_key", "disabled")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    DISABLED_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    access_key: str
    disabled: bool
    def __init__(self, actor_user_id: _Optional[str] = ..., access_key: _Optional[str] = ..., disabled: _Optional[bool] = ...) -> None: ...

class SetNcpKeyDisabledResponse(_message.Message):
    __slots__ = ("key",)
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: NcpKey
    def __init__(self, key: _Optional[_Union[NcpKey, _Mapping]] = ...) -> None: ...

class DeleteNcpKeyRequest(_message.Message):
    __slots__ = ("actor_user_id", "access_key")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    access_key: str
    def __init__(self, actor_user_id: _Optional[str] = ..., access_key: _Optional[str] = ...) -> None: ...

class DeleteNcpKeyResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class VerifyNcpSignatureRequest(_message.Message):
    __slots__ = ("access_key", "signature", "method", "targets", "timestamp")
    ACCESS_KEY_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    TARGETS_FIELD_NUMBER: _ClassVar[int]
    TIMESTAMP_FIELD_NUMBER: _ClassVar[int]
    access_key: str
    signature: str
    method: str
    targets: _containers.RepeatedScalarFieldContainer[str]
    timestamp: str
    def __init__(self, access_key: _Optional[str] = ..., signature: _Optional[str] = ..., method: _Optional[str] = ..., targets: _Optional[_Iterable[str]] = ..., timestamp: _Optional[str] = ...) -> None: ...

class VerifyNcpSignatureResponse(_message.Message):
    __slots__ = ("verified", "account")
    VERIFIED_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    verified: bool
    account: _accounts_pb2.Account
    def __init__(self, verified: _Optional[bool] = ..., account: _Optional[_Union[_accounts_pb2.Account, _Mapping]] = ...) -> None: ...
