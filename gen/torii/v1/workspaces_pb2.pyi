import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class WorkspaceState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    WORKSPACE_STATE_UNSPECIFIED: _ClassVar[WorkspaceState]
    WORKSPACE_STATE_PENDING: _ClassVar[WorkspaceState]
    WORKSPACE_STATE_QUEUED: _ClassVar[WorkspaceState]
    WORKSPACE_STATE_STARTING: _ClassVar[WorkspaceState]
    WORKSPACE_STATE_RUNNING: _ClassVar[WorkspaceState]
    WORKSPACE_STATE_SUCCEEDED: _ClassVar[WorkspaceState]
    WORKSPACE_STATE_FAILED: _ClassVar[WorkspaceState]
    WORKSPACE_STATE_DELETING: _ClassVar[WorkspaceState]
WORKSPACE_STATE_UNSPECIFIED: WorkspaceState
WORKSPACE_STATE_PENDING: WorkspaceState
WORKSPACE_STATE_QUEUED: WorkspaceState
WORKSPACE_STATE_STARTING: WorkspaceState
WORKSPACE_STATE_RUNNING: WorkspaceState
WORKSPACE_STATE_SUCCEEDED: WorkspaceState
WORKSPACE_STATE_FAILED: WorkspaceState
WORKSPACE_STATE_DELETING: WorkspaceState

class WorkspaceConfiguration(_message.Message):
    __slots__ = ("queue_name", "app_name", "user_package_uri", "resource", "docker", "inputs", "outputs")
    QUEUE_NAME_FIELD_NUMBER: _ClassVar[int]
    APP_NAME_FIELD_NUMBER: _ClassVar[int]
    USER_PACKAGE_URI_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    DOCKER_FIELD_NUMBER: _ClassVar[int]
    INPUTS_FIELD_NUMBER: _ClassVar[int]
    OUTPUTS_FIELD_NUMBER: _ClassVar[int]
    queue_name: str
    app_name: str
    user_package_uri: str
    resource: WorkspaceResource
    docker: WorkspaceDocker
    inputs: _containers.RepeatedCompositeFieldContainer[WorkspaceInput]
    outputs: _containers.RepeatedCompositeFieldContainer[WorkspaceOutput]
    def __init__(self, queue_name: _Optional[str] = ..., app_name: _Optional[str] = ..., user_package_uri: _Optional[str] = ..., resource: _Optional[_Union[WorkspaceResource, _Mapping]] = ..., docker: _Optional[_Union[WorkspaceDocker, _Mapping]] = ..., inputs: _Optional[_Iterable[_Union[WorkspaceInput, _Mapping]]] = ..., outputs: _Optional[_Iterable[_Union[WorkspaceOutput, _Mapping]]] = ...) -> None: ...

class WorkspaceResource(_message.Message):
    __slots__ = ("cpu_count", "memory_mb", "gpu_count", "gpu_model")
    CPU_COUNT_FIELD_NUMBER: _ClassVar[int]
    MEMORY_MB_FIELD_NUMBER: _ClassVar[int]
    GPU_COUNT_FIELD_NUMBER: _ClassVar[int]
    GPU_MODEL_FIELD_NUMBER: _ClassVar[int]
    cpu_count: int
    memory_mb: int
    gpu_count: int
    gpu_model: str
    def __init__(self, cpu_count: _Optional[int] = ..., memory_mb: _Optional[int] = ..., gpu_count: _Optional[int] = ..., gpu_model: _Optional[str] = ...) -> None: ...

class WorkspaceDocker(_message.Message):
    __slots__ = ("image", "command", "args", "env", "expose_tcp_ports", "workdir")
    class EnvEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    IMAGE_FIELD_NUMBER: _ClassVar[int]
    COMMAND_FIELD_NUMBER: _ClassVar[int]
    ARGS_FIELD_NUMBER: _ClassVar[int]
    ENV_FIELD_NUMBER: _ClassVar[int]
    EXPOSE_TCP_PORTS_FIELD_NUMBER: _ClassVar[int]
    WORKDIR_FIELD_NUMBER: _ClassVar[int]
    image: str
    command: str
    args: str
    env: _containers.ScalarMap[str, str]
    expose_tcp_ports: _containers.RepeatedScalarFieldContainer[int]
    workdir: str
    def __init__(self, image: _Optional[str] = ..., command: _Optional[str] = ..., args: _Optional[str] = ..., env: _Optional[_Mapping[str, str]] = ..., expose_tcp_ports: _Optional[_Iterable[int]] = ..., workdir: _Optional[str] = ...) -> None: ...

