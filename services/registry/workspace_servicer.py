"""WorkspaceService over gRPC: each RPC converts the request, awaits the domain, converts the reply."""

from __future__ import annotations

from services.registry.converters import timestamp
from services.registry.domain.workspace_types import ConfigurationRecord, Holding, Workspace
from services.registry.domain.workspaces import WorkspaceActor, WorkspaceService
from services.registry.watch import ChangeHub, drain
from services.runtime.errors import Unavailable
from torii.v1 import workspace_service_pb2 as pb
from torii.v1 import workspace_service_pb2_grpc, workspaces_pb2


def _actor(message: pb.WorkspaceActor) -> WorkspaceActor:
    return WorkspaceActor(user_id=message.user_id, key_account_id=message.key_account_id)


def workspace_to_proto(workspace: Workspace) -> workspaces_pb2.Workspace:
    return workspaces_pb2.Workspace(
        workspace_id=workspace.workspace_id,
        account_id=workspace.account_id,
        name=workspace.name,
        description=workspace.description,
        configuration=workspace.configuration,
        generation=workspace.generation,
        created_at=timestamp(workspace.created_at),
        modified_at=timestamp(workspace.modified_at),
        status=workspace.status,
        deleted=workspace.deleted,
    )


def _record_to_proto(record: ConfigurationRecord) -> workspaces_pb2.WorkspaceConfigurationRecord:
    return workspaces_pb2.WorkspaceConfigurationRecord(
        configuration=record.configuration,
        generation=record.generation,
        created_at=timestamp(record.created_at),
        modified_at=timestamp(record.modified_at),
    )


def _quota_to_proto(holding: Holding) -> workspaces_pb2.WorkspaceQuota:
    return workspaces_pb2.WorkspaceQuota(
        workspaces=holding.workspaces,
        cpu_count=holding.cpu_count,
        memory_mb=holding.memory_mb,
        gpu_count=holding.gpu_count,
    )


def _quota_from_proto(quota: workspaces_pb2.WorkspaceQuota) -> Holding:
    return Holding(quota.workspaces, quota.cpu_count, quota.memory_mb, quota.gpu_count)


class WorkspaceServicer(workspace_service_pb2_grpc.WorkspaceServiceServicer):
    def __init__(self, workspaces: WorkspaceService, changes: ChangeHub) -> None:
        self._workspaces = workspaces
        self._changes = changes

    async def CreateWorkspace(self, request, context):
        workspace = await self._workspaces.create(
            _actor(request.actor), request.account_id, request.name, request.description, request.configuration
        )
        return pb.CreateWorkspaceResponse(workspace=workspace_to_proto(workspace))

    async def GetWorkspace(self, request, context):
        workspace = await self._workspaces.get(_actor(request.actor), request.workspace_id)
        return pb.GetWorkspaceResponse(workspace=workspace_to_proto(workspace))

    async def ListWorkspaces(self, request, context):
        workspaces = await self._workspaces.list(_actor(request.actor), request.account_id)
        return pb.ListWorkspacesResponse(workspaces=[workspace_to_proto(workspace) for workspace in workspaces])

    async def SetWorkspaceConfiguration(self, request, context):
        workspace = await self._workspaces.set_configuration(
            _actor(request.actor), request.workspace_id, request.configuration
        )
        return pb.SetWorkspaceConfigurationResponse(workspace=workspace_to_proto(workspace))

    async def ListWorkspaceConfigurations(self, request, context):
        records = await self._workspaces.configurations(_actor(request.actor), request.workspace_id)
        return pb.ListWorkspaceConfigurationsResponse(configurations=[_record_to_proto(record) for record in records])

    async def DeleteWorkspace(self, request, context):
        await self._workspaces.delete(_actor(request.actor), request.workspace_id)
        return pb.DeleteWorkspaceResponse()

    async def CheckWorkspaceName(self, request, context):
        available = await self._workspaces.name_available(_actor(request.actor), request.account_id, request.name)
        return pb.CheckWorkspaceNameResponse(available=available)

    async def GetWorkspaceQuota(self, request, context):
        quota, used = await self._workspaces.quota(_actor(request.actor), request.account_id)
        return pb.GetWorkspaceQuotaResponse(quota=_quota_to_proto(quota), used=_quota_to_proto(used))

    async def SetWorkspaceQuota(self, request, context):
        quota = await self._workspaces.set_quota(
            _actor(request.actor), request.account_id, _quota_from_proto(request.quota)
        )
        return pb.SetWorkspaceQuotaResponse(quota=_quota_to_proto(quota))

    async def ListRunnerWorkspaces(self, request, context):
        workspaces = await self._workspaces.runner_workspaces()
        return pb.ListRunnerWorkspacesResponse(workspaces=[workspace_to_proto(workspace) for workspace in workspaces])

    async def ReportWorkspaceStatus(self, request, context):
        recorded = await self._workspaces.report_status(request.workspace_id, request.status)
        return pb.ReportWorkspaceStatusResponse(recorded=recorded)

    async def ForgetWorkspace(self, request, context):
        await self._workspaces.forget(request.workspace_id)
        return pb.ForgetWorkspaceResponse()

    async def WatchWorkspaceChanges(self, request, context):
        if not self._changes.listening:
            raise Unavailable("the registry is reconnecting to its change feed; watch again shortly")
        async with self._changes.subscribe() as changes:
            while True:
                workspace_ids, lost = drain(changes, await changes.get())
                for workspace_id in workspace_ids:
                    yield pb.WatchWorkspaceChangesResponse(workspace_id=workspace_id)
                if lost:
                    raise Unavailable("the registry lost its change feed; watch again")
