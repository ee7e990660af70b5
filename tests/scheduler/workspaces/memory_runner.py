"""A workspace runner that keeps its "containers" in memory, for the reconciler's decisions
(queues, generations, restarts, failures) without a container engine. The podman runner itself
is tested against real podman in test_podman_runner.py."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from services.scheduler.workspaces.runner import (
    LOG_TAIL_BYTES,
    Observed,
    Phase,
    PublishedPort,
    WorkspaceFailed,
    WorkspaceSpec,
)


@dataclass
class MemoryRunner:
    gpu_inventory: dict[str, int] = field(default_factory=dict)
    containers: dict[str, Observed] = field(default_factory=dict)
    specs: dict[str, WorkspaceSpec] = field(default_factory=dict)
    starts: list[tuple[str, int]] = field(default_factory=list)
    collected: list[tuple[str, int]] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    missing_images: set[str] = field(default_factory=set)
    output_failure: str = ""
    observations: int = 0
    """observe_all calls: one per reconcile pass."""

    @property
    def gpus(self) -> Mapping[str, int]:
        return self.gpu_inventory

    async def observe_all(self) -> dict[str, Observed]:
        self.observations += 1
        return dict(self.containers)

    async def start(self, spec: WorkspaceSpec) -> Observed:
        if spec.image in self.missing_images:
            raise WorkspaceFailed(f"image {spec.image} not found on this runner")
        self.starts.append((spec.workspace_id, spec.generation))
        self.specs[spec.workspace_id] = spec
        ports = tuple(PublishedPort(port, "127.0.0.1", 40000 + port) for port in spec.ports)
        seen = Observed(spec.workspace_id, spec.generation, Phase.RUNNING, ports=ports, started_at=datetime.now(UTC))
        self.containers[spec.workspace_id] = seen
        return seen

    def exit(self, workspace_id: str, code: int, message: str = "") -> None:
        seen = self.containers[workspace_id]
        self.containers[workspace_id] = replace(
            seen, phase=Phase.EXITED, exit_code=code, finished_at=datetime.now(UTC), message=message
        )

    async def collect_output(self, spec: WorkspaceSpec) -> None:
        if self.output_failure:
            raise WorkspaceFailed(self.output_failure)
        self.collected.append((spec.workspace_id, spec.generation))

    async def logs(self, workspace_id: str, limit_bytes: int = LOG_TAIL_BYTES) -> str:
        return f"log of {workspace_id}\n" if workspace_id in self.containers else ""

    async def remove(self, workspace_id: str) -> None:
        self.removed.append(workspace_id)
        self.containers.pop(workspace_id, None)
