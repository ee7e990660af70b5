"""What the scheduler's workspace reconciler needs of a runner (podman here, Kubernetes Jobs in a
cluster): start a workspace's container, see every container it runs, collect a finished one's
output, read its logs, remove it. Runners know nothing of the registry; the reconciler decides.

Every container a runner starts carries the workspace id and the configuration generation, so a
runner that restarts finds its containers again (`observe_all`) rather than starting them twice.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

LOG_TAIL_BYTES = 64 * 1024
"""How much of a container's output the registry keeps (WorkspaceStatus.log_tail)."""


@dataclass(frozen=True)
class DataInput:
    """A file or folder on the operator's storage, copied to `path` in the container."""

    source: Path
    path: str


@dataclass(frozen=True)
class DataOutput:
    """`path` in the container, copied to `destination` on the operator's storage at the end."""

    path: str
    destination: Path
    overwrite: bool


@dataclass(frozen=True)
class WorkspaceSpec:
    """One generation of a workspace's configuration, as a runner runs it. `image` is the runner's
    own reference (the operator's image list resolved it); storage paths are already contained."""

    workspace_id: str
    generation: int
    account_id: str
    image: str
    command: str
    args: str = ""
    env: Mapping[str, str] = field(default_factory=dict)
    workdir: str = ""
    ports: tuple[int, ...] = ()
    cpu_count: int = 1
    memory_mb: int = 15360
    gpu_count: int = 0
    gpu_model: str = ""
    inputs: tuple[DataInput, ...] = ()
    outputs: tuple[DataOutput, ...] = ()

    def shell_command(self) -> list[str]:
        """command and args run as YARN runs a launch command: one line for /bin/sh."""
        line = f"{self.command} {self.args}" if self.args else self.command
        return ["/bin/sh", "-c", line]


class Phase(enum.Enum):
    STARTING = "starting"
    RUNNING = "running"
    EXITED = "exited"
    """The command ended (any exit code); the reconciler collects the output and says how."""


@dataclass(frozen=True)
class PublishedPort:
    container_port: int
    host: str
    host_port: int


@dataclass(frozen=True)
class Observed:
    """A container as the runner sees it now."""

    workspace_id: str
    generation: int
    phase: Phase
    exit_code: int | None = None
    ports: tuple[PublishedPort, ...] = ()
    started_at: datetime | None = None
    finished_at: datetime | None = None
    message: str = ""
    """Why it ended, where the runner knows more than the exit code (killed past its memory)."""


class WorkspaceFailed(Exception):
    """The workspace fails with this message: its container could not be started (image missing,
    input not found, …) or its output could not be copied out."""


class WorkspaceRunner(Protocol):
    @property
    def gpus(self) -> Mapping[str, int]:
        """GPUs this runner can give workspaces, by model (e.g. {"T4": 2}); empty without GPUs."""
        ...

    async def observe_all(self) -> dict[str, Observed]:
        """Every workspace container this runner has, by workspace id."""
        ...

    async def start(self, spec: WorkspaceSpec) -> Observed:
        """Create the container, copy the input in, start the command. Raises WorkspaceFailed."""
        ...

    async def collect_output(self, spec: WorkspaceSpec) -> None:
        """Copy an exited container's output to its destinations. Raises WorkspaceFailed (with the
        reason) when a path is missing or a destination exists without overwrite."""
        ...

    async def logs(self, workspace_id: str, limit_bytes: int = LOG_TAIL_BYTES) -> str:
        """The end of the container's stdout and stderr; empty when it has none."""
        ...

    async def remove(self, workspace_id: str) -> None:
        """Stop and remove the container; nothing to do when there is none."""
        ...
