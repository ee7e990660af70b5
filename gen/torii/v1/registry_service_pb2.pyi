import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from torii.v1 import accounts_pb2 as _accounts_pb2
from torii.v1 import apis_pb2 as _apis_pb2
from torii.v1 import models_pb2 as _models_pb2
from torii.v1 import training_pb2 as _training_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CredentialKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    CREDENTIAL_KIND_UNSPECIFIED: _ClassVar[CredentialKind]
    CREDENTIAL_KIND_BEARER_TOKEN: _ClassVar[CredentialKind]
    CREDENTIAL_KIND_API_KEY: _ClassVar[CredentialKind]
    CREDENTIAL_KIND_PREDICTION_ONE_KEY: _ClassVar[CredentialKind]
    CREDENTIAL_KIND_CHAT_KEY: _ClassVar[CredentialKind]

class WatchEventType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WATCH_EVENT_TYPE_UNSPECIFIED: _ClassVar[WatchEventType]
    WATCH_EVENT_TYPE_UPSERTED: _ClassVar[WatchEventType]
    WATCH_EVENT_TYPE_DELETED: _ClassVar[WatchEventType]
    WATCH_EVENT_TYPE_SYNCED: _ClassVar[WatchEventType]
CREDENTIAL_KIND_UNSPECIFIED: CredentialKind
CREDENTIAL_KIND_BEARER_TOKEN: CredentialKind
CREDENTIAL_KIND_API_KEY: CredentialKind
CREDENTIAL_KIND_PREDICTION_ONE_KEY: CredentialKind
CREDENTIAL_KIND_CHAT_KEY: CredentialKind
WATCH_EVENT_TYPE_UNSPECIFIED: WatchEventType
WATCH_EVENT_TYPE_UPSERTED: WatchEventType
WATCH_EVENT_TYPE_DELETED: WatchEventType
WATCH_EVENT_TYPE_SYNCED: WatchEventType

