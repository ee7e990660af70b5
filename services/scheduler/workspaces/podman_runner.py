"""Workspaces as podman containers on the scheduler's own machine (WorkspaceRunner).

Podman keeps no daemon and neither does this runner: each container carries its workspace id, generation,
account and memory limit as labels, so `observe_all` after a restart sees what the runner saw before. The
state folder holds only one thing of the runner's own: a marker per generation whose output was collected,
which makes a second collection of the same generation a no-op.

Measured on the machines Torii runs on (podman 4.3.1, Debian 12, root, cgroups v1 in hybrid mode):
- podman's default runtime crun refuses hybrid cgroups, so every call names runc;
- creating a container fails with "error setting rlimit type 7" unless nofile and nproc are set explicitly;
- `podman cp` needs the destination's parent and `-w` needs the folder to exist, so inputs go in as one tar
  stream holding each at its full container path, copied into the created container before it starts;
- a container killed past its memory exits 137 with State.OOMKilled false (cgroup v1 with runc), so exit
  code 137 under a memory limit is reported as a likely, not a certain, out-of-memory kill.

Every podman call is an asyncio subprocess with a deadline, and at most `max_concurrent_calls` run at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import posixpath
import re
import shutil
import tarfile
import tempfile
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from services.runtime.logging import get_logger
from services.scheduler.workspaces.runner import (
    LOG_TAIL_BYTES,
    DataInput,
    DataOutput,
    Observed,
    Phase,
    PublishedPort,
    WorkspaceFailed,
    WorkspaceSpec,
)

log = get_logger("workspaces")

LABEL_WORKSPACE = "torii.workspace"
LABEL_GENERATION = "torii.generation"
LABEL_ACCOUNT = "torii.account"
LABEL_MEMORY_MB = "torii.memory-mb"
LABEL_GPUS = "torii.gpus"
NAME_PREFIX = "torii-ws-"

_KILLED_EXIT_CODE = 137
_WORKSPACE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
"""What podman accepts in a container name (after the prefix) and what is safe as a file name."""

_PHASES = {
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


class PodmanError(RuntimeError):
    """podman did not answer as expected (not the workspace's fault); the reconciler may try again."""


@dataclass(frozen=True)
class _Completed:
    returncode: int
    stdout: bytes
    stderr: str


@dataclass(frozen=True)
class _InputPlan:
    """What goes into the container before it starts, at archive names (container paths without the `/`)."""

    workdir: str | None
    sources: tuple[tuple[Path, str], ...]


class PodmanRunner:
    """A WorkspaceRunner over the local podman. Containers are named `torii-ws-<workspace id>`."""

    def __init__(
        self,
        state_dir: Path,
        *,
        podman: str = "podman",
        runtime: str = "runc",
        port_host: str = "127.0.0.1",
        gpus: Mapping[str, int] | None = None,
        max_input_bytes: int = 10 * 1024**3,
        pids_limit: int = 4096,
        max_concurrent_calls: int = 4,
        call_timeout_s: float = 60.0,
        copy_timeout_s: float = 3600.0,
    ) -> None:
        """`gpus` counts the machine's GPUs by model; CDI device indices follow the mapping's order
        (the first model's GPUs are nvidia.com/gpu=0…, the next model's follow). `call_timeout_s` bounds
        every podman call but the copies of inputs and outputs, which `copy_timeout_s` bounds."""
        self._state_dir = state_dir
        self._podman = [podman, "--runtime", runtime]
        self._port_host = port_host
        self._gpus = dict(gpus or {})
        self._max_input_bytes = max_input_bytes
        self._pids_limit = pids_limit
        self._calls = asyncio.Semaphore(max_concurrent_calls)
        self._call_timeout_s = call_timeout_s
        self._copy_timeout_s = copy_timeout_s
        self._gpu_choice = asyncio.Lock()

    @property
    def gpus(self) -> Mapping[str, int]:
        return self._gpus

    async def observe_all(self) -> dict[str, Observed]:
        details = await self._inspect_labelled(LABEL_WORKSPACE)
        observed = (_observed(detail) for detail in details)
        return {item.workspace_id: item for item in observed if item is not None}

    async def start(self, spec: WorkspaceSpec) -> Observed:
        name = container_name(spec.workspace_id)
        await self.remove(spec.workspace_id)
        if (await self._run("image", "exists", spec.image)).returncode != 0:
            raise WorkspaceFailed(f"image {spec.image} not found on this runner")
        plan = await asyncio.to_thread(_plan_inputs, spec, self._max_input_bytes)
        await self._create(spec, name)
        try:
            workdir_missing = bool(spec.workdir) and not await self._exists_in_container(name, spec.workdir)
            plan = _InputPlan(plan.workdir if workdir_missing else None, plan.sources)
            if plan.workdir is not None or plan.sources:
                await self._copy_in(name, plan)
            started = await self._run("start", name)
            if started.returncode != 0:
                raise WorkspaceFailed(f"the container did not start: {_last_line(started.stderr)}")
        except BaseException:
            await asyncio.shield(self._remove_quietly(name))
            raise
        observed = await self._observe(spec.workspace_id)
        if observed is None:
            raise WorkspaceFailed("the container was removed while it started")
        log.info("podman_container_started", workspace_id=spec.workspace_id, generation=spec.generation, container=name)
        return observed

    async def collect_output(self, spec: WorkspaceSpec) -> None:
        marker = self._collected_marker(spec)
        if marker.exists():
            return
        name = container_name(spec.workspace_id)
        detail = await self._inspect_one(name)
        if detail is None:
            raise WorkspaceFailed(f"workspace {spec.workspace_id} has no container to copy output from")
        generation = _labels(detail).get(LABEL_GENERATION)
        if generation != str(spec.generation):
            raise WorkspaceFailed(f"the container runs generation {generation}, not {spec.generation}")
        for output in spec.outputs:
            _container_path(output.path, "output path")
            _refuse_existing(output)
        staged: list[tuple[DataOutput, Path]] = []
        try:
            for output in spec.outputs:
                staged.append((output, await self._copy_out(name, output)))
            for output, folder in staged:
                await asyncio.to_thread(_move_into_place, folder, output)
        finally:
            for _, folder in staged:
                await asyncio.to_thread(shutil.rmtree, folder, True)
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        log.info("podman_output_collected", workspace_id=spec.workspace_id, generation=spec.generation)

    async def logs(self, workspace_id: str, limit_bytes: int = LOG_TAIL_BYTES) -> str:
        name = container_name(workspace_id)
        if (await self._run("container", "exists", name)).returncode != 0:
            return ""
        read = await self._run("logs", name, tail_bytes=limit_bytes)
        text = read.stdout.decode(errors="replace")
        if read.returncode != 0:
            if (await self._run("container", "exists", name)).returncode != 0:
                return ""
            raise PodmanError(f"podman logs {name} failed ({read.returncode}): {_last_line(text)}")
        return text

    async def remove(self, workspace_id: str) -> None:
        await self._remove_container(container_name(workspace_id))
        await asyncio.to_thread(shutil.rmtree, self._state_dir / "collected" / workspace_id, True)

    # Creating and starting

    async def _create(self, spec: WorkspaceSpec, name: str) -> None:
        async with self._gpu_choice if spec.gpu_count else contextlib.nullcontext():
            devices = await self._choose_gpus(spec) if spec.gpu_count else ()
            created = await self._run(*create_arguments(spec, name, self._port_host, self._pids_limit, devices))
        if created.returncode != 0:
            await self._remove_quietly(name)
            raise WorkspaceFailed(f"the container could not be created: {_last_line(created.stderr)}")

    async def _choose_gpus(self, spec: WorkspaceSpec) -> tuple[int, ...]:
        taken: set[int] = set()
        for detail in await self._inspect_labelled(LABEL_GPUS):
            if _PHASES.get(detail.get("State", {}).get("Status", "")) is not Phase.EXITED:
                taken.update(int(index) for index in _labels(detail).get(LABEL_GPUS, "").split(",") if index)
        devices = choose_gpu_devices(self._gpus, taken, spec.gpu_model, spec.gpu_count)
        if devices is None:
            raise WorkspaceFailed(f"this runner has no {spec.gpu_count} free GPU of model {spec.gpu_model or 'any'}")
        return devices

    async def _exists_in_container(self, name: str, container_path: str) -> bool:
        """Whether a folder exists in the created container: a tar entry for a folder the image already
        has would replace its mode (/tmp would lose 1777), so the workdir is only added when missing."""
        mounted = await self._run("mount", name)
        if mounted.returncode != 0:
            raise PodmanError(f"podman mount {name} failed: {_last_line(mounted.stderr)}")
        try:
            root = Path(mounted.stdout.decode().strip())
            return await asyncio.to_thread(_folder_within, root, _container_path(container_path, "workdir"))
        finally:
            await asyncio.shield(self._run("umount", name))

    async def _copy_in(self, name: str, plan: _InputPlan) -> None:
        returncode, stderr, writer_error = await self._stream(
            ("cp", "-", f"{name}:/"), lambda fd: _write_inputs(fd, plan), into_podman=True
        )
        # A writer that fails leaves podman a cut archive; podman that fails leaves the writer a broken pipe.
        if writer_error is not None and not isinstance(writer_error, BrokenPipeError):
            raise WorkspaceFailed(f"the input could not be read: {writer_error}")
        if returncode != 0 or writer_error is not None:
            raise WorkspaceFailed(f"the input could not be copied in: {_last_line(stderr)}")

    # Collecting

    async def _copy_out(self, name: str, output: DataOutput) -> Path:
        """Copy `output.path` into a new folder beside its destination; the folder holds one entry."""
        path = _container_path(output.path, "output path")
        folder = await asyncio.to_thread(_staging_folder, output.destination)
        try:
            returncode, stderr, reader_error = await self._stream(
                ("cp", f"{name}:{path}", "-"), lambda fd: _extract_output(fd, folder / "copy"), into_podman=False
            )
            if returncode != 0 and "could not be found" in stderr:
                raise WorkspaceFailed(f"output {output.path} not found in the container")
            # A refused link breaks podman's pipe: the reader's reason is the one to give.
            if isinstance(reader_error, tarfile.FilterError) or (returncode == 0 and reader_error is not None):
                raise WorkspaceFailed(f"output {output.path} could not be copied: {reader_error}")
            if returncode != 0:
                raise WorkspaceFailed(f"output {output.path} could not be copied: {_last_line(stderr)}")
        except BaseException:
            await asyncio.to_thread(shutil.rmtree, folder, True)
            raise
        return folder

    def _collected_marker(self, spec: WorkspaceSpec) -> Path:
        return self._state_dir / "collected" / _checked_id(spec.workspace_id) / str(spec.generation)

    # Observing

    async def _observe(self, workspace_id: str) -> Observed | None:
        details = await self._inspect_labelled(f"{LABEL_WORKSPACE}={workspace_id}")
        return next((item for item in map(_observed, details) if item is not None), None)

    async def _inspect_labelled(self, label: str) -> list[dict[str, Any]]:
        listed = await self._run("ps", "-a", "--filter", f"label={label}", "--format", "{{.ID}}")
        if listed.returncode != 0:
            raise PodmanError(f"podman ps failed ({listed.returncode}): {_last_line(listed.stderr)}")
        ids = listed.stdout.decode().split()
        if not ids:
            return []
        # A container removed between the two calls makes inspect exit 125 after printing the others.
        inspected = await self._run("container", "inspect", "--format", "json", *ids)
        try:
            details = json.loads(inspected.stdout or b"[]")
        except json.JSONDecodeError as error:
            raise PodmanError(f"podman inspect answered no JSON: {_last_line(inspected.stderr)}") from error
        return [detail for detail in details if isinstance(detail, dict)]

    async def _inspect_one(self, name: str) -> dict[str, Any] | None:
        inspected = await self._run("container", "inspect", "--format", "json", name)
        if inspected.returncode != 0:
            if (await self._run("container", "exists", name)).returncode == 1:
                return None
            raise PodmanError(f"podman inspect {name} failed: {_last_line(inspected.stderr)}")
        details = json.loads(inspected.stdout)
        return details[0] if details else None

    async def _remove_quietly(self, name: str) -> None:
        """Clean up after a start that failed, without hiding why it failed."""
        try:
            await self._remove_container(name)
        except Exception:
            log.exception("podman_half_started_container_kept", container=name)

    async def _remove_container(self, name: str) -> None:
        removed = await self._run("rm", "--force", "--ignore", "--time", "2", name)
        if removed.returncode != 0:
            raise PodmanError(f"podman rm {name} failed ({removed.returncode}): {_last_line(removed.stderr)}")

    # Running podman

    async def _run(self, *arguments: str, tail_bytes: int | None = None) -> _Completed:
        """Run podman to its end. With `tail_bytes`, stderr goes into stdout and only its end is kept."""
        async with self._calls:
            process = await asyncio.create_subprocess_exec(
                *self._podman,
                *arguments,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE if tail_bytes is None else asyncio.subprocess.STDOUT,
            )
            async with _killed_on_exit(process):
                try:
                    if tail_bytes is None:
                        stdout, stderr = await asyncio.wait_for(process.communicate(), self._call_timeout_s)
                    else:
                        stdout = await asyncio.wait_for(_read_tail(process, tail_bytes), self._call_timeout_s)
                        stderr = b""
                    returncode = await asyncio.wait_for(process.wait(), self._call_timeout_s)
                except TimeoutError:
                    raise PodmanError(f"podman {arguments[0]} did not finish within {self._call_timeout_s} s") from None
        return _Completed(returncode, stdout, stderr.decode(errors="replace"))

    async def _stream(
        self, arguments: tuple[str, ...], worker: Callable[[int], None], *, into_podman: bool
    ) -> tuple[int, str, BaseException | None]:
        """Run podman with a thread on the other end of its stdin (`into_podman`) or stdout; the thread
        gets its end of the pipe and closes it. Returns podman's exit code and stderr, and the thread's error."""
        read_end, write_end = os.pipe()
        podman_end, worker_end = (read_end, write_end) if into_podman else (write_end, read_end)
        async with self._calls:
            try:
                process = await asyncio.create_subprocess_exec(
                    *self._podman,
                    *arguments,
                    stdin=podman_end if into_podman else asyncio.subprocess.DEVNULL,
                    stdout=asyncio.subprocess.DEVNULL if into_podman else podman_end,
                    stderr=asyncio.subprocess.PIPE,
                )
            except BaseException:
                os.close(worker_end)
                raise
            finally:
                os.close(podman_end)
            worker_done = asyncio.ensure_future(asyncio.to_thread(_closing(worker, worker_end)))
            try:
                async with _killed_on_exit(process):
                    try:
                        _, stderr = await asyncio.wait_for(process.communicate(), self._copy_timeout_s)
                    except TimeoutError:
                        raise PodmanError(
                            f"podman {arguments[0]} did not finish within {self._copy_timeout_s} s"
                        ) from None
            finally:
                # With podman gone the thread's pipe breaks, so it ends soon; never leave it behind.
                worker_error = (await asyncio.gather(asyncio.shield(worker_done), return_exceptions=True))[0]
        assert process.returncode is not None
        return process.returncode, stderr.decode(errors="replace"), worker_error


def container_name(workspace_id: str) -> str:
    return NAME_PREFIX + _checked_id(workspace_id)


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
        options.append(("--workdir", _container_path(spec.workdir, "workdir")))
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


def _observed(detail: Mapping[str, Any]) -> Observed | None:
    """An inspected container as the reconciler sees it; None for one that is not a workspace's."""
    labels = _labels(detail)
    state = detail.get("State") or {}
    phase = _PHASES.get(state.get("Status", ""))
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
        message=_exit_message(exit_code, bool(state.get("OOMKilled")), labels.get(LABEL_MEMORY_MB)),
    )


