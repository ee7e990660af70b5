"""KubernetesRunner against a fake API surface: one object standing in for BatchV1Api and CoreV1Api,
keeping Jobs, pods and Services as the client's model objects and recording every call. The tests
play the cluster's part (a pod appears, runs, ends) by editing what the fake holds. No API server
runs here, so what a real one would do differently (admission, the Job controller, the kubelet) is
not tested; the manifests' schema validity is (test_kubernetes_manifests.py)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from kubernetes.client import (
    V1ContainerState,
    V1ContainerStateRunning,
    V1ContainerStateTerminated,
    V1ContainerStateWaiting,
    V1ContainerStatus,
    V1Job,
    V1JobCondition,
    V1JobList,
    V1JobStatus,
    V1ObjectMeta,
    V1Pod,
    V1PodCondition,
    V1PodList,
    V1PodStatus,
    V1Service,
    V1ServiceList,
    V1ServiceSpec,
)
from kubernetes.client.exceptions import ApiException

from services.scheduler.workspaces import kubernetes_manifests as manifests
from services.scheduler.workspaces.kubernetes_manifests import KubernetesSettings, build_job, kubernetes_name
from services.scheduler.workspaces.kubernetes_runner import KubernetesRunner
from services.scheduler.workspaces.runner import Phase, PublishedPort, WorkspaceFailed, WorkspaceSpec

NAMESPACE = "work"
SETTINGS = KubernetesSettings(
    storage_claim="torii-data", storage_root=Path("/srv/torii-data"), namespace=NAMESPACE, gpus={"T4": 4}
)
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

NOTEBOOK = WorkspaceSpec(
    workspace_id="NoteBook1",
    generation=1,
    account_id="acct",
    image="registry.local/dataforest/jupyter:1",
    command="jupyter lab",
    ports=(8888,),
)
BATCH = WorkspaceSpec(
    workspace_id="notebook1",  # the same id as NOTEBOOK's but for case: another workspace
    generation=4,
    account_id="acct",
    image="registry.local/dataforest/python:3.11",
    command="python train.py",
    gpu_count=1,
    gpu_model="T4",
)


def meta(item: V1Job | V1Pod | V1Service) -> V1ObjectMeta:
    assert item.metadata is not None and item.metadata.name
    return item.metadata


def labels_of(item: V1Job | V1Pod | V1Service) -> dict[str, str]:
    return meta(item).labels or {}


def service_spec(service: V1Service) -> V1ServiceSpec:
    assert service.spec is not None
    return service.spec


def not_found() -> ApiException:
    return ApiException(status=404, reason="Not Found")


def selected(labels: dict[str, str] | None, selector: str | None) -> bool:
    wanted = dict(term.split("=", 1) for term in (selector or "").split(",") if term)
    return wanted.items() <= (labels or {}).items()


class FakeCluster:
    """BatchV1Api and CoreV1Api for one namespace, blocking as the real client does (the runner
    calls it from threads); equality-based label selectors only."""

    def __init__(self, hold_calls_until: int = 1, hold_calls_s: float = 0.0) -> None:
        self.jobs: dict[str, V1Job] = {}
        self.pods: dict[str, V1Pod] = {}
        self.services: dict[str, V1Service] = {}
        self.logs: dict[str, str] = {}
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
        self.failures: dict[str, ApiException] = {}
        self.reads_of_a_deleted_job = 0
        """How many more times read_namespaced_job still finds a Job after its deletion."""
        self._deleted: dict[str, V1Job] = {}
        self._lock = threading.Lock()
        self._overlap = threading.Condition(self._lock)
        self._hold_calls_until = hold_calls_until
        self._hold_calls_s = hold_calls_s
        self.in_flight = 0
        self.most_in_flight = 0

    def _record(self, method: str, *args: Any, **kwargs: Any) -> None:
        assert kwargs.get("_request_timeout") == SETTINGS.request_timeout_s, f"{method} without its deadline"
        with self._lock:
            self.calls.append((method, args, kwargs))
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self._overlap.notify_all()
            # Holding each call until that many overlapped (or a short time passed) shows how many the
            # runner lets overlap: without holding, thread timing alone would decide.
            self._overlap.wait_for(lambda: self.most_in_flight >= self._hold_calls_until, timeout=self._hold_calls_s)
            self.in_flight -= 1
        failure = self.failures.pop(method, None)
        if failure is not None:
            raise failure

    def methods(self) -> list[str]:
        return [method for method, _, _ in self.calls]

    # BatchV1Api
    def list_namespaced_job(self, namespace: str, **kwargs: Any) -> V1JobList:
        self._record("list_namespaced_job", namespace, **kwargs)
        return V1JobList(items=[j for j in self.jobs.values() if selected(labels_of(j), kwargs["label_selector"])])

    def read_namespaced_job(self, name: str, namespace: str, **kwargs: Any) -> V1Job:
        self._record("read_namespaced_job", name, namespace, **kwargs)
        if name not in self.jobs and name in self._deleted and self.reads_of_a_deleted_job > 0:
            self.reads_of_a_deleted_job -= 1
            return self._deleted[name]
        if name not in self.jobs:
            raise not_found()
        return self.jobs[name]

    def create_namespaced_job(self, namespace: str, body: V1Job, **kwargs: Any) -> V1Job:
        self._record("create_namespaced_job", namespace, body, **kwargs)
        if meta(body).name in self.jobs:
            raise ApiException(status=409, reason="AlreadyExists")
        job = body.model_copy(deep=True)
        meta(job).creation_timestamp = NOW
        job.status = V1JobStatus(active=0)
        self.jobs[str(meta(job).name)] = job
        return job

    def delete_namespaced_job(self, name: str, namespace: str, **kwargs: Any) -> object:
        self._record("delete_namespaced_job", name, namespace, **kwargs)
        if name not in self.jobs:
            raise not_found()
        self._deleted[name] = self.jobs.pop(name)
        return {}

    # CoreV1Api
    def list_namespaced_pod(self, namespace: str, **kwargs: Any) -> V1PodList:
        self._record("list_namespaced_pod", namespace, **kwargs)
        return V1PodList(items=[p for p in self.pods.values() if selected(labels_of(p), kwargs["label_selector"])])

    def read_namespaced_pod_log(self, name: str, namespace: str, **kwargs: Any) -> str:
        self._record("read_namespaced_pod_log", name, namespace, **kwargs)
        if name not in self.pods:
            raise not_found()
        if name not in self.logs:
            raise ApiException(status=400, reason="container is waiting to start")
        lines = self.logs[name].splitlines(keepends=True)
        return "".join(lines[-kwargs["tail_lines"] :])

    def list_namespaced_service(self, namespace: str, **kwargs: Any) -> V1ServiceList:
        self._record("list_namespaced_service", namespace, **kwargs)
        services = self.services.values()
        return V1ServiceList(items=[s for s in services if selected(labels_of(s), kwargs["label_selector"])])

    def read_namespaced_service(self, name: str, namespace: str, **kwargs: Any) -> V1Service:
        self._record("read_namespaced_service", name, namespace, **kwargs)
        if name not in self.services:
            raise not_found()
        return self.services[name]

    def create_namespaced_service(self, namespace: str, body: V1Service, **kwargs: Any) -> V1Service:
        self._record("create_namespaced_service", namespace, body, **kwargs)
        self.services[str(meta(body).name)] = body.model_copy(deep=True)
        return body

    def delete_namespaced_service(self, name: str, namespace: str, **kwargs: Any) -> object:
        self._record("delete_namespaced_service", name, namespace, **kwargs)
        if self.services.pop(name, None) is None:
            raise not_found()
        return {}

    # The cluster's part
    def pod(
        self,
        spec: WorkspaceSpec,
        workspace: V1ContainerState | None = None,
        copy_inputs: V1ContainerState | None = None,
        conditions: list[V1PodCondition] | None = None,
        reason: str | None = None,
        age_s: int = 0,
    ) -> str:
        """Puts (or replaces) the pod of `spec`'s Job, its containers in the states given."""
        name = f"{kubernetes_name(spec.workspace_id)}-g{spec.generation}"

        def status(container: str, state: V1ContainerState) -> V1ContainerStatus:
            return V1ContainerStatus(name=container, image="i", image_id="", ready=False, restart_count=0, state=state)

        self.pods[name] = V1Pod(
            metadata=V1ObjectMeta(
                name=name, labels=manifests.labels(spec), creation_timestamp=NOW - timedelta(seconds=age_s)
            ),
            status=V1PodStatus(
                conditions=conditions,
                reason=reason,
                container_statuses=[status(manifests.WORKSPACE_CONTAINER, workspace)] if workspace else None,
                init_container_statuses=[status(manifests.COPY_INPUTS_CONTAINER, copy_inputs)] if copy_inputs else None,
            ),
        )
        return name

    def job_ended(self, spec: WorkspaceSpec, failed: bool, condition: V1JobCondition | None = None) -> None:
        job = self.jobs[kubernetes_name(spec.workspace_id)]
        job.status = V1JobStatus(
            failed=int(failed), succeeded=int(not failed), conditions=[condition] if condition else None
        )


