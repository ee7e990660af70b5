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
- a container killed past its memory exits 137 with State.OOMKilled false (cgroup v1 with runc), but conmon
  (2.1.6) creates a file `oom` in its working directory, which is podman's (conmon issue #504): each
  container is started from a fresh folder of its own, so that file says for certain which one was killed
  for memory; every other podman call runs in the state folder, so nothing lands in the caller's.

Every podman call is an asyncio subprocess with a deadline, and at most `max_concurrent_calls` run at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import tarfile
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.runtime.logging import get_logger
from services.scheduler.workspaces.container_files import (
    InputPlan,
    checked_container_path,
    extract_output,
    folder_within,
    move_into_place,
    plan_inputs,
    refuse_existing,
    staging_folder,
    write_inputs,
)
from services.scheduler.workspaces.podman_containers import (
    LABEL_GENERATION,
    LABEL_GPUS,
    LABEL_WORKSPACE,
    PHASES,
    checked_workspace_id,
    choose_gpu_devices,
    container_labels,
    container_name,
    create_arguments,
    observed_container,
)
from services.scheduler.workspaces.runner import (
    LOG_TAIL_BYTES,
    DataOutput,
    Observed,
    Phase,
    WorkspaceFailed,
    WorkspaceSpec,
)

log = get_logger("workspaces")


class PodmanError(RuntimeError):
    """podman did not answer as expected (not the workspace's fault); the reconciler may try again."""


@dataclass(frozen=True)
class _Completed:
    returncode: int
    stdout: bytes
    stderr: str


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
        observed = (observed_container(detail, self._oom_marked) for detail in details)
        return {item.workspace_id: item for item in observed if item is not None}

    async def start(self, spec: WorkspaceSpec) -> Observed:
        name = container_name(spec.workspace_id)
        await self.remove(spec.workspace_id)
        if (await self._run("image", "exists", spec.image)).returncode != 0:
            raise WorkspaceFailed(f"image {spec.image} not found on this runner")
        plan = await asyncio.to_thread(plan_inputs, spec, self._max_input_bytes)
        await self._create(spec, name)
        try:
            workdir_missing = bool(spec.workdir) and not await self._exists_in_container(name, spec.workdir)
            plan = InputPlan(plan.workdir if workdir_missing else None, plan.sources)
            if plan.workdir is not None or plan.sources:
                await self._copy_in(name, plan)
            started = await self._run("start", name, cwd=await asyncio.to_thread(self._fresh_conmon_folder, spec))
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
        generation = container_labels(detail).get(LABEL_GENERATION)
        if generation != str(spec.generation):
            raise WorkspaceFailed(f"the container runs generation {generation}, not {spec.generation}")
        for output in spec.outputs:
            checked_container_path(output.path, "output path")
            refuse_existing(output)
        staged: list[tuple[DataOutput, Path]] = []
        try:
            for output in spec.outputs:
                staged.append((output, await self._copy_out(name, output)))
            for output, folder in staged:
                await asyncio.to_thread(move_into_place, folder, output)
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
        for kept in ("collected", "conmon"):
            await asyncio.to_thread(shutil.rmtree, self._state_dir / kept / checked_workspace_id(workspace_id), True)

    def _conmon_folder(self, workspace_id: str, generation: int) -> Path:
        return self._state_dir / "conmon" / checked_workspace_id(workspace_id) / str(generation)

    def _fresh_conmon_folder(self, spec: WorkspaceSpec) -> Path:
        """Where the container's conmon runs: empty, so an `oom` file in it is this container's."""
        folder = self._conmon_folder(spec.workspace_id, spec.generation)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder

    def _podman_folder(self) -> Path:
        """The working folder of podman calls other than a start (made on first use)."""
        folder = self._state_dir / "podman"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def _oom_marked(self, workspace_id: str, generation: int) -> bool:
        return (self._conmon_folder(workspace_id, generation) / "oom").exists()

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
            if PHASES.get(detail.get("State", {}).get("Status", "")) is not Phase.EXITED:
                taken.update(int(index) for index in container_labels(detail).get(LABEL_GPUS, "").split(",") if index)
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
            return await asyncio.to_thread(folder_within, root, checked_container_path(container_path, "workdir"))
        finally:
            await asyncio.shield(self._run("umount", name))

    async def _copy_in(self, name: str, plan: InputPlan) -> None:
        returncode, stderr, writer_error = await self._stream(
            ("cp", "-", f"{name}:/"), lambda fd: write_inputs(fd, plan), into_podman=True
        )
        # A writer that fails leaves podman a cut archive; podman that fails leaves the writer a broken pipe.
        if writer_error is not None and not isinstance(writer_error, BrokenPipeError):
            raise WorkspaceFailed(f"the input could not be read: {writer_error}")
        if returncode != 0 or writer_error is not None:
            raise WorkspaceFailed(f"the input could not be copied in: {_last_line(stderr)}")

    # Collecting

    async def _copy_out(self, name: str, output: DataOutput) -> Path:
        """Copy `output.path` into a new folder beside its destination; the folder holds one entry."""
        path = checked_container_path(output.path, "output path")
        folder = await asyncio.to_thread(staging_folder, output.destination)
        try:
            returncode, stderr, reader_error = await self._stream(
                ("cp", f"{name}:{path}", "-"), lambda fd: extract_output(fd, folder / "copy"), into_podman=False
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
        return self._state_dir / "collected" / checked_workspace_id(spec.workspace_id) / str(spec.generation)

    # Observing

    async def _observe(self, workspace_id: str) -> Observed | None:
        details = await self._inspect_labelled(f"{LABEL_WORKSPACE}={workspace_id}")
        return next(
            (item for item in (observed_container(detail, self._oom_marked) for detail in details) if item is not None),
            None,
        )

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

    async def _run(self, *arguments: str, tail_bytes: int | None = None, cwd: Path | None = None) -> _Completed:
        """Run podman to its end (in `cwd`, else the state folder). With `tail_bytes`, stderr goes into
        stdout and only its end is kept."""
        async with self._calls:
            process = await asyncio.create_subprocess_exec(
                *self._podman,
                *arguments,
                cwd=cwd or self._podman_folder(),
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
                    cwd=self._podman_folder(),
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


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no message"


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
