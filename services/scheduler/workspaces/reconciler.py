"""The workspace reconciler: makes the runner's containers match the workspaces the registry keeps.

A pass runs at every change the registry streams (WatchWorkspaceChanges) and at least every
interval. Every pass lists the registry's workspaces (deleted ones included until forgotten) and the
runner's containers, then for each workspace: removes a container of a deleted workspace or of an
older configuration, starts one where none runs (a GPU workspace only once enough GPUs of its
model are free; until then it is QUEUED and says why), collects the output of one that exited,
and reports what changed. Containers carry their workspace and generation, so a reconciler that
restarts adopts what is there rather than starting it twice; output is collected once per
generation (the runner keeps a marker), so a restart between collecting and reporting does not
copy twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from services.runtime.logging import get_logger
from services.runtime.tasks import cancel_and_wait
from services.scheduler.workspaces.images import ImageCatalog
from services.scheduler.workspaces.runner import (
    DataInput,
    DataOutput,
    Observed,
    Phase,
    WorkspaceFailed,
    WorkspaceRunner,
    WorkspaceSpec,
)
from services.scheduler.workspaces.storage_paths import contained
from torii.v1 import workspace_service_pb2, workspace_service_pb2_grpc, workspaces_pb2

log = get_logger("workspaces")

State = workspaces_pb2.WorkspaceState
_ENDED = (workspaces_pb2.WORKSPACE_STATE_SUCCEEDED, workspaces_pb2.WORKSPACE_STATE_FAILED)
LOG_REPORT_INTERVAL_S = 10.0
"""How often a running workspace's log tail goes to the registry."""
WATCH_RETRY_S = 1.0
"""How long after a change stream ends it is watched again (passes keep their interval meanwhile)."""


def _timestamp(moment: datetime | None) -> Timestamp | None:
    if moment is None:
        return None
    stamp = Timestamp()
    stamp.FromDatetime(moment.astimezone(UTC))
    return stamp


