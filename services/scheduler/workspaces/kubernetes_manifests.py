"""A workspace as Kubernetes objects: one Job (one pod, never retried) and, when it exposes TCP
ports, one ClusterIP Service selecting that pod. Pure functions over the official client's models.

Names. Workspace ids are base62 (mixed case); Kubernetes names are lowercase DNS labels. The Job
and the Service are named "torii-ws-" + the id's bytes in lowercase base32: injective (ids that
differ only in case get different names), reversible, and 45 characters for a 22-character id. The
real id rides in the `torii.dev/workspace-id` annotation.

Data, through the PersistentVolumeClaim that holds the operator's storage (`storage_root` as the
scheduler sees it):
- Inputs are copied, as YARN localizes them: an init container running `copier_image` (a trusted
  image, not the workspace's: it sees the whole claim, read-only) copies each source into an
  emptyDir of its own, as the file `content`; the workspace container mounts that emptyDir with
  subPath `content` at the input's path. subPath mounts a file or a folder alike, so neither this
  module nor the scheduler has to know which the source is, and the copy is writable by the
  command. A missing source fails the init container with a `torii: input not copied` termination
  message, and so the pod.
- Outputs are copied by the workspace container's own entrypoint after the command ends, whatever
  its exit code: the parent folder of each destination is mounted read-write (subPath; the kubelet
  creates it when missing) at /torii-outputs/<i>, and the command's exit code is kept. A missing
  output or an existing destination without overwrite is reported in the container's termination
  message (`torii: output not copied: ...`), which `kubernetes_runner` turns into WorkspaceFailed.
  A magic exit code would be ambiguous: the command may exit with any code. The price of this
  design: the command can write in those destination folders while it runs, and the workspace image
  needs `cp` besides the /bin/sh every command already runs in. A copier container after the
  command would need a pod that runs containers in sequence, which Kubernetes has not.
- Input copies take the node's ephemeral storage (emptyDir), as YARN's localized files take its disk.

On SIGTERM (the Job deleted) the entrypoint stops the command and exits without copying anything:
a removed workspace writes no partial output.

What was checked here: the manifests validate (kubernetes-validate --strict) against the 1.29 and
1.33 schemas, and both shell scripts run under /bin/sh in the tests. Nothing here ran on a cluster.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from kubernetes.client import (
    ApiClient,
    V1Container,
    V1ContainerPort,
    V1EmptyDirVolumeSource,
    V1EnvVar,
    V1Job,
    V1JobSpec,
    V1ObjectMeta,
    V1PersistentVolumeClaimVolumeSource,
    V1PodSpec,
    V1PodTemplateSpec,
    V1ResourceRequirements,
    V1Service,
    V1ServicePort,
    V1ServiceSpec,
    V1Toleration,
    V1Volume,
    V1VolumeMount,
)

from services.scheduler.workspaces.runner import WorkspaceFailed, WorkspaceSpec

MANAGED_BY = "app.kubernetes.io/managed-by"
MANAGER = "torii"
WORKSPACE_LABEL = "torii.dev/workspace"
"""Label holding the workspace's Kubernetes name, on the Job, its pod and the Service."""
GENERATION_LABEL = "torii.dev/generation"
WORKSPACE_ID_ANNOTATION = "torii.dev/workspace-id"
ACCOUNT_ID_ANNOTATION = "torii.dev/account-id"
GPU_RESOURCE = "nvidia.com/gpu"

WORKSPACE_CONTAINER = "workspace"
COPY_INPUTS_CONTAINER = "copy-inputs"
TERMINATION_LOG = "/dev/termination-log"
INPUT_NOT_COPIED = "torii: input not copied:"
"""How the scripts below begin a termination message; the runner reads it back."""
OUTPUT_NOT_COPIED = "torii: output not copied:"

NAME_PREFIX = "torii-ws-"
_MAX_NAME = 63
"""A DNS label, and the longest value of the pod's `batch.kubernetes.io/job-name` label."""

