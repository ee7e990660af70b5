from torii.v1 import models_pb2 as _models_pb2
from torii.v1 import registry_service_pb2 as _registry_service_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GatewayCatalogSnapshot(_message.Message):
    __slots__ = ("apis", "model_versions")
    APIS_FIELD_NUMBER: _ClassVar[int]
    MODEL_VERSIONS_FIELD_NUMBER: _ClassVar[int]
    apis: _containers.RepeatedCompositeFieldContainer[_registry_service_pb2.WatchApisResponse]
    model_versions: _containers.RepeatedCompositeFieldContainer[_models_pb2.ModelVersion]
    def __init__(self, apis: _Optional[_Iterable[_Union[_registry_service_pb2.WatchApisResponse, _Mapping]]] = ..., model_versions: _Optional[_Iterable[_Union[_models_pb2.ModelVersion, _Mapping]]] = ...) -> None: ...
