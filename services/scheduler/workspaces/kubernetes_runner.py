"""WorkspaceRunner over Kubernetes: each workspace is a Job and, with exposed ports, a Service
(`kubernetes_manifests` builds both and says how data goes in and out).

The official client blocks, so every call runs in a thread, at most `max_concurrent_calls` at once
and each with `request_timeout_s`. The runner keeps no state of its own: `observe_all` reads the Jobs,
pods and Services carrying `app.kubernetes.io/managed-by=torii` (three list calls, whatever the
number of workspaces), so a restarted scheduler finds its workspaces again.

What ran where: the tests drive this class against a fake API surface that records calls and answers
with the client's model objects; no call here has been made to a real API server. `from_kubeconfig`
is not run by the tests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from kubernetes.client import (
    BatchV1Api,
    CoreV1Api,
    V1ContainerStateTerminated,
    V1ContainerStatus,
    V1Job,
    V1JobList,
    V1JobStatus,
    V1Pod,
    V1PodList,
    V1Service,
    V1ServiceList,
)
from kubernetes.client.exceptions import ApiException

from services.scheduler.workspaces.kubernetes_manifests import (
    COPY_INPUTS_CONTAINER,
    GENERATION_LABEL,
    MANAGED_BY,
    MANAGER,
    OUTPUT_NOT_COPIED,
    WORKSPACE_CONTAINER,
    WORKSPACE_ID_ANNOTATION,
    WORKSPACE_LABEL,
    KubernetesSettings,
    build_job,
    build_service,
    kubernetes_name,
)
from services.scheduler.workspaces.runner import (
    LOG_TAIL_BYTES,
    Observed,
    Phase,
    PublishedPort,
    WorkspaceFailed,
    WorkspaceSpec,
)

T = TypeVar("T")

MANAGED_SELECTOR = f"{MANAGED_BY}={MANAGER}"
_OURS = "torii: "
"""Prefix of the copy scripts' termination messages, left out of what the workspace reports."""

FATAL_WAITING_REASONS = frozenset(
    {"ErrImageNeverPull", "ImagePullBackOff", "InvalidImageName", "CreateContainerConfigError", "CreateContainerError"}
)
"""A container waiting for one of these will not start by itself: the workspace has failed. ErrImagePull
alone is left to the kubelet's retry; it becomes ImagePullBackOff when that fails too."""

OLD_JOB_GONE_TIMEOUT_S = 30.0
"""How long `start` waits for a Job of an older generation to disappear before creating the new one
(background deletion removes the Job object at once; its pod goes later)."""

LOG_LINES_PER_TAIL_BYTE = 1 / 8
"""The API's limitBytes keeps the head of a log, not its tail, so `logs` asks for the last lines
instead: one line per 8 bytes wanted, then cuts the answer to the bytes wanted."""


class BatchApi(Protocol):
    """The part of kubernetes.client.BatchV1Api the runner calls."""

    def list_namespaced_job(
        self, namespace: str, *, label_selector: str | None = ..., _request_timeout: float | None = ...
    ) -> V1JobList: ...

    def read_namespaced_job(self, name: str, namespace: str, *, _request_timeout: float | None = ...) -> V1Job: ...

    def create_namespaced_job(self, namespace: str, body: V1Job, *, _request_timeout: float | None = ...) -> V1Job: ...

    def delete_namespaced_job(
        self,
        name: str,
        namespace: str,
        *,
        propagation_policy: str | None = ...,
        _request_timeout: float | None = ...,
    ) -> object: ...


class CoreApi(Protocol):
    """The part of kubernetes.client.CoreV1Api the runner calls."""

    def list_namespaced_pod(
        self, namespace: str, *, label_selector: str | None = ..., _request_timeout: float | None = ...
    ) -> V1PodList: ...

    def read_namespaced_pod_log(
        self,
        name: str,
        namespace: str,
        *,
        container: str | None = ...,
        tail_lines: int | None = ...,
        _request_timeout: float | None = ...,
    ) -> str: ...

    def list_namespaced_service(
        self, namespace: str, *, label_selector: str | None = ..., _request_timeout: float | None = ...
    ) -> V1ServiceList: ...

    def read_namespaced_service(
        self, name: str, namespace: str, *, _request_timeout: float | None = ...
    ) -> V1Service: ...

    def create_namespaced_service(
        self, namespace: str, body: V1Service, *, _request_timeout: float | None = ...
    ) -> V1Service: ...

    def delete_namespaced_service(
        self, name: str, namespace: str, *, _request_timeout: float | None = ...
    ) -> object: ...