_STORAGE_VOLUME = "storage"
_STORAGE_MOUNT = "/torii-storage"
_INPUTS_MOUNT = "/torii-inputs"
_OUTPUTS_MOUNT = "/torii-outputs"

# $1 termination log, $2 storage root, then pairs (source relative to the root, target).
COPY_INPUTS_SCRIPT = """\
log=$1 root=$2
shift 2
fail() { printf 'torii: input not copied: %s\\n' "$1" >&2; printf 'torii: input not copied: %s' "$1" > "$log"; exit 1; }
while [ $# -ge 2 ]; do
  [ -e "$root/$1" ] || fail "$1 does not exist"
  cp -a "$root/$1" "$2" || fail "$1 could not be copied"
  shift 2
done
"""

# $1 the command line, $2 termination log, then triples (path, destination, overwrite|keep).
RUN_AND_COPY_OUTPUTS_SCRIPT = """\
/bin/sh -c "$1" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; exit 143' TERM INT
wait "$child"
status=$?
log=$2
shift 2
failed=""
while [ $# -ge 3 ]; do
  if [ ! -e "$1" ]; then
    failed="$failed $1 does not exist;"
  elif [ -e "$2" ] && [ "$3" != overwrite ]; then
    failed="$failed $1: the destination exists;"
  elif ! { rm -rf "$2" && cp -a "$1" "$2"; }; then
    failed="$failed $1 could not be copied;"
  fi
  shift 3
done
if [ -n "$failed" ]; then
  printf 'torii: output not copied:%s\\n' "$failed" >&2
  printf 'torii: output not copied:%s' "$failed" > "$log"
fi
exit "$status"
"""


def _default_gpu_node_values() -> dict[str, str]:
    return {"T4": "Tesla-T4", "V100": "Tesla-V100-SXM2-16GB"}


@dataclass(frozen=True)
class KubernetesSettings:
    """Where and how workspaces run in a cluster, as the operator declares it."""

    storage_claim: str
    """PersistentVolumeClaim holding the operator's storage, in `namespace`."""

    storage_root: Path
    """The folder where the scheduler sees that same storage (the reconciler's storage root): input
    sources and output destinations lie under it (resolved), and their paths relative to it are the
    paths on the claim."""

    namespace: str = "torii-workspaces"
    """Namespace of every Job, pod and Service the runner makes."""

    gpus: Mapping[str, int] = field(default_factory=dict)
    """Schedulable GPUs by model (e.g. {"T4": 4}); empty: the cluster gives workspaces no GPU."""

    gpu_node_label: str = "nvidia.com/gpu.product"
    """Node label naming a node's GPU model (set by NVIDIA's GPU feature discovery)."""

    gpu_node_values: Mapping[str, str] = field(default_factory=_default_gpu_node_values)
    """Value of `gpu_node_label` for each GPU model a workspace may ask for."""

    service_account: str = "default"
    """Service account of workspace pods; its token is not mounted (workspaces have no API access)."""

    image_pull_policy: str = "IfNotPresent"

    copier_image: str = "busybox:1.37"
    """Image of the init container copying inputs (needs /bin/sh and cp). It sees the whole claim
    read-only, so it must be trusted: never the workspace's own image."""

    request_timeout_s: float = 30.0
    """Deadline of each call to the API server."""

    max_concurrent_calls: int = 4
    """Calls to the API server in flight at once (each holds a thread: the client blocks)."""


def kubernetes_name(workspace_id: str) -> str:
    """The Job's and Service's name: lowercase, a DNS-1035 label, one per id (case kept apart)."""
    encoded = base64.b32encode(workspace_id.encode()).decode().rstrip("=").lower()
    name = NAME_PREFIX + encoded
    if not workspace_id or len(name) > _MAX_NAME:
        raise ValueError(f"workspace id {workspace_id!r} does not fit a Kubernetes name (1 to 33 bytes)")
    return name


