"""What podman's command lines and JSON look like for a workspace container.

The arguments of `podman create` (limits, labels, env, ports, GPUs), the labels that let a restarted runner
recognise its containers, the choice of free GPU indices, and an inspected container read back as Observed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from services.scheduler.workspaces.container_files import checked_container_path
from services.scheduler.workspaces.runner import Observed, Phase, PublishedPort, WorkspaceFailed, WorkspaceSpec

LABEL_WORKSPACE = "torii.workspace"
LABEL_GENERATION = "torii.generation"
LABEL_ACCOUNT = "torii.account"
LABEL_MEMORY_MB = "torii.memory-mb"
LABEL_GPUS = "torii.gpus"
NAME_PREFIX = "torii-ws-"

_KILLED_EXIT_CODE = 137
_WORKSPACE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
"""What podman accepts in a container name (after the prefix) and what is safe as a file name."""

PHASES = {
    "created": Phase.STARTING,
    "configured": Phase.STARTING,
    "initialized": Phase.STARTING,
    "running": Phase.RUNNING,
    "paused": Phase.RUNNING,
    "stopping": Phase.RUNNING,
    "exited": Phase.EXITED,
    "stopped": Phase.EXITED,
}
"""podman's container states; a container being removed ("removing") is no longer the runner's."""


def container_name(workspace_id: str) -> str:
    return NAME_PREFIX + checked_workspace_id(workspace_id)


def create_arguments(
    spec: WorkspaceSpec, name: str, port_host: str, pids_limit: int, gpu_devices: Iterable[int] = ()
) -> list[str]:
    """`podman create …` for one generation of a workspace: its limits, labels, env, ports and command."""
    devices = tuple(gpu_devices)
    options: list[tuple[str, ...]] = [
        ("--name", name),
        ("--cpus", str(spec.cpu_count)),
        ("--memory", f"{spec.memory_mb}m"),
        # Equal to --memory: no swap beyond the limit, so the limit is what the workspace gets.
        ("--memory-swap", f"{spec.memory_mb}m"),
        ("--pids-limit", str(pids_limit)),
        # Without explicit values the runtime cannot set these limits here ("error setting rlimit type 7").
        ("--ulimit", "nofile=20000:20000"),
        ("--ulimit", "nproc=4096:4096"),
        # podman passes the host's proxy variables in by default; a workspace gets only its own env.
        ("--http-proxy=false",),
        # catatonit as PID 1: the command gets SIGTERM on stop (not 2 s then SIGKILL) and zombies are reaped.
        ("--init",),
        # k8s-file logs grow without end otherwise; the registry keeps only the tail anyway.
        ("--log-opt", "max-size=10mb"),
        ("--label", f"{LABEL_WORKSPACE}={spec.workspace_id}"),
        ("--label", f"{LABEL_GENERATION}={spec.generation}"),
        ("--label", f"{LABEL_ACCOUNT}={spec.account_id}"),
        ("--label", f"{LABEL_MEMORY_MB}={spec.memory_mb}"),
    ]
    if devices:
        options.append(("--label", f"{LABEL_GPUS}={','.join(map(str, devices))}"))
        options += [("--device", f"nvidia.com/gpu={index}") for index in devices]
    for key, value in spec.env.items():
        # `--env KEY` without a value would copy the host's variable of that name.
        if not key or "=" in key or "\0" in key + value:
            raise WorkspaceFailed(f"environment variable {key!r} cannot be passed to a container")
        options.append(("--env", f"{key}={value}"))
    if spec.workdir:
        options.append(("--workdir", checked_container_path(spec.workdir, "workdir")))
    options += [("--publish", f"{port_host}::{port}") for port in spec.ports] or [("--network", "none")]
    return ["create", *(part for option in options for part in option), spec.image, *spec.shell_command()]


def choose_gpu_devices(gpus: Mapping[str, int], taken: set[int], model: str, count: int) -> tuple[int, ...] | None:
    """The lowest free CDI indices of `model` ("" for any model), or None when fewer than `count` are free.
    Indices follow the order of `gpus`: {"T4": 2, "V100": 1} makes 0 and 1 the T4s and 2 the V100."""
    free: list[int] = []
    first = 0
    for each_model, number in gpus.items():
        if not model or each_model == model:
            free += [index for index in range(first, first + number) if index not in taken]
        first += number
    return tuple(free[:count]) if len(free) >= count else None


def observed_container(detail: Mapping[str, Any], oom_marked: Callable[[str, int], bool]) -> Observed | None:
    """An inspected container as the reconciler sees it; None for one that is not a workspace's.
    `oom_marked(workspace id, generation)`: whether conmon marked that container killed for memory."""
    labels = container_labels(detail)
    state = detail.get("State") or {}
    phase = PHASES.get(state.get("Status", ""))
    try:
        workspace_id = labels[LABEL_WORKSPACE]
        generation = int(labels[LABEL_GENERATION])
    except (KeyError, ValueError):
        return None
    if phase is None:
        return None
    exit_code = int(state.get("ExitCode", 0)) if phase is Phase.EXITED else None
    return Observed(
        workspace_id=workspace_id,
        generation=generation,
        phase=phase,
        exit_code=exit_code,
        ports=_ports(detail),
        started_at=_time(state.get("StartedAt")),
        finished_at=_time(state.get("FinishedAt")) if phase is Phase.EXITED else None,
        message=_exit_message(
            exit_code,
            bool(state.get("OOMKilled")) or (exit_code == _KILLED_EXIT_CODE and oom_marked(workspace_id, generation)),
            labels.get(LABEL_MEMORY_MB),
        ),
    )


def _exit_message(exit_code: int | None, oom_killed: bool, memory_mb: str | None) -> str:
    if oom_killed:
        return f"killed: out of memory (the limit is {memory_mb} MiB)" if memory_mb else "killed: out of memory"
    if exit_code == _KILLED_EXIT_CODE:
        return f"killed (exit code {exit_code})"
    return ""


def _ports(detail: Mapping[str, Any]) -> tuple[PublishedPort, ...]:
    published = (detail.get("NetworkSettings") or {}).get("Ports") or {}
    ports = []
    for key, bindings in published.items():
        port, _, protocol = key.partition("/")
        if protocol not in ("", "tcp"):
            continue
        for binding in bindings or ():
            if binding.get("HostPort"):
                ports.append(PublishedPort(int(port), binding.get("HostIp", ""), int(binding["HostPort"])))
    return tuple(sorted(ports, key=lambda item: item.container_port))


def container_labels(detail: Mapping[str, Any]) -> dict[str, str]:
    return dict((detail.get("Config") or {}).get("Labels") or {})


_ISO_FRACTION = re.compile(r"(\.\d{6})\d*")


def _time(text: str | None) -> datetime | None:
    """podman's RFC 3339 time (nanoseconds, `Z`); None for its zero time."""
    if not text or text.startswith("0001-01-01"):
        return None
    moment = datetime.fromisoformat(_ISO_FRACTION.sub(r"\1", text.replace("Z", "+00:00")))
    return moment.astimezone(UTC)


def checked_workspace_id(workspace_id: str) -> str:
    if not _WORKSPACE_ID.match(workspace_id):
        raise WorkspaceFailed(f"workspace id {workspace_id!r} cannot name a container")
    return workspace_id