def _is_status(error: ApiException, *statuses: int) -> bool:
    return error.status in statuses


class KubernetesRunner:
    def __init__(self, settings: KubernetesSettings, batch: BatchApi, core: CoreApi) -> None:
        self._settings = settings
        self._batch = batch
        self._core = core
        self._calls = asyncio.Semaphore(settings.max_concurrent_calls)

    @property
    def gpus(self) -> Mapping[str, int]:
        return dict(self._settings.gpus)

    async def _call(self, function: Callable[..., T], *args: object, **kwargs: object) -> T:
        """One blocking API call in a thread, within the concurrency bound and the deadline."""
        async with self._calls:
            return await asyncio.to_thread(function, *args, _request_timeout=self._settings.request_timeout_s, **kwargs)

    async def observe_all(self) -> dict[str, Observed]:
        namespace = self._settings.namespace
        jobs, pods, services = await asyncio.gather(
            self._call(self._batch.list_namespaced_job, namespace, label_selector=MANAGED_SELECTOR),
            self._call(self._core.list_namespaced_pod, namespace, label_selector=MANAGED_SELECTOR),
            self._call(self._core.list_namespaced_service, namespace, label_selector=MANAGED_SELECTOR),
        )
        pods_by_key = _newest_pods(pods.items)
        services_by_name = {service.metadata.name: service for service in services.items if service.metadata}
        observed: dict[str, Observed] = {}
        for job in jobs.items:
            meta = job.metadata
            if meta is None or meta.deletion_timestamp is not None:
                continue  # being removed: no longer this runner's
            workspace_id = (meta.annotations or {}).get(WORKSPACE_ID_ANNOTATION)
            generation = (meta.labels or {}).get(GENERATION_LABEL, "")
            if workspace_id is None or not generation.isdigit():
                continue  # not made by this runner, whatever its labels say
            pod = pods_by_key.get((meta.name or "", generation))
            observed[workspace_id] = _observe(
                workspace_id, int(generation), job, pod, self._published(services_by_name.get(meta.name or ""))
            )
        return observed

    def _published(self, service: V1Service | None) -> tuple[PublishedPort, ...]:
        if service is None or service.metadata is None or service.spec is None:
            return ()
        host = f"{service.metadata.name}.{self._settings.namespace}.svc"
        return tuple(PublishedPort(port.port, host, port.port) for port in service.spec.ports or ())

    async def start(self, spec: WorkspaceSpec) -> Observed:
        """Creates the Service, then the Job; a Job of another generation is deleted first, and one of
        this generation is left as it is (a restarted reconciler may start what already runs)."""
        job = build_job(spec, self._settings)
        service = build_service(spec, self._settings)
        name = kubernetes_name(spec.workspace_id)
        existing = await self._read_job(name)
        if existing is not None:
            existing_labels = (existing.metadata.labels if existing.metadata else None) or {}
            if existing_labels.get(GENERATION_LABEL) == str(spec.generation):
                return (await self.observe_all()).get(spec.workspace_id) or _starting(spec)
            await self._delete_job(name)
            await self._until_job_gone(name)
        await self._replace_service(name, service)
        await self._call(self._batch.create_namespaced_job, self._settings.namespace, job)
        return _starting(spec, self._published(service))

    async def _read_job(self, name: str) -> V1Job | None:
        try:
            return await self._call(self._batch.read_namespaced_job, name, self._settings.namespace)
        except ApiException as error:
            if _is_status(error, 404):
                return None
            raise

    async def _until_job_gone(self, name: str) -> None:
        deadline = asyncio.get_running_loop().time() + OLD_JOB_GONE_TIMEOUT_S
        while await self._read_job(name) is not None:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"Job {name} of an older generation is still being deleted")
            await asyncio.sleep(0.2)

    async def _replace_service(self, name: str, desired: V1Service | None) -> None:
        """Leaves an identical Service (its cluster IP with it); replaces one with other ports or
        another generation's selector; removes one the new generation does not need."""
        try:
            current: V1Service | None = await self._call(
                self._core.read_namespaced_service, name, self._settings.namespace
            )
        except ApiException as error:
            if not _is_status(error, 404):
                raise
            current = None
        if current is not None and desired is not None and _same_service(current, desired):
            return
        if current is not None:
            await self._delete_service(name)
        if desired is not None:
            await self._call(self._core.create_namespaced_service, self._settings.namespace, desired)

    async def collect_output(self, spec: WorkspaceSpec) -> None:
        """The workspace container copied the outputs itself when its command ended; this reads how
        that went, from the container's termination message."""
        pod = await self._newest_pod(kubernetes_name(spec.workspace_id), spec.generation)
        workspace = _workspace_status(pod)
        terminated = workspace.state.terminated if workspace and workspace.state else None
        if terminated is None:
            raise WorkspaceFailed("the workspace's container state is gone: its output cannot be confirmed")
        message = (terminated.message or "").strip()
        if message.startswith(OUTPUT_NOT_COPIED):
            raise WorkspaceFailed(message.removeprefix(_OURS))

    async def _newest_pod(self, name: str, generation: int | None = None) -> V1Pod | None:
        selector = f"{MANAGED_SELECTOR},{WORKSPACE_LABEL}={name}"
        if generation is not None:
            selector += f",{GENERATION_LABEL}={generation}"
        pods = await self._call(self._core.list_namespaced_pod, self._settings.namespace, label_selector=selector)
        return max(pods.items, key=_created, default=None)

    async def logs(self, workspace_id: str, limit_bytes: int = LOG_TAIL_BYTES) -> str:
        pod = await self._newest_pod(kubernetes_name(workspace_id))
        if pod is None or pod.metadata is None or not pod.metadata.name:
            return ""
        try:
            text = await self._call(
                self._core.read_namespaced_pod_log,
                pod.metadata.name,
                self._settings.namespace,
                container=WORKSPACE_CONTAINER,
                tail_lines=max(1, int(limit_bytes * LOG_LINES_PER_TAIL_BYTE)),
            )
        except ApiException as error:
            if _is_status(error, 400, 404):  # 400: the container has not started (or never will)
                return ""
            raise
        tail = text.encode()[-limit_bytes:] if limit_bytes > 0 else b""
        return tail.decode(errors="ignore")

    async def remove(self, workspace_id: str) -> None:
        name = kubernetes_name(workspace_id)
        await self._delete_job(name)
        await self._delete_service(name)

    async def _delete_job(self, name: str) -> None:
        """Background propagation: the Job goes at once, its pod is garbage-collected after."""
        try:
            await self._call(
                self._batch.delete_namespaced_job, name, self._settings.namespace, propagation_policy="Background"
            )
        except ApiException as error:
            if not _is_status(error, 404):
                raise

    async def _delete_service(self, name: str) -> None:
        try:
            await self._call(self._core.delete_namespaced_service, name, self._settings.namespace)
        except ApiException as error:
            if not _is_status(error, 404):
                raise