class WorkspaceReconciler:
    def __init__(
        self,
        registry: workspace_service_pb2_grpc.WorkspaceServiceStub,
        runner: WorkspaceRunner,
        images: ImageCatalog,
        storage_root: Path,
        interval_s: float,
    ) -> None:
        self._registry = registry
        self._runner = runner
        self._images = images
        self._storage_root = storage_root
        self._interval_s = interval_s
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._watch: asyncio.Task | None = None
        self._logs_reported_at: dict[str, float] = {}
        self._started_here: set[tuple[str, int]] = set()
        """(workspace, generation) this reconciler started: a container still starting that it did
        not start was left half-made by one that died between creating and starting it."""

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="workspace-reconciler")
        self._watch = asyncio.create_task(self._watch_changes(), name="workspace-changes")

    async def stop(self) -> None:
        await cancel_and_wait(self._watch)
        await cancel_and_wait(self._task)

    def wake(self) -> None:
        self._wake.set()

    async def _watch_changes(self) -> None:
        while True:
            try:
                async for _change in self._registry.WatchWorkspaceChanges(
                    workspace_service_pb2.WatchWorkspaceChangesRequest()
                ):
                    self._wake.set()
            except grpc.aio.AioRpcError as error:
                log.info("workspace_watch_ended", code=error.code().name)
            except Exception:  # keep watching; the traceback is logged
                log.exception("workspace_watch_crashed")
            await asyncio.sleep(WATCH_RETRY_S)

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self.reconcile_once()
            except Exception:  # the next pass tries again; the traceback is logged
                log.exception("workspace_reconcile_failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._interval_s):
                    await self._wake.wait()

    async def reconcile_once(self) -> None:
        listed = await self._registry.ListRunnerWorkspaces(workspace_service_pb2.ListRunnerWorkspacesRequest())
        workspaces = {workspace.workspace_id: workspace for workspace in listed.workspaces}
        observed = await self._runner.observe_all()
        for workspace_id in set(observed) - set(workspaces):
            log.info("workspace_orphan_removed", workspace_id=workspace_id)
            await self._runner.remove(workspace_id)
        live = [workspace for workspace in workspaces.values() if not workspace.deleted]
        await asyncio.gather(*(self._remove(workspace) for workspace in workspaces.values() if workspace.deleted))
        for workspace in live:
            seen = observed.get(workspace.workspace_id)
            if seen is None:
                continue
            outdated = seen.generation != workspace.generation
            half_made = seen.phase is Phase.STARTING and (seen.workspace_id, seen.generation) not in self._started_here
            if outdated or half_made:
                await self._runner.remove(workspace.workspace_id)
                del observed[workspace.workspace_id]
        gpus_in_use = self._gpus_in_use(live, observed)
        starts = []
        for workspace in live:
            seen = observed.get(workspace.workspace_id)
            if seen is not None:
                continue
            if workspace.status.generation == workspace.generation and workspace.status.state in _ENDED:
                continue  # its container is gone after it ended (removed by hand): nothing to run again
            waiting = self._waiting_for_gpus(workspace.configuration.resource, gpus_in_use)
            if waiting:
                await self._report(
                    workspace, workspaces_pb2.WorkspaceStatus(state=State.WORKSPACE_STATE_QUEUED, message=waiting)
                )
                continue
            resource = workspace.configuration.resource
            if resource.gpu_count:
                gpus_in_use[resource.gpu_model] += resource.gpu_count
            starts.append(self._start(workspace))
        follow = [
            self._follow(workspaces[id_], seen)
            for id_, seen in observed.items()
            if id_ in workspaces and not workspaces[id_].deleted
        ]
        await asyncio.gather(*starts, *follow)

    def _gpus_in_use(self, live, observed: dict[str, Observed]) -> Counter[str]:
        in_use: Counter[str] = Counter()
        for workspace in live:
            seen = observed.get(workspace.workspace_id)
            resource = workspace.configuration.resource
            if seen is not None and seen.phase is not Phase.EXITED and resource.gpu_count:
                in_use[resource.gpu_model] += resource.gpu_count
        return in_use

    def _waiting_for_gpus(self, resource: workspaces_pb2.WorkspaceResource, in_use: Counter[str]) -> str:
        if resource.gpu_count <= 0:
            return ""
        have = self._runner.gpus.get(resource.gpu_model, 0)
        free = have - in_use[resource.gpu_model]
        if free >= resource.gpu_count:
            return ""
        return (
            f"waiting for {resource.gpu_count} free {resource.gpu_model} GPU(s): this runner has {have},"
            f" {in_use[resource.gpu_model]} in use"
        )

    async def _remove(self, workspace: workspaces_pb2.Workspace) -> None:
        await self._runner.remove(workspace.workspace_id)
        await self._registry.ForgetWorkspace(
            workspace_service_pb2.ForgetWorkspaceRequest(workspace_id=workspace.workspace_id)
        )
        self._logs_reported_at.pop(workspace.workspace_id, None)
        log.info("workspace_removed", workspace_id=workspace.workspace_id)

    def spec_of(self, workspace: workspaces_pb2.Workspace) -> WorkspaceSpec:
        """The runner's spec of a workspace's current configuration; raises WorkspaceFailed for an
        image not listed or a data path outside the storage."""
        configuration = workspace.configuration
        docker = configuration.docker
        resource = configuration.resource
        return WorkspaceSpec(
            workspace_id=workspace.workspace_id,
            generation=workspace.generation,
            account_id=workspace.account_id,
            image=self._images.resolve(docker.image),
            command=docker.command,
            args=docker.args,
            env=dict(docker.env),
            workdir=docker.workdir,
            ports=tuple(docker.expose_tcp_ports),
            cpu_count=resource.cpu_count,
            memory_mb=resource.memory_mb,
            gpu_count=resource.gpu_count,
            gpu_model=resource.gpu_model,
            inputs=tuple(
                DataInput(contained(self._storage_root, item.source), item.path) for item in configuration.inputs
            ),
            outputs=tuple(
                DataOutput(item.path, contained(self._storage_root, item.destination), item.overwrite)
                for item in configuration.outputs
            ),
        )

    async def _start(self, workspace: workspaces_pb2.Workspace) -> None:
        await self._report(workspace, workspaces_pb2.WorkspaceStatus(state=State.WORKSPACE_STATE_STARTING))
        self._started_here.add((workspace.workspace_id, workspace.generation))
        try:
            seen = await self._runner.start(self.spec_of(workspace))
        except WorkspaceFailed as failure:
            log.info("workspace_start_failed", workspace_id=workspace.workspace_id, reason=str(failure))
            await self._report(
                workspace, workspaces_pb2.WorkspaceStatus(state=State.WORKSPACE_STATE_FAILED, message=str(failure))
            )
            return
        log.info("workspace_started", workspace_id=workspace.workspace_id, generation=workspace.generation)
        await self._follow(workspace, seen)

    async def _follow(self, workspace: workspaces_pb2.Workspace, seen: Observed) -> None:
        status = workspace.status
        current = status.generation == workspace.generation
        if seen.phase is Phase.EXITED:
            if current and status.state in _ENDED:
                return
            await self._report(workspace, await self._ended(workspace, seen), logs=True)
            return
        state = State.WORKSPACE_STATE_RUNNING if seen.phase is Phase.RUNNING else State.WORKSPACE_STATE_STARTING
        loop_time = asyncio.get_running_loop().time()
        logs_due = loop_time - self._logs_reported_at.get(workspace.workspace_id, 0.0) >= LOG_REPORT_INTERVAL_S
        if current and status.state == state and not logs_due:
            return
        await self._report(workspace, self._status_of(seen, state), logs=True)

    def _status_of(
        self, seen: Observed, state: workspaces_pb2.WorkspaceState, message: str = ""
    ) -> workspaces_pb2.WorkspaceStatus:
        status = workspaces_pb2.WorkspaceStatus(
            state=state,
            message=message,
            ports=[
                workspaces_pb2.PublishedPort(
                    container_port=port.container_port, host=port.host, host_port=port.host_port
                )
                for port in seen.ports
            ],
            started_at=_timestamp(seen.started_at),
            finished_at=_timestamp(seen.finished_at),
        )
        if seen.exit_code is not None and seen.phase is Phase.EXITED:
            status.exit_code = seen.exit_code
        return status

    async def _ended(self, workspace: workspaces_pb2.Workspace, seen: Observed) -> workspaces_pb2.WorkspaceStatus:
        if seen.exit_code != 0:
            reason = seen.message or f"the command exited with code {seen.exit_code}"
            return self._status_of(seen, State.WORKSPACE_STATE_FAILED, reason)
        try:
            await self._runner.collect_output(self.spec_of(workspace))
        except WorkspaceFailed as failure:
            return self._status_of(seen, State.WORKSPACE_STATE_FAILED, str(failure))
        return self._status_of(seen, State.WORKSPACE_STATE_SUCCEEDED, "the command exited with code 0")

    async def _report(
        self, workspace: workspaces_pb2.Workspace, status: workspaces_pb2.WorkspaceStatus, *, logs: bool = False
    ) -> None:
        status.generation = workspace.generation
        if logs:
            status.log_tail = await self._runner.logs(workspace.workspace_id)
            self._logs_reported_at[workspace.workspace_id] = asyncio.get_running_loop().time()
        if status == workspace.status:
            return
        await self._registry.ReportWorkspaceStatus(
            workspace_service_pb2.ReportWorkspaceStatusRequest(workspace_id=workspace.workspace_id, status=status)
        )
        # The pass's copy follows what was reported, so the rest of the pass does not report it again.
        workspace.status.CopyFrom(status)
