"""The Kubernetes objects of a workspace: valid for the 1.29 and 1.33 API schemas (kubernetes-validate,
strict: no unknown field passes), with the resources, placement, ports and data mounts asked for;
and the two shell scripts they carry, run here under /bin/sh as a container would run them.
No API server is involved: none can run here."""

from __future__ import annotations

import copy
import re
import signal
import subprocess
from dataclasses import replace
from pathlib import Path

import kubernetes_validate  # type: ignore[import-untyped]
import pytest

from services.scheduler.workspaces.kubernetes_manifests import (
    COPY_INPUTS_SCRIPT,
    GENERATION_LABEL,
    GPU_RESOURCE,
    INPUT_NOT_COPIED,
    OUTPUT_NOT_COPIED,
    RUN_AND_COPY_OUTPUTS_SCRIPT,
    WORKSPACE_ID_ANNOTATION,
    KubernetesSettings,
    build_job,
    kubernetes_name,
    manifests_as_dicts,
)
from services.scheduler.workspaces.runner import DataInput, DataOutput, WorkspaceFailed, WorkspaceSpec
from tests.polling import eventually_blocking

KUBERNETES_VERSIONS = ("1.29.0", "1.33.0")
DNS_1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")
STORAGE = Path("/srv/torii-data")
SETTINGS = KubernetesSettings(storage_claim="torii-data", storage_root=STORAGE, namespace="work")

CPU_WORKSPACE = WorkspaceSpec(
    workspace_id="Ab3xK9",
    generation=1,
    account_id="acct",
    image="registry.local/dataforest/python:3.11",
    command="python",
    args="-c 'print(1)'",
    env={"MODE": "train", "SEED": "7"},
    workdir="/home/user",
    cpu_count=2,
    memory_mb=4096,
)

GPU_WORKSPACE = WorkspaceSpec(
    workspace_id="GpuWorkspace0000000001",
    generation=3,
    account_id="acct",
    image="registry.local/dataforest/tensorflow:r2.3.1-py3",
    command="jupyter lab",
    ports=(8888, 6006),
    cpu_count=8,
    memory_mb=30720,
    gpu_count=2,
    gpu_model="V100",
    inputs=(
        DataInput(STORAGE / "acct" / "train.csv", "/data/train.csv"),
        DataInput(STORAGE / "acct" / "images", "/data/images"),
    ),
    outputs=(DataOutput("/home/user/model", STORAGE / "acct" / "results" / "model", overwrite=True),),
)


def job_and_service(spec: WorkspaceSpec) -> tuple[dict, dict | None]:
    manifests = manifests_as_dicts(spec, SETTINGS)
    return manifests[0], (manifests[1] if len(manifests) > 1 else None)


def pod_of(job: dict) -> dict:
    return job["spec"]["template"]["spec"]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("spec", [CPU_WORKSPACE, GPU_WORKSPACE], ids=["cpu", "gpu-ports-data"])
def test_manifests_are_valid_for_each_kubernetes_version(spec: WorkspaceSpec, version: str) -> None:
    manifests = manifests_as_dicts(spec, SETTINGS)
    assert [each["kind"] for each in manifests] == (["Job", "Service"] if spec.ports else ["Job"])
    for manifest in manifests:
        assert kubernetes_validate.validate(manifest, version, strict=True) == version.rsplit(".", 1)[0]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_strict_validation_rejects_a_field_kubernetes_does_not_know(version: str) -> None:
    job, _ = job_and_service(CPU_WORKSPACE)
    wrong = copy.deepcopy(job)
    pod_of(wrong)["containers"][0]["gpus"] = 1
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong, version, strict=True)