def service_host(settings: KubernetesSettings, workspace_id: str) -> str:
    """The cluster DNS name of a workspace's Service."""
    return f"{kubernetes_name(workspace_id)}.{settings.namespace}.svc"


def labels(spec: WorkspaceSpec) -> dict[str, str]:
    """Labels of the Job, its pod and the Service; the Service selects the pod by all of them."""
    return {
        MANAGED_BY: MANAGER,
        WORKSPACE_LABEL: kubernetes_name(spec.workspace_id),
        GENERATION_LABEL: str(spec.generation),
    }


def _metadata(spec: WorkspaceSpec, settings: KubernetesSettings) -> V1ObjectMeta:
    return V1ObjectMeta(
        name=kubernetes_name(spec.workspace_id),
        namespace=settings.namespace,
        labels=labels(spec),
        annotations={WORKSPACE_ID_ANNOTATION: spec.workspace_id, ACCOUNT_ID_ANNOTATION: spec.account_id},
    )


def _on_claim(settings: KubernetesSettings, path: Path, what: str) -> PurePosixPath:
    """`path` relative to the claim's root; WorkspaceFailed when it lies outside the storage."""
    try:
        relative = PurePosixPath(path.relative_to(settings.storage_root.resolve()).as_posix())
    except ValueError:
        raise WorkspaceFailed(f"{what} {path} is not on the operator's storage") from None
    if ".." in relative.parts or relative == PurePosixPath("."):
        raise WorkspaceFailed(f"{what} {path} is not a file or folder on the operator's storage")
    return relative


def _resources(spec: WorkspaceSpec, with_gpus: bool) -> V1ResourceRequirements:
    """Requests equal to limits: the workspace gets what it asked for and no more (Guaranteed QoS)."""
    amounts = {"cpu": str(spec.cpu_count), "memory": f"{spec.memory_mb}Mi"}
    if with_gpus and spec.gpu_count > 0:
        amounts[GPU_RESOURCE] = str(spec.gpu_count)
    return V1ResourceRequirements(requests=dict(amounts), limits=dict(amounts))


def _copy_inputs_container(spec: WorkspaceSpec, settings: KubernetesSettings) -> V1Container:
    args = [TERMINATION_LOG, _STORAGE_MOUNT]
    mounts = [V1VolumeMount(name=_STORAGE_VOLUME, mount_path=_STORAGE_MOUNT, read_only=True)]
    for index, data_input in enumerate(spec.inputs):
        args += [str(_on_claim(settings, data_input.source, "input")), f"{_INPUTS_MOUNT}/{index}/content"]
        mounts.append(V1VolumeMount(name=f"input-{index}", mount_path=f"{_INPUTS_MOUNT}/{index}"))
    return V1Container(
        name=COPY_INPUTS_CONTAINER,
        image=settings.copier_image,
        image_pull_policy=settings.image_pull_policy,
        command=["/bin/sh", "-c", COPY_INPUTS_SCRIPT, COPY_INPUTS_CONTAINER, *args],
        resources=_resources(spec, with_gpus=False),
        volume_mounts=mounts,
        termination_message_path=TERMINATION_LOG,
        termination_message_policy="File",
    )


def _workspace_container(spec: WorkspaceSpec, settings: KubernetesSettings) -> V1Container:
    line = spec.shell_command()[2]
    args = [line, TERMINATION_LOG]
    mounts = [
        V1VolumeMount(name=f"input-{index}", mount_path=data_input.path, sub_path="content")
        for index, data_input in enumerate(spec.inputs)
    ]
    for index, output in enumerate(spec.outputs):
        destination = _on_claim(settings, output.destination, "output destination")
        mount = f"{_OUTPUTS_MOUNT}/{index}"
        args += [output.path, f"{mount}/{destination.name}", "overwrite" if output.overwrite else "keep"]
        parent = str(destination.parent)
        mounts.append(V1VolumeMount(name=_STORAGE_VOLUME, mount_path=mount, sub_path=None if parent == "." else parent))
    return V1Container(
        name=WORKSPACE_CONTAINER,
        image=spec.image,
        image_pull_policy=settings.image_pull_policy,
        command=["/bin/sh", "-c", RUN_AND_COPY_OUTPUTS_SCRIPT, WORKSPACE_CONTAINER, *args],
        env=[V1EnvVar(name=name, value=value) for name, value in spec.env.items()] or None,
        working_dir=spec.workdir or None,
        ports=[V1ContainerPort(container_port=port, protocol="TCP") for port in spec.ports] or None,
        resources=_resources(spec, with_gpus=True),
        volume_mounts=mounts or None,
        termination_message_path=TERMINATION_LOG,
        termination_message_policy="File",
    )


