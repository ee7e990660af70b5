from torii.v1 import workspaces_pb2 as _workspaces_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WorkspaceActor(_message.Message):
    __slots__ = ("user_id", "key_account_id")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    KEY_ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    key_account_id: str
    def __init__(self, user_id: _Optional[str] = ..., key_account_id: _Optional[str] = ...) -> None: ...

class CreateWorkspaceRequest(_message.Message):
    __slots__ = ("actor", "account_id", "name", "description", "configuration")
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    actor: WorkspaceActor
    account_id: str
    name: str
    description: str
    configuration: _workspaces_pb2.WorkspaceConfiguration
    def __init__(self, actor: _Optional[_Union[WorkspaceActor, _Mapping]] = ..., account_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., configuration: _Optional[_Union[_workspaces_pb2.WorkspaceConfiguration, _Mapping]] = ...) -> None: ...

class CreateWorkspaceResponse(_message.Message):
    __slots__ = ("workspace",)
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    workspace: _workspaces_pb2.Workspace
    def __init__(self, workspace: _Optional[_Union[_workspaces_pb2.Workspace, _Mapping]] = ...) -> None: ...

class GetWorkspaceRequest(_message.Message):
    __slots__ = ("actor", "workspace_id")
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_ID_FIELD_NUMBER: _ClassVar[int]
    actor: WorkspaceActor
    workspace_id: str
    def __init__(self, actor: _Optional[_Union[WorkspaceActor, _Mapping]] = ..., workspace_id: _Optional[str] = ...) -> None: ...

class GetWorkspaceResponse(_message.Message):
    __slots__ = ("workspace",)
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    workspace: _workspaces_pb2.Workspace
    def __init__(self, workspace: _Optional[_Union[_workspaces_pb2.Workspace, _Mapping]] = ...) -> None: ...

class ListWorkspacesRequest(_message.Message):
    __slots__ = ("actor", "account_id")
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    actor: WorkspaceActor
    account_id: str
    def __init__(self, actor: _Optional[_Union[WorkspaceActor, _Mapping]] = ..., account_id: _Optional[str] = ...) -> None: ...

class ListWorkspacesResponse(_message.Message):
    __slots__ = ("workspaces",)
    WORKSPACES_FIELD_NUMBER: _ClassVar[int]
    workspaces: _containers.RepeatedCompositeFieldContainer[_workspaces_pb2.Workspace]
    def __init__(self, workspaces: _Optional[_Iterable[_Union[_workspaces_pb2.Workspace, _Mapping]]] = ...) -> None: ...

class SetWorkspaceConfigurationRequest(_message.Message):
    __slots__ = ("actor", "workspace_id", "configuration")
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_ID_FIELD_NUMBER: _ClassVar[int]
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    actor: WorkspaceActor
    workspace_id: str
    configuration: _workspaces_pb2.WorkspaceConfiguration
    def __init__(self, actor: _Optional[_Union[WorkspaceActor, _Mapping]] = ..., workspace_id: _Optional[str] = ..., configuration: _Optional[_Union[_workspaces_pb2.WorkspaceConfiguration, _Mapping]] = ...) -> None: ...

class SetWorkspaceConfigurationResponse(_message.Message):
    __slots__ = ("workspace",)
    WORKSPACE_FIELD_NUMBER: _ClassVar[int]
    workspace: _workspaces_pb2.Workspace
    def __init__(self, workspace: _Optional[_Union[_workspaces_pb2.Workspace, _Mapping]] = ...) -> None: ...

class ListWorkspaceConfigurationsRequest(_message.Message):
    __slots__ = ("actor", "workspace_id")
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_ID_FIELD_NUMBER: _ClassVar[int]
    actor: WorkspaceActor
    workspace_id: str
    def __init__(self, actor: _Optional[_Union[WorkspaceActor, _Mapping]] = ..., workspace_id: _Optional[str] = ...) -> None: ...

class ListWorkspaceConfigurationsResponse(_message.Message):
    __slots__ = ("configurations",)
    CONFIGURATIONS_FIELD_NUMBER: _ClassVar[int]
    configurations: _containers.RepeatedCompositeFieldContainer[_workspaces_pb2.WorkspaceConfigurationRecord]
    def __init__(self, configurations: _Optional[_Iterable[_Union[_workspaces_pb2.WorkspaceConfigurationRecord, _Mapping]]] = ...) -> None: ...