def from_kubeconfig(settings: KubernetesSettings) -> KubernetesRunner:
    """A runner with the pod's service account inside a cluster, else the current kubeconfig context.
    Not run by the tests: no API server runs where they do."""
    from kubernetes import config
    from kubernetes.config.config_exception import ConfigException

    try:
        config.load_incluster_config()
    except ConfigException:
        config.load_kube_config()
    return KubernetesRunner(settings, BatchV1Api(), CoreV1Api())


def _starting(spec: WorkspaceSpec, ports: tuple[PublishedPort, ...] = ()) -> Observed:
    return Observed(spec.workspace_id, spec.generation, Phase.STARTING, ports=ports)


def _created(pod: V1Pod) -> datetime:
    stamp = pod.metadata.creation_timestamp if pod.metadata else None
    return stamp or datetime.min.replace(tzinfo=UTC)


def _newest_pods(pods: list[V1Pod]) -> dict[tuple[str, str], V1Pod]:
    """The newest pod of each (workspace name, generation): an older generation's pod may still be
    terminating beside the new one."""
    newest: dict[tuple[str, str], V1Pod] = {}
    for pod in sorted(pods, key=_created):
        pod_labels = (pod.metadata.labels if pod.metadata else None) or {}
        key = (pod_labels.get(WORKSPACE_LABEL, ""), pod_labels.get(GENERATION_LABEL, ""))
        newest[key] = pod
    return newest


