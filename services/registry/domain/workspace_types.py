"""Data Forest AI workspaces as the registry keeps them. The configuration and the runner's
status are the wire messages themselves: the registry stores and returns them whole, and judges
only the resources they hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from torii.v1 import workspaces_pb2


@dataclass(frozen=True)
class Holding:
    """What workspaces hold of an account's quota, or what the quota allows."""

    workspaces: int
    cpu_count: int
    memory_mb: int
    gpu_count: int

    def plus(self, other: Holding) -> Holding:
        return Holding(
            self.workspaces + other.workspaces,
            self.cpu_count + other.cpu_count,
            self.memory_mb + other.memory_mb,
            self.gpu_count + other.gpu_count,
        )

    def within(self, quota: Holding) -> bool:
        return (
            self.workspaces <= quota.workspaces
            and self.cpu_count <= quota.cpu_count
            and self.memory_mb <= quota.memory_mb
            and self.gpu_count <= quota.gpu_count
        )


def holding_of(configuration: workspaces_pb2.WorkspaceConfiguration) -> Holding:
    resource = configuration.resource
    return Holding(1, resource.cpu_count, resource.memory_mb, resource.gpu_count)


@dataclass(frozen=True)
class Workspace:
    workspace_id: str
    account_id: str
    name: str
    description: str
    configuration: workspaces_pb2.WorkspaceConfiguration
    generation: int
    created_at: datetime
    modified_at: datetime
    status: workspaces_pb2.WorkspaceStatus
    deleted: bool = False


@dataclass(frozen=True)
class ConfigurationRecord:
    configuration: workspaces_pb2.WorkspaceConfiguration
    generation: int
    created_at: datetime
    modified_at: datetime