def _volumes(spec: WorkspaceSpec, settings: KubernetesSettings) -> list[V1Volume]:
    volumes = [V1Volume(name=f"input-{index}", empty_dir=V1EmptyDirVolumeSource()) for index in range(len(spec.inputs))]
    if spec.inputs or spec.outputs:
        claim = V1PersistentVolumeClaimVolumeSource(claim_name=settings.storage_claim)
        volumes.append(V1Volume(name=_STORAGE_VOLUME, persistent_volume_claim=claim))
    return volumes


def _gpu_placement(spec: WorkspaceSpec, settings: KubernetesSettings) -> tuple[dict[str, str], list[V1Toleration]]:
    """The nodeSelector and tolerations that put a GPU workspace on a node with its model."""
    if spec.gpu_count <= 0:
        return {}, []
    node_value = settings.gpu_node_values.get(spec.gpu_model)
    if node_value is None:
        raise WorkspaceFailed(f"GPU model {spec.gpu_model!r} is not offered by this cluster")
    toleration = V1Toleration(key=GPU_RESOURCE, operator="Exists", effect="NoSchedule")
    return {settings.gpu_node_label: node_value}, [toleration]


def build_job(spec: WorkspaceSpec, settings: KubernetesSettings) -> V1Job:
    """One pod, never retried (backoffLimit 0) and never restarted, kept until the runner removes it
    (no ttlSecondsAfterFinished), with no deadline. Raises WorkspaceFailed for a GPU model the
    cluster lacks or data outside the operator's storage."""
    node_selector, tolerations = _gpu_placement(spec, settings)
    pod = V1PodSpec(
        restart_policy="Never",
        service_account_name=settings.service_account,
        automount_service_account_token=False,
        enable_service_links=False,
        init_containers=[_copy_inputs_container(spec, settings)] if spec.inputs else None,
        containers=[_workspace_container(spec, settings)],
        volumes=_volumes(spec, settings) or None,
        node_selector=node_selector or None,
        tolerations=tolerations or None,
    )
    template = V1PodTemplateSpec(metadata=V1ObjectMeta(labels=labels(spec)), spec=pod)
    return V1Job(
        api_version="batch/v1",
        kind="Job",
        metadata=_metadata(spec, settings),
        spec=V1JobSpec(backoff_limit=0, completions=1, parallelism=1, template=template),
    )


def build_service(spec: WorkspaceSpec, settings: KubernetesSettings) -> V1Service | None:
    """A ClusterIP Service publishing each exposed port under its own number; None without ports."""
    if not spec.ports:
        return None
    ports = [V1ServicePort(name=f"tcp-{port}", port=port, target_port=port, protocol="TCP") for port in spec.ports]
    return V1Service(
        api_version="v1",
        kind="Service",
        metadata=_metadata(spec, settings),
        spec=V1ServiceSpec(type="ClusterIP", selector=labels(spec), ports=ports),
    )


def manifests_as_dicts(spec: WorkspaceSpec, settings: KubernetesSettings) -> list[dict[str, Any]]:
    """The Job, then the Service if any, as the JSON the API server receives."""
    objects: list[V1Job | V1Service] = [build_job(spec, settings)]
    service = build_service(spec, settings)
    if service is not None:
        objects.append(service)
    with ApiClient() as api:
        return [api.sanitize_for_serialization(each) for each in objects]