def running(at: datetime = NOW) -> V1ContainerState:
    return V1ContainerState(running=V1ContainerStateRunning(started_at=at))


def exited(code: int, message: str | None = None, reason: str = "Completed") -> V1ContainerState:
    ended = V1ContainerStateTerminated(
        exit_code=code, reason=reason, message=message, started_at=NOW, finished_at=NOW + timedelta(minutes=5)
    )
    return V1ContainerState(terminated=ended)


def waiting(reason: str) -> V1ContainerState:
    return V1ContainerState(waiting=V1ContainerStateWaiting(reason=reason, message=f"{reason} for the image"))


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster()


@pytest.fixture
def runner(cluster: FakeCluster) -> KubernetesRunner:
    return KubernetesRunner(SETTINGS, cluster, cluster)


async def test_start_creates_the_service_then_the_job(cluster: FakeCluster, runner: KubernetesRunner) -> None:
    seen = await runner.start(NOTEBOOK)

    name = kubernetes_name(NOTEBOOK.workspace_id)
    assert cluster.methods() == [
        "read_namespaced_job",
        "read_namespaced_service",
        "create_namespaced_service",
        "create_namespaced_job",
    ]
    assert all(args[0] in (NAMESPACE, name) for _, args, _ in cluster.calls)
    assert cluster.jobs[name].spec == build_job(NOTEBOOK, SETTINGS).spec
    assert seen.phase is Phase.STARTING and (seen.workspace_id, seen.generation) == ("NoteBook1", 1)
    assert seen.ports == (PublishedPort(8888, f"{name}.{NAMESPACE}.svc", 8888),)


