"""Data Forest workspaces as an operator sees them: each with its configuration, the state its
runner reports (with the reason of a failure or of waiting, its published ports and the end of its
logs), and each account's workspace quota, which an admin sets. Workspaces are made and changed
through the Data Forest contract (/api/v2/aiworkspaces/…); this is the view and the quota."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from google.protobuf import json_format

from services.gateway.http_base.routing import Call, Response, Route, json
from services.gateway.http_base.schema_words import obj, string, uuid
from services.gateway.management.converters import timestamp
from services.gateway.management.schemas import ACCOUNT_QUERY, TIMESTAMP
from torii.v1 import workspace_service_pb2 as wss
from torii.v1 import workspaces_pb2

_STATE_PREFIX = "WORKSPACE_STATE_"
_COUNT = {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
QUOTA = obj(
    {"workspaces": _COUNT, "cpu_count": _COUNT, "memory_mb": {"type": "integer", "minimum": 0}, "gpu_count": _COUNT},
    ("workspaces", "cpu_count", "memory_mb", "gpu_count"),
    title="WorkspaceQuota",
)
WORKSPACE = obj(
    {
        "workspace_id": string(),
        "account_id": string(),
        "name": string(),
        "description": string(),
        "generation": {"type": "integer"},
        "configuration": {"type": "object"},
        "state": string(description="pending, queued, starting, running, succeeded, failed or deleting"),
        "message": string(),
        "exit_code": {"type": ["integer", "null"]},
        "ports": {"type": "array", "items": {"type": "object"}},
        "started_at": TIMESTAMP,
        "finished_at": TIMESTAMP,
        "created_at": TIMESTAMP,
        "modified_at": TIMESTAMP,
        "log_tail": string(description="the end of the container's output, at most 64 KiB; empty in lists"),
    },
    title="Workspace",
)


def _actor(call: Call) -> wss.WorkspaceActor:
    return wss.WorkspaceActor(user_id=call.user.user_id)


def workspace_json(workspace: workspaces_pb2.Workspace) -> dict[str, Any]:
    status = workspace.status
    return {
        "workspace_id": workspace.workspace_id,
        "account_id": workspace.account_id,
        "name": workspace.name,
        "description": workspace.description,
        "generation": workspace.generation,
        "configuration": json_format.MessageToDict(workspace.configuration, preserving_proto_field_name=True),
        "state": workspaces_pb2.WorkspaceState.Name(status.state).removeprefix(_STATE_PREFIX).lower(),
        "message": status.message,
        "exit_code": status.exit_code if status.HasField("exit_code") else None,
        "ports": [
            {"container_port": port.container_port, "host": port.host, "host_port": port.host_port}
            for port in status.ports
        ],
        "started_at": timestamp(status.started_at, status.HasField("started_at")),
        "finished_at": timestamp(status.finished_at, status.HasField("finished_at")),
        "created_at": timestamp(workspace.created_at),
        "modified_at": timestamp(workspace.modified_at),
        "log_tail": status.log_tail,
    }


def _quota_json(quota: workspaces_pb2.WorkspaceQuota) -> dict[str, int]:
    return {
        "workspaces": quota.workspaces,
        "cpu_count": quota.cpu_count,
        "memory_mb": quota.memory_mb,
        "gpu_count": quota.gpu_count,
    }


async def list_workspaces(call: Call) -> web.Response:
    reply = await call.workspaces.ListWorkspaces(
        wss.ListWorkspacesRequest(actor=_actor(call), account_id=call.query.get("account_id", ""))
    )
    return json({"workspaces": [workspace_json(workspace) for workspace in reply.workspaces]})


async def get_workspace(call: Call) -> web.Response:
    reply = await call.workspaces.GetWorkspace(
        wss.GetWorkspaceRequest(actor=_actor(call), workspace_id=call.path("workspace_id"))
    )
    return json({"workspace": workspace_json(reply.workspace)})


async def get_quota(call: Call) -> web.Response:
    reply = await call.workspaces.GetWorkspaceQuota(
        wss.GetWorkspaceQuotaRequest(actor=_actor(call), account_id=call.query.get("account_id", ""))
    )
    return json({"quota": _quota_json(reply.quota), "used": _quota_json(reply.used)})


async def set_quota(call: Call) -> web.Response:
    body = call.body
    quota = workspaces_pb2.WorkspaceQuota(
        workspaces=body["workspaces"],
        cpu_count=body["cpu_count"],
        memory_mb=body["memory_mb"],
        gpu_count=body["gpu_count"],
    )
    reply = await call.workspaces.SetWorkspaceQuota(
        wss.SetWorkspaceQuotaRequest(actor=_actor(call), account_id=body["account_id"], quota=quota)
    )
    return json({"quota": _quota_json(reply.quota)})


_WORKSPACE_ID = string(pattern="^[0-9A-Za-z]{1,22}$", description="the Data Forest workspace id")

ROUTES = [
    Route(
        "GET",
        "/manage/v1/workspaces",
        list_workspaces,
        "List an account's Data Forest workspaces with the state their runner reports",
        "workspaces",
        {200: Response("the workspaces", obj({"workspaces": {"type": "array", "items": WORKSPACE}}, ("workspaces",)))},
        query=ACCOUNT_QUERY,
    ),
    Route(
        "GET",
        "/manage/v1/workspaces/{workspace_id}",
        get_workspace,
        "A Data Forest workspace: its configuration, state, published ports and the end of its logs",
        "workspaces",
        {200: Response("the workspace", obj({"workspace": WORKSPACE}, ("workspace",)))},
        errors=(404,),
        path_parameters={"workspace_id": _WORKSPACE_ID},
    ),
    Route(
        "GET",
        "/manage/v1/workspace-quota",
        get_quota,
        "An account's workspace quota and what its workspaces hold of it",
        "workspaces",
        {200: Response("quota and use", obj({"quota": QUOTA, "used": QUOTA}, ("quota", "used")))},
        query=ACCOUNT_QUERY,
    ),
    Route(
        "PUT",
        "/manage/v1/workspace-quota",
        set_quota,
        "Set an account's workspace quota (admins only); workspaces past it are refused, none stopped",
        "workspaces",
        {200: Response("the quota", obj({"quota": QUOTA}, ("quota",)))},
        body=obj(
            {"account_id": uuid("the account"), **QUOTA["properties"]},
            ("account_id", "workspaces", "cpu_count", "memory_mb", "gpu_count"),
        ),
        errors=(403, 404, 413),
    ),
]