def _same_service(current: V1Service, desired: V1Service) -> bool:
    def shape(service: V1Service) -> tuple[object, object]:
        spec = service.spec
        if spec is None:
            return None, None
        return spec.selector, sorted((port.port, port.target_port, port.protocol) for port in spec.ports or ())

    return shape(current) == shape(desired)


def _container_statuses(pod: V1Pod) -> list[V1ContainerStatus]:
    status = pod.status
    if status is None:
        return []
    return [*(status.init_container_statuses or ()), *(status.container_statuses or ())]


def _workspace_status(pod: V1Pod | None) -> V1ContainerStatus | None:
    if pod is None or pod.status is None:
        return None
    return next((each for each in pod.status.container_statuses or () if each.name == WORKSPACE_CONTAINER), None)


def _fatal_wait(pod: V1Pod) -> str:
    """Why a container of this pod will never start, or ""."""
    for status in _container_statuses(pod):
        waiting = status.state.waiting if status.state else None
        if waiting is not None and waiting.reason in FATAL_WAITING_REASONS:
            return _joined(status.name, waiting.reason, waiting.message)
    return ""


def _failed_init(pod: V1Pod | None) -> V1ContainerStateTerminated | None:
    """How the input copy ended, when it failed."""
    if pod is None or pod.status is None:
        return None
    for status in pod.status.init_container_statuses or ():
        terminated = status.state.terminated if status.state else None
        if status.name == COPY_INPUTS_CONTAINER and terminated is not None and terminated.exit_code != 0:
            return terminated
    return None


def _observe(
    workspace_id: str, generation: int, job: V1Job, pod: V1Pod | None, ports: tuple[PublishedPort, ...]
) -> Observed:
    """The Job's state, with the exit code, times and reasons its pod's containers give."""
    workspace = _workspace_status(pod)
    state = workspace.state if workspace else None
    running = state.running if state else None
    terminated = state.terminated if state else None
    started_at = (running.started_at if running else None) or (terminated.started_at if terminated else None)

    def seen(
        phase: Phase, exit_code: int | None = None, finished_at: datetime | None = None, message: str = ""
    ) -> Observed:
        return Observed(workspace_id, generation, phase, exit_code, ports, started_at, finished_at, message)

    if terminated is not None:
        # An output that could not be copied is collect_output's to report, and only matters after exit code 0.
        message = "killed: out of memory" if terminated.reason == "OOMKilled" else ""
        return seen(Phase.EXITED, terminated.exit_code, terminated.finished_at, message)
    init = _failed_init(pod)
    if init is not None:
        message = (init.message or "").strip() or f"{COPY_INPUTS_CONTAINER} exited with code {init.exit_code}"
        return seen(Phase.EXITED, None, init.finished_at, message.removeprefix(_OURS))
    fatal = _fatal_wait(pod) if pod is not None else ""
    if fatal:
        return seen(Phase.EXITED, message=fatal)
    status = job.status
    if status is not None and status.succeeded:  # one pod, never restarted: it exited with 0
        return seen(Phase.EXITED, 0, status.completion_time)
    if status is not None and status.failed:
        return seen(Phase.EXITED, message=_why_ended(status, pod))
    if running is not None:
        return seen(Phase.RUNNING)
    return seen(Phase.STARTING, message=_pending_reason(pod))


def _joined(*parts: str | None) -> str:
    return ": ".join(part for part in parts if part)


def _why_ended(status: V1JobStatus, pod: V1Pod | None) -> str:
    """Why a Job failed without its workspace container's state: the pod's reason (Evicted, ...), else
    the Job's Failed condition."""
    pod_status = pod.status if pod else None
    if pod_status is not None and pod_status.reason:
        return _joined(pod_status.reason, pod_status.message)
    failed = next((each for each in status.conditions or () if each.type == "Failed"), None)
    if failed is not None:
        return _joined(failed.reason or "Failed", failed.message)
    return "the Job ended and its pod is gone"


def _pending_reason(pod: V1Pod | None) -> str:
    """Why the pod waits (unschedulable: no node with the GPUs asked for, ...), or ""."""
    if pod is None or pod.status is None:
        return ""
    for condition in pod.status.conditions or ():
        if condition.type == "PodScheduled" and condition.status == "False":
            return _joined(condition.reason or "Unschedulable", condition.message)
    return ""
