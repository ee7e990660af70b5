"""The AI workspace answers' bodies (shared/contracts/dataforest.md §4, §5, §8.5, §8.10), as JSON-shaped
dicts for wire.render, from the WorkspaceService's protos. Pure: no I/O, no aiohttp.

Workspace ids are already Data Forest ids; account ids are Torii UUIDs, shown in base62 (§4). Times are
UTC with milliseconds and `Z` (§8.10). A configuration is shown in the shape of the documents' examples
(§5), the one create takes, so that what getConfigurationList shows can be sent to setConfiguration
again: empty optional text is left out (a CPU queue's empty gpuModel would be refused if sent back).
Reads carry `message: "success"`; create, delete and setConfiguration leave it out (§8.5).

The detail's `contents` is always an array (§4) of one AiWorkspaceConfig, the item getConfigurationList
lists: the current configuration with its createdAt and modifiedAt, both the workspace's modifiedAt
(the time it got that configuration). The detail alone also carries `runtime`, a Torii extension (the
contract's detail has no status field, §4): where the workspace's container is, as its runner reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from typing import Any

from google.protobuf import timestamp_pb2

from services.policy.base62_ids import to_base62
from torii.v1 import workspaces_pb2

_STATE_PREFIX = "WORKSPACE_STATE_"


def changed(workspace_id: str) -> dict[str, Any]:
    """create's, delete's and setConfiguration's answer: `{id, success}` (§4, §8.5)."""
    return {"id": workspace_id, "success": True}


def available_name(available: bool) -> dict[str, Any]:
    """checkAvailableName's answer (§4)."""
    return {"availableName": available, "message": "success", "success": True}


def workspace_list(workspaces: Iterable[workspaces_pb2.Workspace], account_name: str) -> dict[str, Any]:
    """getList's answer: one account's workspaces (AiWorkspaceResponse items, §4)."""
    contents = [workspace_item(workspace, account_name) for workspace in workspaces]
    return {"contents": contents, "message": "success", "success": True, "total": len(contents)}


def workspace_item(workspace: workspaces_pb2.Workspace, account_name: str) -> dict[str, Any]:
    return {
        "accountName": account_name,
        "createdAt": timestamp_text(workspace.created_at),
        "description": workspace.description,
        "disabled": workspace.deleted,
        "id": workspace.workspace_id,
        "imageVersion": image_version(workspace.configuration.docker.image),
        "modifiedAt": timestamp_text(workspace.modified_at),
        "name": workspace.name,
    }


def workspace_detail(workspace: workspaces_pb2.Workspace, account_name: str) -> dict[str, Any]:
    """getDetail's answer (GetAiWorkspaceDetailResponse, §4) with the `runtime` extension."""
    modified = timestamp_text(workspace.modified_at)
    return {
        "success": True,
        "message": "success",
        "id": workspace.workspace_id,
        "name": workspace.name,
        "accountId": to_base62(workspace.account_id),
        "accountName": account_name,
        "description": workspace.description,
        "imageVersion": image_version(workspace.configuration.docker.image),
        "createdAt": timestamp_text(workspace.created_at),
        "modifiedAt": modified,
        "contents": [
            {
                "configuration": configuration_json(workspace.configuration),
                "createdAt": modified,
                "modifiedAt": modified,
            }
        ],
        "runtime": runtime_json(workspace.status),
    }


def configuration_list(records: Iterable[workspaces_pb2.WorkspaceConfigurationRecord]) -> dict[str, Any]:
    """getConfigurationList's answer, the records in the order given."""
    contents = [
        {
            "configuration": configuration_json(record.configuration),
            "createdAt": timestamp_text(record.created_at),
            "modifiedAt": timestamp_text(record.modified_at),
        }
        for record in records
    ]
    return {"contents": contents, "message": "success", "success": True, "total": len(contents)}


def configuration_json(configuration: workspaces_pb2.WorkspaceConfiguration) -> dict[str, Any]:
    """An AiAppTypeSpec in the examples' shape (§5)."""
    docker = configuration.docker
    resource = configuration.resource
    return {
        "data": {
            "input": [{"hdfs": item.source, "path": item.path} for item in configuration.inputs],
            "output": [
                {"hdfs": item.destination, "overwrite": item.overwrite, "path": item.path}
                for item in configuration.outputs
            ],
        },
        "docker": {
            "args": docker.args or None,
            "command": docker.command,
            "env": dict(sorted(docker.env.items())),
            "exposeTcpPorts": list(docker.expose_tcp_ports),
            "image": docker.image,
            "workdir": docker.workdir or None,
        },
        "name": configuration.app_name or None,
        "queueName": configuration.queue_name,
        "resource": {
            "cpuCount": resource.cpu_count,
            "gpuCount": resource.gpu_count,
            "gpuModel": resource.gpu_model or None,
            "memoryMb": resource.memory_mb,
        },
        "userPackageUri": configuration.user_package_uri or None,
    }


def runtime_json(status: workspaces_pb2.WorkspaceStatus) -> dict[str, Any]:
    """The `runtime` extension: state, message, exitCode once ended, published ports, start and end,
    and the end of the container's output."""
    # A workspace no runner has reported on yet has an empty status: it is pending (stored, not taken).
    state = status.state or workspaces_pb2.WORKSPACE_STATE_PENDING
    return {
        "state": _state_name(state),
        "message": status.message,
        "exitCode": status.exit_code if status.HasField("exit_code") else None,
        "ports": [
            {"containerPort": port.container_port, "host": port.host, "hostPort": port.host_port}
            for port in status.ports
        ],
        "startedAt": timestamp_text(status.started_at) if status.HasField("started_at") else None,
        "finishedAt": timestamp_text(status.finished_at) if status.HasField("finished_at") else None,
        "logTail": status.log_tail,
    }


def _state_name(state: int) -> str:
    # A state added to the proto after this gateway was built is still shown, by its number.
    if state not in workspaces_pb2.WorkspaceState.values():
        return f"STATE_{state}"
    return workspaces_pb2.WorkspaceState.Name(state).removeprefix(_STATE_PREFIX)


def image_version(image: str) -> str:
    """The image's tag: `dataforest/tensorflow:r2.3.1-py3` is at version `r2.3.1-py3`."""
    return image.rpartition(":")[2] if ":" in image else ""


def timestamp_text(timestamp: timestamp_pb2.Timestamp) -> str:
    """`2023-05-15T02:23:55.752Z` (§8.10)."""
    moment = timestamp.ToDatetime(tzinfo=UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"