def _exit_message(exit_code: int | None, oom_killed: bool, memory_mb: str | None) -> str:
    if oom_killed:
        return f"killed: out of memory (the limit is {memory_mb} MiB)" if memory_mb else "killed: out of memory"
    if exit_code == _KILLED_EXIT_CODE and memory_mb:
        # cgroup v1 with runc leaves OOMKilled false even when the kernel killed the command for memory.
        return f"killed (exit code {exit_code}): out of memory? the limit is {memory_mb} MiB"
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


def _labels(detail: Mapping[str, Any]) -> dict[str, str]:
    return dict((detail.get("Config") or {}).get("Labels") or {})


_ISO_FRACTION = re.compile(r"(\.\d{6})\d*")


def _time(text: str | None) -> datetime | None:
    """podman's RFC 3339 time (nanoseconds, `Z`); None for its zero time."""
    if not text or text.startswith("0001-01-01"):
        return None
    moment = datetime.fromisoformat(_ISO_FRACTION.sub(r"\1", text.replace("Z", "+00:00")))
    return moment.astimezone(UTC)


def _checked_id(workspace_id: str) -> str:
    if not _WORKSPACE_ID.match(workspace_id):
        raise WorkspaceFailed(f"workspace id {workspace_id!r} cannot name a container")
    return workspace_id