def test_cpu_workspace_job() -> None:
    job, service = job_and_service(CPU_WORKSPACE)
    assert service is None
    assert job["metadata"]["namespace"] == "work"
    assert job["metadata"]["annotations"][WORKSPACE_ID_ANNOTATION] == "Ab3xK9"
    assert job["metadata"]["labels"] == {
        "app.kubernetes.io/managed-by": "torii",
        "torii.dev/workspace": job["metadata"]["name"],
        GENERATION_LABEL: "1",
    }
    assert job["spec"]["backoffLimit"] == 0
    assert "ttlSecondsAfterFinished" not in job["spec"] and "activeDeadlineSeconds" not in job["spec"]
    pod = pod_of(job)
    assert pod["restartPolicy"] == "Never"
    assert pod["automountServiceAccountToken"] is False
    assert "nodeSelector" not in pod and "tolerations" not in pod and "initContainers" not in pod
    assert "volumes" not in pod
    [container] = pod["containers"]
    assert container["image"] == CPU_WORKSPACE.image
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert container["command"][:2] == ["/bin/sh", "-c"]
    assert container["command"][4] == "python -c 'print(1)'"  # the line of spec.shell_command()
    assert container["env"] == [{"name": "MODE", "value": "train"}, {"name": "SEED", "value": "7"}]
    assert container["workingDir"] == "/home/user"
    assert container["resources"] == {
        "requests": {"cpu": "2", "memory": "4096Mi"},
        "limits": {"cpu": "2", "memory": "4096Mi"},
    }
    assert "ports" not in container


def test_gpu_workspace_job_and_service() -> None:
    job, service = job_and_service(GPU_WORKSPACE)
    pod = pod_of(job)
    [container] = pod["containers"]
    expected = {"cpu": "8", "memory": "30720Mi", GPU_RESOURCE: "2"}
    assert container["resources"] == {"requests": expected, "limits": expected}
    assert pod["nodeSelector"] == {"nvidia.com/gpu.product": "Tesla-V100-SXM2-16GB"}
    assert pod["tolerations"] == [{"key": GPU_RESOURCE, "operator": "Exists", "effect": "NoSchedule"}]
    assert [port["containerPort"] for port in container["ports"]] == [8888, 6006]

    assert service is not None
    assert service["metadata"]["name"] == job["metadata"]["name"]
    assert service["spec"]["type"] == "ClusterIP"
    assert [(p["port"], p["targetPort"], p["protocol"]) for p in service["spec"]["ports"]] == [
        (8888, 8888, "TCP"),
        (6006, 6006, "TCP"),
    ]
    selector = service["spec"]["selector"]
    assert selector.items() <= job["spec"]["template"]["metadata"]["labels"].items()
    assert selector[GENERATION_LABEL] == "3"  # an older generation's pod is not served


def test_gpu_workspace_data_mounts() -> None:
    pod = pod_of(job_and_service(GPU_WORKSPACE)[0])
    [copier] = pod["initContainers"]
    assert copier["image"] == SETTINGS.copier_image  # a trusted image sees the claim, not the workspace's
    assert GPU_RESOURCE not in copier["resources"]["limits"]
    assert {"name": "storage", "mountPath": "/torii-storage", "readOnly": True} in copier["volumeMounts"]
    assert copier["command"][4:] == [
        "/dev/termination-log",
        "/torii-storage",
        "acct/train.csv",
        "/torii-inputs/0/content",
        "acct/images",
        "/torii-inputs/1/content",
    ]
    [container] = pod["containers"]
    assert container["volumeMounts"] == [
        {"name": "input-0", "mountPath": "/data/train.csv", "subPath": "content"},
        {"name": "input-1", "mountPath": "/data/images", "subPath": "content"},
        {"name": "storage", "mountPath": "/torii-outputs/0", "subPath": "acct/results"},
    ]
    assert container["command"][6:] == ["/home/user/model", "/torii-outputs/0/model", "overwrite"]
    assert {"name": "storage", "persistentVolumeClaim": {"claimName": "torii-data"}} in pod["volumes"]


@pytest.mark.parametrize("workspace_id", ["Ab3xK9", "ZZZZZZZZZZZZZZZZZZZZZZ", "a", "0aZ"])
def test_names_are_dns_labels_for_mixed_case_ids(workspace_id: str) -> None:
    name = kubernetes_name(workspace_id)
    assert DNS_1035_LABEL.match(name), name
    assert name.startswith("torii-ws-")


def test_ids_differing_only_in_case_get_different_names() -> None:
    assert kubernetes_name("AbC") != kubernetes_name("abc")
    assert kubernetes_name("GpuWorkspace0000000001") != kubernetes_name("gpuworkspace0000000001")


def test_an_id_too_long_for_a_name_is_refused() -> None:
    with pytest.raises(ValueError):
        kubernetes_name("x" * 34)


def test_a_gpu_model_the_cluster_lacks_fails_the_workspace() -> None:
    spec = replace(GPU_WORKSPACE, gpu_model="A100")
    with pytest.raises(WorkspaceFailed, match="A100"):
        build_job(spec, SETTINGS)


