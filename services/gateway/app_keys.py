"""Typed keys for what the gateway keeps on its aiohttp application."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import grpc
from aiohttp import web
from grpc_health.v1 import health_pb2_grpc

from services.gateway.artifacts import ArtifactStore
from services.gateway.serving.inference_runtime import InferenceRuntime
from services.gateway.settings import GatewaySettings
from torii.v1 import (
    chat_key_service_pb2_grpc,
    console_session_service_pb2_grpc,
    ncp_key_service_pb2_grpc,
    registry_service_pb2_grpc,
    trainer_service_pb2_grpc,
    training_registry_service_pb2_grpc,
    workspace_service_pb2_grpc,
)

Stub = TypeVar("Stub")

_NOT_OPEN = "the registry channel is not open: the application has not started"


@dataclass
class RegistryClients:
    """The registry's services, as stubs on one channel: opened when the application starts if the
    factory opens the channel itself, given ready otherwise (a stub alone: the registry service only)."""

    channel: grpc.aio.Channel | None = None
    stub: registry_service_pb2_grpc.RegistryServiceStub | None = None
    health: health_pb2_grpc.HealthStub | None = None
    _stubs: dict[object, Any] = field(default_factory=dict)

    def open(self, channel: grpc.aio.Channel, health: health_pb2_grpc.HealthStub | None = None) -> None:
        self.channel = channel
        self.stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
        self.health = health or health_pb2_grpc.HealthStub(channel)
        self._stubs.clear()

    def close(self) -> None:
        self.channel = self.stub = self.health = None
        self._stubs.clear()

    def registry(self) -> registry_service_pb2_grpc.RegistryServiceStub:
        if self.stub is None:
            raise RuntimeError(_NOT_OPEN)
        return self.stub

    def training_registry(self) -> training_registry_service_pb2_grpc.TrainingRegistryServiceStub:
        return self._service(training_registry_service_pb2_grpc.TrainingRegistryServiceStub)

    def chat_keys(self) -> chat_key_service_pb2_grpc.ChatKeyServiceStub:
        return self._service(chat_key_service_pb2_grpc.ChatKeyServiceStub)

    def ncp_keys(self) -> ncp_key_service_pb2_grpc.NcpKeyServiceStub:
        return self._service(ncp_key_service_pb2_grpc.NcpKeyServiceStub)

    def workspaces(self) -> workspace_service_pb2_grpc.WorkspaceServiceStub:
        return self._service(workspace_service_pb2_grpc.WorkspaceServiceStub)

    def console_sessions(self) -> console_session_service_pb2_grpc.ConsoleSessionServiceStub:
        return self._service(console_session_service_pb2_grpc.ConsoleSessionServiceStub)

    def _service(self, stub_type: Callable[[grpc.aio.Channel], Stub]) -> Stub:
        stub = self._stubs.get(stub_type)
        if stub is None:
            if self.channel is None:
                raise RuntimeError(_NOT_OPEN)
            stub = self._stubs[stub_type] = stub_type(self.channel)
        return stub


SETTINGS = web.AppKey("settings", GatewaySettings)
REGISTRY = web.AppKey("registry", RegistryClients)
ARTIFACTS = web.AppKey("artifacts", ArtifactStore)
OPENAPI_DOCUMENT = web.AppKey("openapi_document", dict[str, Any])
RUNTIME = web.AppKey("inference_runtime", InferenceRuntime)
TRAINER = web.AppKey("trainer", trainer_service_pb2_grpc.TrainerServiceStub)
"""The trainer (data sets in, results out), for every contract that hands out its files."""