def _container_path(text: str, what: str) -> str:
    """An absolute container path, normalised; the tar stream names it without the leading `/`."""
    if not text.startswith("/") or "\0" in text:
        raise WorkspaceFailed(f"{what} {text!r} is not an absolute path in the container")
    return posixpath.normpath(text).replace("//", "/")


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


# Work done in threads: walking, archiving and extracting files.


def _plan_inputs(spec: WorkspaceSpec, max_bytes: int) -> _InputPlan:
    """Check every input exists and that together they stay within `max_bytes`."""
    total = 0
    sources = []
    for data_input in spec.inputs:
        path = _container_path(data_input.path, "input path")
        if path == "/":
            raise WorkspaceFailed(f"input {data_input.source} cannot replace the container's root folder")
        if not data_input.source.exists():
            raise WorkspaceFailed(f"input {data_input.source} not found")
        total += _size(data_input, max_bytes - total)
        if total > max_bytes:
            raise WorkspaceFailed(f"the input is over this runner's limit of {max_bytes} bytes")
        sources.append((data_input.source, path.lstrip("/")))
    workdir = _container_path(spec.workdir, "workdir").lstrip("/") if spec.workdir else None
    return _InputPlan(workdir or None, tuple(sources))


def _size(data_input: DataInput, budget: int) -> int:
    """Bytes of the regular files under the input; stops counting once past `budget`."""
    if not data_input.source.is_dir():
        return data_input.source.lstat().st_size
    total = 0
    for folder, _, files in os.walk(data_input.source):
        for file in files:
            total += os.lstat(os.path.join(folder, file)).st_size
            if total > budget:
                return total
    return total