async def test_a_workspace_without_ports_gets_no_service(cluster: FakeCluster, runner: KubernetesRunner) -> None:
    await runner.start(BATCH)
    assert "create_namespaced_service" not in cluster.methods()
    assert list(cluster.jobs) == [kubernetes_name(BATCH.workspace_id)]


async def test_observe_follows_the_job_through_its_pod(cluster: FakeCluster, runner: KubernetesRunner) -> None:
    await runner.start(NOTEBOOK)
    assert (await runner.observe_all())["NoteBook1"].phase is Phase.STARTING

    unschedulable = V1PodCondition(
        type="PodScheduled", status="False", reason="Unschedulable", message="0/3 nodes have nvidia.com/gpu"
    )
    cluster.pod(NOTEBOOK, conditions=[unschedulable])
    seen = (await runner.observe_all())["NoteBook1"]
    assert seen.phase is Phase.STARTING
    assert seen.message == "Unschedulable: 0/3 nodes have nvidia.com/gpu"

    cluster.pod(NOTEBOOK, workspace=running())
    seen = (await runner.observe_all())["NoteBook1"]
    assert (seen.phase, seen.started_at, seen.exit_code) == (Phase.RUNNING, NOW, None)
    assert seen.ports[0].host == f"{kubernetes_name('NoteBook1')}.{NAMESPACE}.svc"

    cluster.pod(NOTEBOOK, workspace=exited(3))
    cluster.job_ended(NOTEBOOK, failed=True)
    seen = (await runner.observe_all())["NoteBook1"]
    assert (seen.phase, seen.exit_code, seen.message) == (Phase.EXITED, 3, "")
    assert (seen.started_at, seen.finished_at) == (NOW, NOW + timedelta(minutes=5))


async def test_a_workspace_killed_for_memory_says_so(cluster: FakeCluster, runner: KubernetesRunner) -> None:
    await runner.start(BATCH)
    cluster.pod(BATCH, workspace=exited(137, reason="OOMKilled"))
    seen = (await runner.observe_all())["notebook1"]
    assert (seen.phase, seen.exit_code, seen.message) == (Phase.EXITED, 137, "killed: out of memory")


async def test_an_input_not_copied_ends_the_workspace_with_the_reason(
    cluster: FakeCluster, runner: KubernetesRunner
) -> None:
    await runner.start(BATCH)
    cluster.pod(BATCH, copy_inputs=exited(1, "torii: input not copied: acct/x.csv does not exist", "Error"))
    cluster.job_ended(BATCH, failed=True)
    seen = (await runner.observe_all())["notebook1"]
    assert (seen.phase, seen.exit_code) == (Phase.EXITED, None)
    assert seen.message == "input not copied: acct/x.csv does not exist"