class CreateAccountRequest(_message.Message):
    __slots__ = ("actor_user_id", "name")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    name: str
    def __init__(self, actor_user_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class CreateAccountResponse(_message.Message):
    __slots__ = ("account",)
    ACCOUNT_FIELD_NUMBER: _ClassVar[int]
    account: _accounts_pb2.Account
    def __init__(self, account: _Optional[_Union[_accounts_pb2.Account, _Mapping]] = ...) -> None: ...

class CreateUserRequest(_message.Message):
    __slots__ = ("actor_user_id", "account_id", "name", "role")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    account_id: str
    name: str
    role: _accounts_pb2.Role
    def __init__(self, actor_user_id: _Optional[str] = ..., account_id: _Optional[str] = ..., name: _Optional[str] = ..., role: _Optional[_Union[_accounts_pb2.Role, str]] = ...) -> None: ...

class CreateUserResponse(_message.Message):
    __slots__ = ("user", "token")
    USER_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    user: _accounts_pb2.User
    token: _accounts_pb2.IssuedSecret
    def __init__(self, user: _Optional[_Union[_accounts_pb2.User, _Mapping]] = ..., token: _Optional[_Union[_accounts_pb2.IssuedSecret, _Mapping]] = ...) -> None: ...

class ListUsersRequest(_message.Message):
    __slots__ = ("actor_user_id", "account_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    account_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., account_id: _Optional[str] = ...) -> None: ...

class ListUsersResponse(_message.Message):
    __slots__ = ("users",)
    USERS_FIELD_NUMBER: _ClassVar[int]
    users: _containers.RepeatedCompositeFieldContainer[_accounts_pb2.User]
    def __init__(self, users: _Optional[_Iterable[_Union[_accounts_pb2.User, _Mapping]]] = ...) -> None: ...

class CreateUserTokenRequest(_message.Message):
    __slots__ = ("actor_user_id", "user_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    user_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., user_id: _Optional[str] = ...) -> None: ...

class CreateUserTokenResponse(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: _accounts_pb2.IssuedSecret
    def __init__(self, token: _Optional[_Union[_accounts_pb2.IssuedSecret, _Mapping]] = ...) -> None: ...

class AuthenticateTokenRequest(_message.Message):
    __slots__ = ("token",)
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class AuthenticateTokenResponse(_message.Message):
    __slots__ = ("user",)
    USER_FIELD_NUMBER: _ClassVar[int]
    user: _accounts_pb2.User
    def __init__(self, user: _Optional[_Union[_accounts_pb2.User, _Mapping]] = ...) -> None: ...

class Credential(_message.Message):
    __slots__ = ("credential_id", "kind", "user_id", "api_id", "account_id", "purpose", "created_at", "expires_at", "last_used_at", "bootstrap")
    CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    API_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    LAST_USED_AT_FIELD_NUMBER: _ClassVar[int]
    BOOTSTRAP_FIELD_NUMBER: _ClassVar[int]
    credential_id: str
    kind: CredentialKind
    user_id: str
    api_id: str
    account_id: str
    purpose: _training_pb2.KeyPurpose
    created_at: _timestamp_pb2.Timestamp
    expires_at: _timestamp_pb2.Timestamp
    last_used_at: _timestamp_pb2.Timestamp
    bootstrap: bool
    def __init__(self, credential_id: _Optional[str] = ..., kind: _Optional[_Union[CredentialKind, str]] = ..., user_id: _Optional[str] = ..., api_id: _Optional[str] = ..., account_id: _Optional[str] = ..., purpose: _Optional[_Union[_training_pb2.KeyPurpose, str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., last_used_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., bootstrap: _Optional[bool] = ...) -> None: ...

class ListCredentialsRequest(_message.Message):
    __slots__ = ("actor_user_id", "account_id", "user_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    account_id: str
    user_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., account_id: _Optional[str] = ..., user_id: _Optional[str] = ...) -> None: ...

class ListCredentialsResponse(_message.Message):
    __slots__ = ("credentials",)
    CREDENTIALS_FIELD_NUMBER: _ClassVar[int]
    credentials: _containers.RepeatedCompositeFieldContainer[Credential]
    def __init__(self, credentials: _Optional[_Iterable[_Union[Credential, _Mapping]]] = ...) -> None: ...

class RevokeCredentialRequest(_message.Message):
    __slots__ = ("actor_user_id", "credential_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    credential_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., credential_id: _Optional[str] = ...) -> None: ...

class RevokeCredentialResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class SetCredentialExpiryRequest(_message.Message):
    __slots__ = ("actor_user_id", "credential_id", "expires_at")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRES_AT_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    credential_id: str
    expires_at: _timestamp_pb2.Timestamp
    def __init__(self, actor_user_id: _Optional[str] = ..., credential_id: _Optional[str] = ..., expires_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SetCredentialExpiryResponse(_message.Message):
    __slots__ = ("credential",)
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    credential: Credential
    def __init__(self, credential: _Optional[_Union[Credential, _Mapping]] = ...) -> None: ...

class ModelVersionSpec(_message.Message):
    __slots__ = ("format", "artifact_uri", "sha256", "size_bytes", "signature", "preprocessing")
    FORMAT_FIELD_NUMBER: _ClassVar[int]
    ARTIFACT_URI_FIELD_NUMBER: _ClassVar[int]
    SHA256_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    SIGNATURE_FIELD_NUMBER: _ClassVar[int]
    PREPROCESSING_FIELD_NUMBER: _ClassVar[int]
    format: _models_pb2.ModelFormat
    artifact_uri: str
    sha256: str
    size_bytes: int
    signature: _models_pb2.Signature
    preprocessing: _models_pb2.Preprocessing
    def __init__(self, format: _Optional[_Union[_models_pb2.ModelFormat, str]] = ..., artifact_uri: _Optional[str] = ..., sha256: _Optional[str] = ..., size_bytes: _Optional[int] = ..., signature: _Optional[_Union[_models_pb2.Signature, _Mapping]] = ..., preprocessing: _Optional[_Union[_models_pb2.Preprocessing, _Mapping]] = ...) -> None: ...

class CreateModelRequest(_message.Message):
    __slots__ = ("actor_user_id", "account_id", "name", "first_version")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    FIRST_VERSION_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    account_id: str
    name: str
    first_version: ModelVersionSpec
    def __init__(self, actor_user_id: _Optional[str] = ..., account_id: _Optional[str] = ..., name: _Optional[str] = ..., first_version: _Optional[_Union[ModelVersionSpec, _Mapping]] = ...) -> None: ...

class CreateModelResponse(_message.Message):
    __slots__ = ("model", "model_version")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model: _models_pb2.Model
    model_version: _models_pb2.ModelVersion
    def __init__(self, model: _Optional[_Union[_models_pb2.Model, _Mapping]] = ..., model_version: _Optional[_Union[_models_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class CreateModelVersionRequest(_message.Message):
    __slots__ = ("actor_user_id", "model_id", "version")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    model_id: str
    version: ModelVersionSpec
    def __init__(self, actor_user_id: _Optional[str] = ..., model_id: _Optional[str] = ..., version: _Optional[_Union[ModelVersionSpec, _Mapping]] = ...) -> None: ...

class CreateModelVersionResponse(_message.Message):
    __slots__ = ("model_version",)
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: _models_pb2.ModelVersion
    def __init__(self, model_version: _Optional[_Union[_models_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class GetModelRequest(_message.Message):
    __slots__ = ("actor_user_id", "model_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    model_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., model_id: _Optional[str] = ...) -> None: ...

class GetModelResponse(_message.Message):
    __slots__ = ("model", "versions")
    MODEL_FIELD_NUMBER: _ClassVar[int]
    VERSIONS_FIELD_NUMBER: _ClassVar[int]
    model: _models_pb2.Model
    versions: _containers.RepeatedCompositeFieldContainer[_models_pb2.ModelVersion]
    def __init__(self, model: _Optional[_Union[_models_pb2.Model, _Mapping]] = ..., versions: _Optional[_Iterable[_Union[_models_pb2.ModelVersion, _Mapping]]] = ...) -> None: ...

class ListModelsRequest(_message.Message):
    __slots__ = ("actor_user_id", "account_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    account_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., account_id: _Optional[str] = ...) -> None: ...

class ListModelsResponse(_message.Message):
    __slots__ = ("models",)
    MODELS_FIELD_NUMBER: _ClassVar[int]
    models: _containers.RepeatedCompositeFieldContainer[_models_pb2.Model]
    def __init__(self, models: _Optional[_Iterable[_Union[_models_pb2.Model, _Mapping]]] = ...) -> None: ...

class GetModelVersionRequest(_message.Message):
    __slots__ = ("model_version_id",)
    MODEL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    model_version_id: str
    def __init__(self, model_version_id: _Optional[str] = ...) -> None: ...

class GetModelVersionResponse(_message.Message):
    __slots__ = ("model_version",)
    MODEL_VERSION_FIELD_NUMBER: _ClassVar[int]
    model_version: _models_pb2.ModelVersion
    def __init__(self, model_version: _Optional[_Union[_models_pb2.ModelVersion, _Mapping]] = ...) -> None: ...

class CreateApiRequest(_message.Message):
    __slots__ = ("actor_user_id", "account_id", "name", "model_version_id", "api_type", "execution_type", "instance_kind", "instance_count", "schedule", "public", "rules", "rules_given", "contract", "chat_model_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    API_TYPE_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_TYPE_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_KIND_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    RULES_GIVEN_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_FIELD_NUMBER: _ClassVar[int]
    CHAT_MODEL_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    account_id: str
    name: str
    model_version_id: str
    api_type: _apis_pb2.ApiType
    execution_type: _apis_pb2.ExecutionType
    instance_kind: _apis_pb2.InstanceKind
    instance_count: int
    schedule: _apis_pb2.Schedule
    public: bool
    rules: _containers.RepeatedCompositeFieldContainer[_apis_pb2.AccessRule]
    rules_given: bool
    contract: _apis_pb2.ApiContract
    chat_model_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., account_id: _Optional[str] = ..., name: _Optional[str] = ..., model_version_id: _Optional[str] = ..., api_type: _Optional[_Union[_apis_pb2.ApiType, str]] = ..., execution_type: _Optional[_Union[_apis_pb2.ExecutionType, str]] = ..., instance_kind: _Optional[_Union[_apis_pb2.InstanceKind, str]] = ..., instance_count: _Optional[int] = ..., schedule: _Optional[_Union[_apis_pb2.Schedule, _Mapping]] = ..., public: _Optional[bool] = ..., rules: _Optional[_Iterable[_Union[_apis_pb2.AccessRule, _Mapping]]] = ..., rules_given: _Optional[bool] = ..., contract: _Optional[_Union[_apis_pb2.ApiContract, str]] = ..., chat_model_id: _Optional[str] = ...) -> None: ...

class CreateApiResponse(_message.Message):
    __slots__ = ("api", "api_key")
    API_FIELD_NUMBER: _ClassVar[int]
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    api: _apis_pb2.PublishedApi
    api_key: _accounts_pb2.IssuedSecret
    def __init__(self, api: _Optional[_Union[_apis_pb2.PublishedApi, _Mapping]] = ..., api_key: _Optional[_Union[_accounts_pb2.IssuedSecret, _Mapping]] = ...) -> None: ...

class GetApiRequest(_message.Message):
    __slots__ = ("actor_user_id", "api_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    API_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    api_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., api_id: _Optional[str] = ...) -> None: ...

class GetApiResponse(_message.Message):
    __slots__ = ("api",)
    API_FIELD_NUMBER: _ClassVar[int]
    api: _apis_pb2.PublishedApi
    def __init__(self, api: _Optional[_Union[_apis_pb2.PublishedApi, _Mapping]] = ...) -> None: ...

class ListApisRequest(_message.Message):
    __slots__ = ("actor_user_id", "account_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    account_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., account_id: _Optional[str] = ...) -> None: ...

class ListApisResponse(_message.Message):
    __slots__ = ("apis",)
    APIS_FIELD_NUMBER: _ClassVar[int]
    apis: _containers.RepeatedCompositeFieldContainer[_apis_pb2.PublishedApi]
    def __init__(self, apis: _Optional[_Iterable[_Union[_apis_pb2.PublishedApi, _Mapping]]] = ...) -> None: ...

class UpdateApiRequest(_message.Message):
    __slots__ = ("actor_user_id", "api_id", "name", "model_version_id", "execution_type", "instance_kind", "instance_count", "schedule", "public", "rules", "rules_given")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    API_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    EXECUTION_TYPE_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_KIND_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    PUBLIC_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    RULES_GIVEN_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    api_id: str
    name: str
    model_version_id: str
    execution_type: _apis_pb2.ExecutionType
    instance_kind: _apis_pb2.InstanceKind
    instance_count: int
    schedule: _apis_pb2.Schedule
    public: bool
    rules: _containers.RepeatedCompositeFieldContainer[_apis_pb2.AccessRule]
    rules_given: bool
    def __init__(self, actor_user_id: _Optional[str] = ..., api_id: _Optional[str] = ..., name: _Optional[str] = ..., model_version_id: _Optional[str] = ..., execution_type: _Optional[_Union[_apis_pb2.ExecutionType, str]] = ..., instance_kind: _Optional[_Union[_apis_pb2.InstanceKind, str]] = ..., instance_count: _Optional[int] = ..., schedule: _Optional[_Union[_apis_pb2.Schedule, _Mapping]] = ..., public: _Optional[bool] = ..., rules: _Optional[_Iterable[_Union[_apis_pb2.AccessRule, _Mapping]]] = ..., rules_given: _Optional[bool] = ...) -> None: ...

class UpdateApiResponse(_message.Message):
    __slots__ = ("api",)
    API_FIELD_NUMBER: _ClassVar[int]
    api: _apis_pb2.PublishedApi
    def __init__(self, api: _Optional[_Union[_apis_pb2.PublishedApi, _Mapping]] = ...) -> None: ...

class StopApiRequest(_message.Message):
    __slots__ = ("actor_user_id", "api_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    API_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    api_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., api_id: _Optional[str] = ...) -> None: ...

class StopApiResponse(_message.Message):
    __slots__ = ("api",)
    API_FIELD_NUMBER: _ClassVar[int]
    api: _apis_pb2.PublishedApi
    def __init__(self, api: _Optional[_Union[_apis_pb2.PublishedApi, _Mapping]] = ...) -> None: ...

class StartApiRequest(_message.Message):
    __slots__ = ("actor_user_id", "api_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    API_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    api_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., api_id: _Optional[str] = ...) -> None: ...

class StartApiResponse(_message.Message):
    __slots__ = ("api",)
    API_FIELD_NUMBER: _ClassVar[int]
    api: _apis_pb2.PublishedApi
    def __init__(self, api: _Optional[_Union[_apis_pb2.PublishedApi, _Mapping]] = ...) -> None: ...

class LockApiRequest(_message.Message):
    __slots__ = ("actor_user_id", "api_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    API_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    api_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., api_id: _Optional[str] = ...) -> None: ...

class LockApiResponse(_message.Message):
    __slots__ = ("api",)
    API_FIELD_NUMBER: _ClassVar[int]
    api: _apis_pb2.PublishedApi
    def __init__(self, api: _Optional[_Union[_apis_pb2.PublishedApi, _Mapping]] = ...) -> None: ...

class UnlockApiRequest(_message.Message):
    __slots__ = ("actor_user_id", "api_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    API_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    api_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., api_id: _Optional[str] = ...) -> None: ...

class UnlockApiResponse(_message.Message):
    __slots__ = ("api",)
    API_FIELD_NUMBER: _ClassVar[int]
    api: _apis_pb2.PublishedApi
    def __init__(self, api: _Optional[_Union[_apis_pb2.PublishedApi, _Mapping]] = ...) -> None: ...

class DeleteApiRequest(_message.Message):
    __slots__ = ("actor_user_id", "api_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    API_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    api_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., api_id: _Optional[str] = ...) -> None: ...

class DeleteApiResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class AddAccessRuleRequest(_message.Message):
    __slots__ = ("actor_user_id", "api_id", "rule")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    API_ID_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    api_id: str
    rule: _apis_pb2.AccessRule
    def __init__(self, actor_user_id: _Optional[str] = ..., api_id: _Optional[str] = ..., rule: _Optional[_Union[_apis_pb2.AccessRule, _Mapping]] = ...) -> None: ...

class AddAccessRuleResponse(_message.Message):
    __slots__ = ("api",)
    API_FIELD_NUMBER: _ClassVar[int]
    api: _apis_pb2.PublishedApi
    def __init__(self, api: _Optional[_Union[_apis_pb2.PublishedApi, _Mapping]] = ...) -> None: ...

class RemoveAccessRuleRequest(_message.Message):
    __slots__ = ("actor_user_id", "api_id", "cidr")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    API_ID_FIELD_NUMBER: _ClassVar[int]
    CIDR_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    api_id: str
    cidr: str
    def __init__(self, actor_user_id: _Optional[str] = ..., api_id: _Optional[str] = ..., cidr: _Optional[str] = ...) -> None: ...

class RemoveAccessRuleResponse(_message.Message):
    __slots__ = ("api",)
    API_FIELD_NUMBER: _ClassVar[int]
    api: _apis_pb2.PublishedApi
    def __init__(self, api: _Optional[_Union[_apis_pb2.PublishedApi, _Mapping]] = ...) -> None: ...

class CreateApiKeyRequest(_message.Message):
    __slots__ = ("actor_user_id", "api_id")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    API_ID_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    api_id: str
    def __init__(self, actor_user_id: _Optional[str] = ..., api_id: _Optional[str] = ...) -> None: ...

class CreateApiKeyResponse(_message.Message):
    __slots__ = ("api_key",)
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    api_key: _accounts_pb2.IssuedSecret
    def __init__(self, api_key: _Optional[_Union[_accounts_pb2.IssuedSecret, _Mapping]] = ...) -> None: ...

class ReserveTrialRequestRequest(_message.Message):
    __slots__ = ("api_id",)
    API_ID_FIELD_NUMBER: _ClassVar[int]
    api_id: str
    def __init__(self, api_id: _Optional[str] = ...) -> None: ...

class ReserveTrialRequestResponse(_message.Message):
    __slots__ = ("granted", "used", "limit")
    GRANTED_FIELD_NUMBER: _ClassVar[int]
    USED_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    granted: bool
    used: int
    limit: int
    def __init__(self, granted: _Optional[bool] = ..., used: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class ReleaseTrialRequestRequest(_message.Message):
    __slots__ = ("api_id",)
    API_ID_FIELD_NUMBER: _ClassVar[int]
    api_id: str
    def __init__(self, api_id: _Optional[str] = ...) -> None: ...

class ReleaseTrialRequestResponse(_message.Message):
    __slots__ = ("used", "limit")
    USED_FIELD_NUMBER: _ClassVar[int]
    LIMIT_FIELD_NUMBER: _ClassVar[int]
    used: int
    limit: int
    def __init__(self, used: _Optional[int] = ..., limit: _Optional[int] = ...) -> None: ...

class RecordUsageRequest(_message.Message):
    __slots__ = ("increments", "flush_id", "key_uses", "chat_tokens")
    INCREMENTS_FIELD_NUMBER: _ClassVar[int]
    FLUSH_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_USES_FIELD_NUMBER: _ClassVar[int]
    CHAT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    increments: _containers.RepeatedCompositeFieldContainer[_apis_pb2.DailyUsage]
    flush_id: str
    key_uses: _containers.RepeatedCompositeFieldContainer[ApiKeyUse]
    chat_tokens: _containers.RepeatedCompositeFieldContainer[_apis_pb2.ChatTokenUsage]
    def __init__(self, increments: _Optional[_Iterable[_Union[_apis_pb2.DailyUsage, _Mapping]]] = ..., flush_id: _Optional[str] = ..., key_uses: _Optional[_Iterable[_Union[ApiKeyUse, _Mapping]]] = ..., chat_tokens: _Optional[_Iterable[_Union[_apis_pb2.ChatTokenUsage, _Mapping]]] = ...) -> None: ...

class ApiKeyUse(_message.Message):
    __slots__ = ("key_id", "used_at")
    KEY_ID_FIELD_NUMBER: _ClassVar[int]
    USED_AT_FIELD_NUMBER: _ClassVar[int]
    key_id: str
    used_at: _timestamp_pb2.Timestamp
    def __init__(self, key_id: _Optional[str] = ..., used_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecordUsageResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class GetUsageRequest(_message.Message):
    __slots__ = ("actor_user_id", "api_id", "from_day", "to_day")
    ACTOR_USER_ID_FIELD_NUMBER: _ClassVar[int]
    API_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_DAY_FIELD_NUMBER: _ClassVar[int]
    TO_DAY_FIELD_NUMBER: _ClassVar[int]
    actor_user_id: str
    api_id: str
    from_day: str
    to_day: str
    def __init__(self, actor_user_id: _Optional[str] = ..., api_id: _Optional[str] = ..., from_day: _Optional[str] = ..., to_day: _Optional[str] = ...) -> None: ...

class GetUsageResponse(_message.Message):
    __slots__ = ("days", "chat_tokens")
    DAYS_FIELD_NUMBER: _ClassVar[int]
    CHAT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    days: _containers.RepeatedCompositeFieldContainer[_apis_pb2.DailyUsage]
    chat_tokens: _containers.RepeatedCompositeFieldContainer[_apis_pb2.ChatTokenUsage]
    def __init__(self, days: _Optional[_Iterable[_Union[_apis_pb2.DailyUsage, _Mapping]]] = ..., chat_tokens: _Optional[_Iterable[_Union[_apis_pb2.ChatTokenUsage, _Mapping]]] = ...) -> None: ...

class ReportDeploymentRequest(_message.Message):
    __slots__ = ("api_id", "model_version_id", "status", "status_message")
    API_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STATUS_MESSAGE_FIELD_NUMBER: _ClassVar[int]
    api_id: str
    model_version_id: str
    status: _apis_pb2.ApiStatus
    status_message: str
    def __init__(self, api_id: _Optional[str] = ..., model_version_id: _Optional[str] = ..., status: _Optional[_Union[_apis_pb2.ApiStatus, str]] = ..., status_message: _Optional[str] = ...) -> None: ...

class ReportDeploymentResponse(_message.Message):
    __slots__ = ("api", "applied")
    API_FIELD_NUMBER: _ClassVar[int]
    APPLIED_FIELD_NUMBER: _ClassVar[int]
    api: _apis_pb2.PublishedApi
    applied: bool
    def __init__(self, api: _Optional[_Union[_apis_pb2.PublishedApi, _Mapping]] = ..., applied: _Optional[bool] = ...) -> None: ...

class WatchApisRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WatchApisResponse(_message.Message):
    __slots__ = ("type", "api_id", "api", "keys")
    TYPE_FIELD_NUMBER: _ClassVar[int]
    API_ID_FIELD_NUMBER: _ClassVar[int]
    API_FIELD_NUMBER: _ClassVar[int]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    type: WatchEventType
    api_id: str
    api: _apis_pb2.PublishedApi
    keys: _containers.RepeatedCompositeFieldContainer[_apis_pb2.ApiKeyDigest]
    def __init__(self, type: _Optional[_Union[WatchEventType, str]] = ..., api_id: _Optional[str] = ..., api: _Optional[_Union[_apis_pb2.PublishedApi, _Mapping]] = ..., keys: _Optional[_Iterable[_Union[_apis_pb2.ApiKeyDigest, _Mapping]]] = ...) -> None: ...
