from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ListDeploymentsRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class TritonServer(_message.Message):
    __slots__ = ("address", "ready")
    ADDRESS_FIELD_NUMBER: _ClassVar[int]
    READY_FIELD_NUMBER: _ClassVar[int]
    address: str
    ready: bool
    def __init__(self, address: _Optional[str] = ..., ready: _Optional[bool] = ...) -> None: ...

class Deployment(_message.Message):
    __slots__ = ("api_id", "model_version_id", "triton_model", "backend", "instance_kind", "instance_count", "max_batch_size", "dynamic_batching", "max_queue_delay_us", "retiring")
    API_ID_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSION_ID_FIELD_NUMBER: _ClassVar[int]
    TRITON_MODEL_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_KIND_FIELD_NUMBER: _ClassVar[int]
    INSTANCE_COUNT_FIELD_NUMBER: _ClassVar[int]
    MAX_BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    DYNAMIC_BATCHING_FIELD_NUMBER: _ClassVar[int]
    MAX_QUEUE_DELAY_US_FIELD_NUMBER: _ClassVar[int]
    RETIRING_FIELD_NUMBER: _ClassVar[int]
    api_id: str
    model_version_id: str
    triton_model: str
    backend: str
    instance_kind: str
    instance_count: int
    max_batch_size: int
    dynamic_batching: bool
    max_queue_delay_us: int
    retiring: bool
    def __init__(self, api_id: _Optional[str] = ..., model_version_id: _Optional[str] = ..., triton_model: _Optional[str] = ..., backend: _Optional[str] = ..., instance_kind: _Optional[str] = ..., instance_count: _Optional[int] = ..., max_batch_size: _Optional[int] = ..., dynamic_batching: _Optional[bool] = ..., max_queue_delay_us: _Optional[int] = ..., retiring: _Optional[bool] = ...) -> None: ...

class ListDeploymentsResponse(_message.Message):
    __slots__ = ("tritons", "deployments", "triton_restarts")
    TRITONS_FIELD_NUMBER: _ClassVar[int]
    DEPLOYMENTS_FIELD_NUMBER: _ClassVar[int]
    TRITON_RESTARTS_FIELD_NUMBER: _ClassVar[int]
    tritons: _containers.RepeatedCompositeFieldContainer[TritonServer]
    deployments: _containers.RepeatedCompositeFieldContainer[Deployment]
    triton_restarts: int
    def __init__(self, tritons: _Optional[_Iterable[_Union[TritonServer, _Mapping]]] = ..., deployments: _Optional[_Iterable[_Union[Deployment, _Mapping]]] = ..., triton_restarts: _Optional[int] = ...) -> None: ...