class DeleteWorkspaceRequest(_message.Message):
    __slots__ = ("actor", "workspace_id")
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    WORKSPACE_ID_FIELD_NUMBER: _ClassVar[int]
    actor: WorkspaceActor
    workspace_id: str
    def __init__(self, actor: _Optional[_Union[WorkspaceActor, _Mapping]] = ..., workspace_id: _Optional[str] = ...) -> None: ...

class DeleteWorkspaceResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CheckWorkspaceNameRequest(_message.Message):
    __slots__ = ("actor", "account_id", "name")
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    actor: WorkspaceActor
    account_id: str
    name: str
    def __init__(self, actor: _Optional[_Union[WorkspaceActor, _Mapping]] = ..., account_id: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class CheckWorkspaceNameResponse(_message.Message):
    __slots__ = ("available",)
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    available: bool
    def __init__(self, available: _Optional[bool] = ...) -> None: ...

class GetWorkspaceQuotaRequest(_message.Message):
    __slots__ = ("actor", "account_id")
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    actor: WorkspaceActor
    account_id: str
    def __init__(self, actor: _Optional[_Union[WorkspaceActor, _Mapping]] = ..., account_id: _Optional[str] = ...) -> None: ...

class GetWorkspaceQuotaResponse(_message.Message):
    __slots__ = ("quota", "used")
    QUOTA_FIELD_NUMBER: _ClassVar[int]
    USED_FIELD_NUMBER: _ClassVar[int]
    quota: _workspaces_pb2.WorkspaceQuota
    used: _workspaces_pb2.WorkspaceQuota
    def __init__(self, quota: _Optional[_Union[_workspaces_pb2.WorkspaceQuota, _Mapping]] = ..., used: _Optional[_Union[_workspaces_pb2.WorkspaceQuota, _Mapping]] = ...) -> None: ...

class SetWorkspaceQuotaRequest(_message.Message):
    __slots__ = ("actor", "account_id", "quota")
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    QUOTA_FIELD_NUMBER: _ClassVar[int]
    actor: WorkspaceActor
    account_id: str
    quota: _workspaces_pb2.WorkspaceQuota
    def __init__(self, actor: _Optional[_Union[WorkspaceActor, _Mapping]] = ..., account_id: _Optional[str] = ..., quota: _Optional[_Union[_workspaces_pb2.WorkspaceQuota, _Mapping]] = ...) -> None: ...

class SetWorkspaceQuotaResponse(_message.Message):
    __slots__ = ("quota",)
    QUOTA_FIELD_NUMBER: _ClassVar[int]
    quota: _workspaces_pb2.WorkspaceQuota
    def __init__(self, quota: _Optional[_Union[_workspaces_pb2.WorkspaceQuota, _Mapping]] = ...) -> None: ...

class ListRunnerWorkspacesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListRunnerWorkspacesResponse(_message.Message):
    __slots__ = ("workspaces",)
    WORKSPACES_FIELD_NUMBER: _ClassVar[int]
    workspaces: _containers.RepeatedCompositeFieldContainer[_workspaces_pb2.Workspace]
    def __init__(self, workspaces: _Optional[_Iterable[_Union[_workspaces_pb2.Workspace, _Mapping]]] = ...) -> None: ...

class ReportWorkspaceStatusRequest(_message.Message):
    __slots__ = ("workspace_id", "status")
    WORKSPACE_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    workspace_id: str
    status: _workspaces_pb2.WorkspaceStatus
    def __init__(self, workspace_id: _Optional[str] = ..., status: _Optional[_Union[_workspaces_pb2.WorkspaceStatus, _Mapping]] = ...) -> None: ...

class ReportWorkspaceStatusResponse(_message.Message):
    __slots__ = ("recorded",)
    RECORDED_FIELD_NUMBER: _ClassVar[int]
    recorded: bool
    def __init__(self, recorded: _Optional[bool] = ...) -> None: ...

class ForgetWorkspaceRequest(_message.Message):
    __slots__ = ("workspace_id",)
    WORKSPACE_ID_FIELD_NUMBER: _ClassVar[int]
    workspace_id: str
    def __init__(self, workspace_id: _Optional[str] = ...) -> None: ...

class ForgetWorkspaceResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WatchWorkspaceChangesRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class WatchWorkspaceChangesResponse(_message.Message):
    __slots__ = ("workspace_id",)
    WORKSPACE_ID_FIELD_NUMBER: _ClassVar[int]
    workspace_id: str
    def __init__(self, workspace_id: _Optional[str] = ...) -> None: ...