def test_data_outside_the_storage_fails_the_workspace() -> None:
    spec = replace(CPU_WORKSPACE, inputs=(DataInput(Path("/etc/passwd"), "/data/x"),))
    with pytest.raises(WorkspaceFailed, match="/etc/passwd"):
        build_job(spec, SETTINGS)


def run_script(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["/bin/sh", "-c", script, "test", *args], capture_output=True, text=True, timeout=20)


def test_copy_inputs_copies_files_and_folders(tmp_path: Path) -> None:
    (tmp_path / "storage" / "acct" / "images").mkdir(parents=True)
    (tmp_path / "storage" / "acct" / "train.csv").write_text("a,b\n")
    (tmp_path / "storage" / "acct" / "images" / "1.png").write_text("png")
    for index in (0, 1):
        (tmp_path / f"input-{index}").mkdir()
    log = tmp_path / "termination-log"
    done = run_script(
        COPY_INPUTS_SCRIPT,
        str(log),
        str(tmp_path / "storage"),
        *("acct/train.csv", str(tmp_path / "input-0" / "content")),
        *("acct/images", str(tmp_path / "input-1" / "content")),
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "input-0" / "content").read_text() == "a,b\n"
    assert (tmp_path / "input-1" / "content" / "1.png").read_text() == "png"
    assert not log.exists()


def test_copy_inputs_fails_on_a_missing_source(tmp_path: Path) -> None:
    (tmp_path / "storage").mkdir()
    log = tmp_path / "termination-log"
    done = run_script(COPY_INPUTS_SCRIPT, str(log), str(tmp_path / "storage"), "acct/nothing", str(tmp_path / "c"))
    assert done.returncode == 1
    assert log.read_text() == f"{INPUT_NOT_COPIED} acct/nothing does not exist"


def test_outputs_are_copied_after_the_command_and_its_exit_code_kept(tmp_path: Path) -> None:
    work, out = tmp_path / "work", tmp_path / "out"
    work.mkdir()
    out.mkdir()
    (out / "kept").write_text("old")
    (out / "replaced").mkdir()
    (out / "replaced" / "stale").write_text("old")
    line = f'cd {work} && echo "it\'s $((40 + 2))" > kept && mkdir model && echo w > model/weights; exit 3'
    log = tmp_path / "termination-log"
    done = run_script(
        RUN_AND_COPY_OUTPUTS_SCRIPT,
        line,
        str(log),
        *(str(work / "kept"), str(out / "kept"), "keep"),
        *(str(work / "model"), str(out / "replaced"), "overwrite"),
        *(str(work / "model"), str(out / "new-model"), "keep"),
        *(str(work / "missing"), str(out / "missing"), "overwrite"),
    )
    assert done.returncode == 3
    assert (out / "kept").read_text() == "old"
    assert sorted(p.name for p in (out / "replaced").iterdir()) == ["weights"]
    assert (out / "new-model" / "weights").read_text() == "w\n"
    assert log.read_text() == (
        f"{OUTPUT_NOT_COPIED} {work / 'kept'}: the destination exists; {work / 'missing'} does not exist;"
    )


def test_outputs_without_failures_leave_no_termination_message(tmp_path: Path) -> None:
    log = tmp_path / "termination-log"
    done = run_script(
        RUN_AND_COPY_OUTPUTS_SCRIPT,
        f"echo done > {tmp_path}/result",
        str(log),
        *(str(tmp_path / "result"), str(tmp_path / "copied"), "keep"),
    )
    assert done.returncode == 0
    assert (tmp_path / "copied").read_text() == "done\n"
    assert not log.exists()


def test_a_stopped_workspace_copies_nothing(tmp_path: Path) -> None:
    started = tmp_path / "started"
    line = f"echo partial > {tmp_path}/result; touch {started}; exec sleep 30"
    process = subprocess.Popen(
        [
            "/bin/sh",
            "-c",
            RUN_AND_COPY_OUTPUTS_SCRIPT,
            "test",
            line,
            str(tmp_path / "log"),
            str(tmp_path / "result"),
            str(tmp_path / "copied"),
            "keep",
        ],
    )
    try:
        eventually_blocking(started.exists, what="the command started")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 143
    finally:
        process.kill()
        process.wait(timeout=10)
    assert not (tmp_path / "copied").exists()
