"""Typed keys for what the gateway keeps on its aiohttp application."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web
from grpc_health.v1 import health_pb2_grpc

from services.gateway.artifacts import ArtifactStore
from services.gateway.serving.inference_runtime import InferenceRuntime
from services.gateway.settings import GatewaySettings
from torii.v1 import (
    chat_key_service_pb2_grpc,
    ncp_key_service_pb2_grpc,
    registry_service_pb2_grpc,
    training_registry_service_pb2_grpc,
    workspace_service_pb2_grpc,
)


@dataclass
class RegistryClients:
    """Filled when the application starts if the factory opens the channel itself."""

    stub: registry_service_pb2_grpc.RegistryServiceStub | None = None
    health: health_pb2_grpc.HealthStub | None = None
    training: training_registry_service_pb2_grpc.TrainingRegistryServiceStub | None = None
    chat_key_stub: chat_key_service_pb2_grpc.ChatKeyServiceStub | None = None
    ncp_key_stub: ncp_key_service_pb2_grpc.NcpKeyServiceStub | None = None
    workspace_stub: workspace_service_pb2_grpc.WorkspaceServiceStub | None = None

    def registry(self) -> registry_service_pb2_grpc.RegistryServiceStub:
        if self.stub is None:
            raise RuntimeError("the registry channel is not open: the application has not started")
        return self.stub

    def training_registry(self) -> training_registry_service_pb2_grpc.TrainingRegistryServiceStub:
        if self.training is None:
            raise RuntimeError("the registry channel is not open: the application has not started")
        return self.training

    def chat_keys(self) -> chat_key_service_pb2_grpc.ChatKeyServiceStub:
        if self.chat_key_stub is None:
            raise RuntimeError("the registry channel is not open: the application has not started")
        return self.chat_key_stub

    def ncp_keys(self) -> ncp_key_service_pb2_grpc.NcpKeyServiceStub:
        if self.ncp_key_stub is None:
            raise RuntimeError("the registry channel is not open: the application has not started")
        return self.ncp_key_stub

    def workspaces(self) -> workspace_service_pb2_grpc.WorkspaceServiceStub:
        if self.workspace_stub is None:
            raise RuntimeError("the registry channel is not open: the application has not started")
        return self.workspace_stub


SETTINGS = web.AppKey("settings", GatewaySettings)
REGISTRY = web.AppKey("registry", RegistryClients)
ARTIFACTS = web.AppKey("artifacts", ArtifactStore)
OPENAPI_DOCUMENT = web.AppKey("openapi_document", dict[str, Any])
RUNTIME = web.AppKey("inference_runtime", InferenceRuntime)