class WorkspaceInput(_message.Message):
    __slots__ = ("source", "path")
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    source: str
    path: str
    def __init__(self, source: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...

class WorkspaceOutput(_message.Message):
    __slots__ = ("path", "destination", "overwrite")
    PATH_FIELD_NUMBER: _ClassVar[int]
    DESTINATION_FIELD_NUMBER: _ClassVar[int]
    OVERWRITE_FIELD_NUMBER: _ClassVar[int]
    path: str
    destination: str
    overwrite: bool
    def __init__(self, path: _Optional[str] = ..., destination: _Optional[str] = ..., overwrite: _Optional[bool] = ...) -> None: ...

class PublishedPort(_message.Message):
    __slots__ = ("container_port", "host", "host_port")
    CONTAINER_PORT_FIELD_NUMBER: _ClassVar[int]
    HOST_FIELD_NUMBER: _ClassVar[int]
    HOST_PORT_FIELD_NUMBER: _ClassVar[int]
    container_port: int
    host: str
    host_port: int
    def __init__(self, container_port: _Optional[int] = ..., host: _Optional[str] = ..., host_port: _Optional[int] = ...) -> None: ...

class WorkspaceStatus(_message.Message):
    __slots__ = ("state", "message", "exit_code", "ports", "started_at", "finished_at", "generation", "log_tail")
    STATE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    EXIT_CODE_FIELD_NUMBER: _ClassVar[int]
    PORTS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    FINISHED_AT_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    LOG_TAIL_FIELD_NUMBER: _ClassVar[int]
    state: WorkspaceState
    message: str
    exit_code: int
    ports: _containers.RepeatedCompositeFieldContainer[PublishedPort]
    started_at: _timestamp_pb2.Timestamp
    finished_at: _timestamp_pb2.Timestamp
    generation: int
    log_tail: str
    def __init__(self, state: _Optional[_Union[WorkspaceState, str]] = ..., message: _Optional[str] = ..., exit_code: _Optional[int] = ..., ports: _Optional[_Iterable[_Union[PublishedPort, _Mapping]]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., finished_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., generation: _Optional[int] = ..., log_tail: _Optional[str] = ...) -> None: ...

class Workspace(_message.Message):
    __slots__ = ("workspace_id", "account_id", "name", "description", "configuration", "generation", "created_at", "modified_at", "status", "deleted")
    WORKSPACE_ID_FIELD_NUMBER: _ClassVar[int]
    ACCOUNT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    MODIFIED_AT_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DELETED_FIELD_NUMBER: _ClassVar[int]
    workspace_id: str
    account_id: str
    name: str
    description: str
    configuration: WorkspaceConfiguration
    generation: int
    created_at: _timestamp_pb2.Timestamp
    modified_at: _timestamp_pb2.Timestamp
    status: WorkspaceStatus
    deleted: bool
    def __init__(self, workspace_id: _Optional[str] = ..., account_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., configuration: _Optional[_Union[WorkspaceConfiguration, _Mapping]] = ..., generation: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., modified_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[WorkspaceStatus, _Mapping]] = ..., deleted: _Optional[bool] = ...) -> None: ...

class WorkspaceConfigurationRecord(_message.Message):
    __slots__ = ("configuration", "generation", "created_at", "modified_at")
    CONFIGURATION_FIELD_NUMBER: _ClassVar[int]
    GENERATION_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    MODIFIED_AT_FIELD_NUMBER: _ClassVar[int]
    configuration: WorkspaceConfiguration
    generation: int
    created_at: _timestamp_pb2.Timestamp
    modified_at: _timestamp_pb2.Timestamp
    def __init__(self, configuration: _Optional[_Union[WorkspaceConfiguration, _Mapping]] = ..., generation: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., modified_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class WorkspaceQuota(_message.Message):
    __slots__ = ("workspaces", "cpu_count", "memory_mb", "gpu_count")
    WORKSPACES_FIELD_NUMBER: _ClassVar[int]
    CPU_COUNT_FIELD_NUMBER: _ClassVar[int]
    MEMORY_MB_FIELD_NUMBER: _ClassVar[int]
    GPU_COUNT_FIELD_NUMBER: _ClassVar[int]
    workspaces: int
    cpu_count: int
    memory_mb: int
    gpu_count: int
    def __init__(self, workspaces: _Optional[int] = ..., cpu_count: _Optional[int] = ..., memory_mb: _Optional[int] = ..., gpu_count: _Optional[int] = ...) -> None: ...