async def test_an_image_that_cannot_be_pulled_ends_the_workspace(
    cluster: FakeCluster, runner: KubernetesRunner
) -> None:
    await runner.start(BATCH)
    cluster.pod(BATCH, workspace=waiting("ErrImagePull"))
    assert (await runner.observe_all())["notebook1"].phase is Phase.STARTING  # the kubelet retries once

    cluster.pod(BATCH, workspace=waiting("ImagePullBackOff"))
    seen = (await runner.observe_all())["notebook1"]
    assert (seen.phase, seen.exit_code) == (Phase.EXITED, None)
    assert seen.message == "workspace: ImagePullBackOff: ImagePullBackOff for the image"


async def test_a_job_that_lost_its_pod_ends_with_the_pod_s_reason(
    cluster: FakeCluster, runner: KubernetesRunner
) -> None:
    await runner.start(BATCH)
    cluster.pod(BATCH, reason="Evicted")
    cluster.job_ended(BATCH, failed=True)
    assert (await runner.observe_all())["notebook1"].message == "Evicted"

    del cluster.pods[next(iter(cluster.pods))]
    limit = V1JobCondition(type="Failed", status="True", reason="BackoffLimitExceeded", message="Job has failed")
    cluster.job_ended(BATCH, failed=True, condition=limit)
    seen = (await runner.observe_all())["notebook1"]
    assert (seen.phase, seen.exit_code, seen.message) == (Phase.EXITED, None, "BackoffLimitExceeded: Job has failed")


async def test_a_job_that_succeeded_exited_with_zero_even_without_its_pod(
    cluster: FakeCluster, runner: KubernetesRunner
) -> None:
    await runner.start(BATCH)
    cluster.job_ended(BATCH, failed=False)
    seen = (await runner.observe_all())["notebook1"]
    assert (seen.phase, seen.exit_code) == (Phase.EXITED, 0)
    with pytest.raises(WorkspaceFailed, match="cannot be confirmed"):  # the copy's report went with the pod
        await runner.collect_output(BATCH)


async def test_collect_output_reads_how_the_copy_went(cluster: FakeCluster, runner: KubernetesRunner) -> None:
    await runner.start(BATCH)
    cluster.pod(BATCH, workspace=exited(0))
    await runner.collect_output(BATCH)

    cluster.pod(BATCH, workspace=exited(0, "torii: output not copied: /out/model: the destination exists;"))
    with pytest.raises(WorkspaceFailed, match=r"^output not copied: /out/model: the destination exists;$"):
        await runner.collect_output(BATCH)

    cluster.pods.clear()
    with pytest.raises(WorkspaceFailed, match="cannot be confirmed"):
        await runner.collect_output(BATCH)


async def test_collect_output_reads_this_generation_s_pod(cluster: FakeCluster, runner: KubernetesRunner) -> None:
    await runner.start(BATCH)
    older = replace(BATCH, generation=BATCH.generation - 1)
    cluster.pod(older, workspace=exited(0, "torii: output not copied: /out: the destination exists;"))
    cluster.pod(BATCH, workspace=exited(0), age_s=60)
    await runner.collect_output(BATCH)


async def test_logs_are_the_end_of_the_output(cluster: FakeCluster, runner: KubernetesRunner) -> None:
    await runner.start(BATCH)
    assert await runner.logs("notebook1") == ""  # no pod yet

    pod = cluster.pod(BATCH, workspace=waiting("ContainerCreating"))
    assert await runner.logs("notebook1") == ""  # the API answers 400 until the container starts

    output = "".join(f"step {step}: {'.' * 40}\n" for step in range(1000)) + "done ✓\n"
    cluster.logs[pod] = output
    tail = await runner.logs("notebook1", limit_bytes=20)
    assert tail.encode() == output.encode()[-20:]
    assert await runner.logs("notebook1", limit_bytes=3) == "\n"  # never half a character (✓ is 3 bytes)
    _, _, asked = cluster.calls[-1]
    assert asked["container"] == manifests.WORKSPACE_CONTAINER


async def test_remove_deletes_the_job_in_the_background_and_the_service(
    cluster: FakeCluster, runner: KubernetesRunner
) -> None:
    await runner.start(NOTEBOOK)
    await runner.remove("NoteBook1")
    assert cluster.jobs == {} and cluster.services == {}
    [deletion] = [kwargs for method, _, kwargs in cluster.calls if method == "delete_namespaced_job"]
    assert deletion["propagation_policy"] == "Background"
    assert await runner.observe_all() == {}


