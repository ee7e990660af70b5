import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from torii.v1 import accounts_pb2 as _accounts_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SignInRequest(_message.Message):
    __slots__ = ("user_name", "account_name", "password")
    USER_NAME_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_NAME_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    user_name: str
    account_name: str
    password: str
    def __init__(self, user_name: _Optional[str] = ..., account_name: _Optional[str] = ..., password: _Optional[str] = ...) -> None: ...

class SignInResponse(_message.Message):
    __slots__ = ("user", "session_token", "csrf_token", "expires_at", "must_change_password")
    USER_FIELD_NUMBER: _ClassVar[int]
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CSRF_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    MUST_CHANGE_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    user: _accounts_pb2.User
    session_token: str
    csrf_token: str
    expires_at: _timestamp_pb2.Timestamp
    must_change_password: bool
    def __init__(self, user: _Optional[_Union[_accounts_pb2.User, _Mapping]] = ..., session_token: _Optional[str] = ..., csrf_token: _Optional[str] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., must_change_password: _Optional[bool] = ...) -> None: ...

class AuthenticateSessionRequest(_message.Message):
    __slots__ = ("session_token", "csrf_token", "check_csrf")
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CSRF_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CHECK_CSRF_FIELD_NUMBER: _ClassVar[int]
    session_token: str
    csrf_token: str
    check_csrf: bool
    def __init__(self, session_token: _Optional[str] = ..., csrf_token: _Optional[str] = ..., check_csrf: _Optional[bool] = ...) -> None: ...

class AuthenticateSessionResponse(_message.Message):
    __slots__ = ("user", "must_change_password", "expires_at")
    USER_FIELD_NUMBER: _ClassVar[int]
    MUST_CHANGE_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    user: _accounts_pb2.User
    must_change_password: bool
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, user: _Optional[_Union[_accounts_pb2.User, _Mapping]] = ..., must_change_password: _Optional[bool] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SignOutRequest(_message.Message):
    __slots__ = ("session_token",)
    SESSION_TOKEN_FIELD_NUMBER: _ClassVar[int]
    session_token: str
    def __init__(self, session_token: _Optional[str] = ...) -> None: ...

class SignOutResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetPasswordRequest(_message.Message):
    __slots__ = ("actor_user_id", "user_id", "current_password", "new_password")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    CURRENT_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    NEW_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    user_id: str
    current_password: str
    new_password: str
    def __init__(self, actor_user_id: _Optional[str] = ..., user_id: _Optional[str] = ..., current_password: _Optional[str] = ..., new_password: _Optional[str] = ...) -> None: ...

class SetPasswordResponse(_message.Message):
    __slots__ = ("must_change_password",)
    MUST_CHANGE_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    must_change_password: bool
    def __init__(self, must_change_password: _Optional[bool] = ...) -> None: ...