def _write_inputs(fd: int, plan: _InputPlan) -> None:
    with os.fdopen(fd, "wb", closefd=False) as pipe, tarfile.open(fileobj=pipe, mode="w|") as archive:
        if plan.workdir is not None:
            folder = tarfile.TarInfo(plan.workdir)
            folder.type = tarfile.DIRTYPE
            folder.mode = 0o755
            archive.addfile(folder)
        for source, name in plan.sources:
            # Links stay links (never their targets), so an input cannot carry files from outside itself.
            archive.add(source, arcname=name, recursive=True, filter=_owned_by_root)


def _owned_by_root(member: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """Inputs belong to the container's root user; devices and pipes are left out."""
    if not (member.isreg() or member.isdir() or member.issym() or member.islnk()):
        return None
    member.uid = member.gid = 0
    member.uname = member.gname = "root"
    return member


def _extract_output(fd: int, folder: Path) -> None:
    folder.mkdir()
    with os.fdopen(fd, "rb", closefd=False) as pipe, tarfile.open(fileobj=pipe, mode="r|") as archive:
        archive.extractall(folder, filter=_contained)


def _contained(member: tarfile.TarInfo, destination: str) -> tarfile.TarInfo | None:
    """tarfile's "data" filter, and links must stay inside the one output they belong to: a link to a
    sibling of the destination would otherwise leave it once moved into place."""
    member = tarfile.data_filter(member, destination)
    if member.issym() or member.islnk():
        top = PurePosixPath(member.name).parts[0]
        base = posixpath.dirname(member.name) if member.issym() else ""
        target = posixpath.normpath(posixpath.join(base, member.linkname))
        if target != top and not target.startswith(top + "/"):
            raise tarfile.LinkOutsideDestinationError(member, target)
    return member


def _refuse_existing(output: DataOutput) -> None:
    if not output.overwrite and (output.destination.exists() or output.destination.is_symlink()):
        raise WorkspaceFailed(f"output destination {output.destination} exists and overwrite is false")


def _staging_folder(destination: Path) -> Path:
    """A new folder beside `destination` (same file system, so moving into place is a rename)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{destination.name}.torii-", dir=destination.parent))


def _move_into_place(folder: Path, output: DataOutput) -> None:
    """Move the one entry under `folder`/copy to the destination; an older destination goes to `folder`/old
    first (so the new copy takes its place in one rename) and is deleted with the folder."""
    entries = list((folder / "copy").iterdir())
    if len(entries) != 1:
        raise WorkspaceFailed(f"output {output.path} did not copy as one file or folder")
    _refuse_existing(output)
    destination = output.destination
    if destination.exists() or destination.is_symlink():
        destination.rename(folder / "old")
    entries[0].rename(destination)


def _folder_within(root: Path, container_path: str) -> bool:
    """Whether `container_path` is a folder under the mounted container root, resolving links as the
    container would (an absolute link points into the container, never at the host)."""
    pending = deque(PurePosixPath(container_path).parts[1:])
    current = PurePosixPath("/")
    hops = 0
    while pending:
        part = pending.popleft()
        if part in (".", ".."):
            current = current.parent if part == ".." else current
            continue
        on_host = root / (current / part).relative_to("/")
        if on_host.is_symlink():
            hops += 1
            if hops > 40:
                return False
            target = PurePosixPath(os.readlink(on_host))
            pending.extendleft(reversed(target.parts[1:] if target.is_absolute() else target.parts))
            current = PurePosixPath("/") if target.is_absolute() else current
            continue
        if not on_host.exists():
            return False
        current = current / part
    return (root / current.relative_to("/")).is_dir()


def _closing(worker: Callable[[int], None], fd: int) -> Callable[[], None]:
    def run() -> None:
        try:
            worker(fd)
        finally:
            os.close(fd)

    return run


async def _read_tail(process: asyncio.subprocess.Process, limit_bytes: int) -> bytes:
    assert process.stdout is not None
    tail = bytearray()
    while chunk := await process.stdout.read(64 * 1024):
        tail += chunk
        del tail[: max(0, len(tail) - limit_bytes)]
    return bytes(tail)


@contextlib.asynccontextmanager
async def _killed_on_exit(process: asyncio.subprocess.Process) -> AsyncIterator[None]:
    """A podman call that times out or is cancelled must not outlive its caller."""
    try:
        yield
    finally:
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await asyncio.shield(process.wait())