async def test_remove_of_what_is_not_there_does_nothing(cluster: FakeCluster, runner: KubernetesRunner) -> None:
    await runner.remove("Gone")
    assert cluster.methods() == ["delete_namespaced_job", "delete_namespaced_service"]


async def test_remove_passes_on_other_errors(cluster: FakeCluster, runner: KubernetesRunner) -> None:
    await runner.start(BATCH)
    cluster.failures["delete_namespaced_job"] = ApiException(status=500, reason="Internal Server Error")
    with pytest.raises(ApiException):
        await runner.remove("notebook1")


async def test_a_restarted_runner_finds_its_workspaces(cluster: FakeCluster, runner: KubernetesRunner) -> None:
    await runner.start(NOTEBOOK)
    await runner.start(BATCH)
    cluster.pod(NOTEBOOK, workspace=running())

    restarted = KubernetesRunner(SETTINGS, cluster, cluster)
    seen = await restarted.observe_all()
    assert {(s.workspace_id, s.generation, s.phase) for s in seen.values()} == {
        ("NoteBook1", 1, Phase.RUNNING),
        ("notebook1", 4, Phase.STARTING),
    }

    cluster.calls.clear()
    again = await restarted.start(NOTEBOOK)
    assert again.phase is Phase.RUNNING
    assert not [method for method in cluster.methods() if method.startswith(("create", "delete"))]


async def test_jobs_torii_did_not_make_or_is_removing_are_not_observed(
    cluster: FakeCluster, runner: KubernetesRunner
) -> None:
    await runner.start(NOTEBOOK)
    await runner.start(BATCH)
    meta(cluster.jobs[kubernetes_name("NoteBook1")]).annotations = {}
    meta(cluster.jobs[kubernetes_name("notebook1")]).deletion_timestamp = NOW
    assert await runner.observe_all() == {}


async def test_a_new_generation_replaces_the_job_and_its_service(
    cluster: FakeCluster, runner: KubernetesRunner
) -> None:
    await runner.start(NOTEBOOK)
    cluster.pod(NOTEBOOK, workspace=exited(1))
    cluster.reads_of_a_deleted_job = 1  # the old Job is still there once after its deletion

    second = replace(NOTEBOOK, generation=2, ports=(9999,))
    seen = await runner.start(second)

    name = kubernetes_name("NoteBook1")
    deletions = [kwargs for method, _, kwargs in cluster.calls if method == "delete_namespaced_job"]
    assert [kwargs["propagation_policy"] for kwargs in deletions] == ["Background"]
    assert labels_of(cluster.jobs[name])[manifests.GENERATION_LABEL] == "2"
    service = service_spec(cluster.services[name])
    assert [port.port for port in service.ports or ()] == [9999]
    assert (service.selector or {})[manifests.GENERATION_LABEL] == "2"
    assert seen.ports == (PublishedPort(9999, f"{name}.{NAMESPACE}.svc", 9999),)

    # The old generation's pod, still terminating, is not taken for the new one's.
    observed = (await runner.observe_all())["NoteBook1"]
    assert (observed.generation, observed.phase) == (2, Phase.STARTING)


async def test_a_service_is_kept_while_it_selects_the_same_ports_and_generation(
    cluster: FakeCluster, runner: KubernetesRunner
) -> None:
    with_port = replace(BATCH, ports=(80,))
    name = kubernetes_name(BATCH.workspace_id)
    await runner.start(with_port)
    first = cluster.services[name]

    del cluster.jobs[name]  # the Job removed by hand: the same generation starts again
    await runner.start(with_port)
    assert cluster.services[name] is first

    cluster.calls.clear()
    await runner.start(replace(with_port, generation=5))
    assert {"delete_namespaced_service", "create_namespaced_service"} <= set(cluster.methods())
    assert (service_spec(cluster.services[name]).selector or {})[manifests.GENERATION_LABEL] == "5"

    await runner.start(replace(with_port, generation=6, ports=()))
    assert name not in cluster.services


@pytest.mark.parametrize("bound", [1, 3])
async def test_calls_in_flight_are_bounded(bound: int) -> None:
    cluster = FakeCluster(hold_calls_until=3, hold_calls_s=0.3)
    bounded = KubernetesRunner(replace(SETTINGS, max_concurrent_calls=bound), cluster, cluster)
    await bounded.observe_all()  # three list calls at once
    assert cluster.most_in_flight == min(bound, 3)


def test_gpus_are_the_ones_the_operator_declares(runner: KubernetesRunner) -> None:
    assert runner.gpus == {"T4": 4}
