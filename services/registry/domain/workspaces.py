"""Data Forest AI workspaces: created within an account's quota under a name unique among its
workspaces, reconfigured (each configuration kept), deleted, and run by the scheduler's runner,
which reports what it sees.

A user acts on the accounts a user may (admins on every account); a Data Forest access key, which
the gateway verified, on its own account only. A workspace the actor may not see answers as
missing. The gateway checks every contract rule first and answers in the contract's words; the
checks here are the ones no caller is trusted with.
"""

from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass

from services.policy.base62_ids import to_base62
from services.policy.workspace_rules import IMAGE, MAX_DESCRIPTION, NAME
from services.registry.domain.actors import can_see_account, require_admin, resolve_actor
from services.registry.domain.ids import parse_id
from services.registry.domain.stores import AccountStorage, WorkspaceStorage
from services.registry.domain.workspace_types import ConfigurationRecord, Holding, Workspace
from services.runtime.errors import InvalidArgument, NotFound, PermissionDenied
from torii.v1 import workspaces_pb2

MAX_PORTS = 64
MAX_DATA_ITEMS = 64
MAX_ENV = 256


@dataclass(frozen=True)
class WorkspaceActor:
    """Exactly one of the two is set."""

    user_id: str = ""
    key_account_id: str = ""


def new_workspace_id() -> str:
    return to_base62(str(uuid.uuid4()))


def check_configuration(configuration: workspaces_pb2.WorkspaceConfiguration) -> None:
    resource = configuration.resource
    docker = configuration.docker
    if configuration.queue_name not in ("gpu", "cpu"):
        raise InvalidArgument("configuration.queue_name must be gpu or cpu")
    if resource.cpu_count < 1 or resource.memory_mb < 1 or resource.gpu_count < 0:
        raise InvalidArgument("a workspace needs at least 1 CPU and 1 MiB of memory, and no negative GPU count")
    if (configuration.queue_name == "gpu") != (resource.gpu_count > 0):
        raise InvalidArgument("a gpu-queue workspace needs GPUs, and a cpu-queue one none")
    if not IMAGE.match(docker.image):
        raise InvalidArgument(f"configuration.docker.image {docker.image!r} is not an image name")
    if not docker.command:
        raise InvalidArgument("configuration.docker.command is required")
    if any(not 1 <= port <= 65535 for port in docker.expose_tcp_ports) or len(docker.expose_tcp_ports) > MAX_PORTS:
        raise InvalidArgument(f"at most {MAX_PORTS} TCP ports, each 1-65535")
    if len(docker.env) > MAX_ENV:
        raise InvalidArgument(f"at most {MAX_ENV} environment variables")
    if len(configuration.inputs) > MAX_DATA_ITEMS or len(configuration.outputs) > MAX_DATA_ITEMS:
        raise InvalidArgument(f"at most {MAX_DATA_ITEMS} inputs and outputs each")
    paths = [item.path for item in configuration.inputs] + [item.path for item in configuration.outputs]
    if any(not path.startswith("/") for path in paths):
        raise InvalidArgument("container paths of data must be absolute")


class WorkspaceService:
    def __init__(self, accounts_store: AccountStorage, store: WorkspaceStorage, default_quota: Holding) -> None:
        self._accounts = accounts_store
        self._store = store
        self._default_quota = default_quota

    async def _may_act_on(self, actor: WorkspaceActor, account_id: str) -> bool:
        if actor.key_account_id:
            return actor.key_account_id == account_id
        return can_see_account(await resolve_actor(self._accounts, actor.user_id), account_id)

    async def _account(self, actor: WorkspaceActor, account_id: str) -> str:
        """The account asked for (the actor's own when empty), once the actor may act on it."""
        if not account_id:
            if actor.key_account_id:
                return actor.key_account_id
            return (await resolve_actor(self._accounts, actor.user_id)).account_id
        account_id = parse_id(account_id, "account_id")
        if not await self._may_act_on(actor, account_id):
            raise PermissionDenied(f"may not act on account {account_id}")
        return account_id

    async def _visible(self, actor: WorkspaceActor, workspace_id: str) -> Workspace:
        workspace = await self._store.get(workspace_id)
        if workspace is None or not await self._may_act_on(actor, workspace.account_id):
            raise NotFound(f"no workspace {workspace_id}")
        return workspace

    async def create(
        self,
        actor: WorkspaceActor,
        account_id: str,
        name: str,
        description: str,
        configuration: workspaces_pb2.WorkspaceConfiguration,
    ) -> Workspace:
        account_id = await self._account(actor, account_id)
        if not NAME.match(name):
            raise InvalidArgument(f"{name!r} is not a workspace name")
        if len(description) > MAX_DESCRIPTION:
            raise InvalidArgument(f"a description has at most {MAX_DESCRIPTION} characters")
        check_configuration(configuration)
        return await self._store.create(
            new_workspace_id(), account_id, name, description, configuration, self._default_quota
        )

    async def get(self, actor: WorkspaceActor, workspace_id: str) -> Workspace:
        return await self._visible(actor, workspace_id)

    async def list(self, actor: WorkspaceActor, account_id: str) -> builtins.list[Workspace]:
        return await self._store.list(await self._account(actor, account_id))

    async def set_configuration(
        self, actor: WorkspaceActor, workspace_id: str, configuration: workspaces_pb2.WorkspaceConfiguration
    ) -> Workspace:
        await self._visible(actor, workspace_id)
        check_configuration(configuration)
        return await self._store.set_configuration(workspace_id, configuration, self._default_quota)

    async def configurations(self, actor: WorkspaceActor, workspace_id: str) -> builtins.list[ConfigurationRecord]:
        await self._visible(actor, workspace_id)
        return await self._store.configurations(workspace_id)

    async def delete(self, actor: WorkspaceActor, workspace_id: str) -> None:
        await self._visible(actor, workspace_id)
        if not await self._store.mark_deleted(workspace_id):
            raise NotFound(f"no workspace {workspace_id}")

    async def name_available(self, actor: WorkspaceActor, account_id: str, name: str) -> bool:
        account_id = await self._account(actor, account_id)
        return bool(NAME.match(name)) and not await self._store.name_taken(account_id, name)

    async def quota(self, actor: WorkspaceActor, account_id: str) -> tuple[Holding, Holding]:
        return await self._store.quota(await self._account(actor, account_id), self._default_quota)

    async def set_quota(self, actor: WorkspaceActor, account_id: str, quota: Holding) -> Holding:
        if actor.key_account_id:
            raise PermissionDenied("an access key may not change quotas")
        require_admin(await resolve_actor(self._accounts, actor.user_id), "change a workspace quota")
        account_id = parse_id(account_id, "account_id")
        if await self._accounts.get_account(account_id) is None:
            raise NotFound(f"no account with id {account_id}")
        if min(quota.workspaces, quota.cpu_count, quota.memory_mb, quota.gpu_count) < 0:
            raise InvalidArgument("quota limits cannot be negative")
        return await self._store.set_quota(account_id, quota)

    async def runner_workspaces(self) -> builtins.list[Workspace]:
        return await self._store.runner_workspaces()

    async def report_status(self, workspace_id: str, status: workspaces_pb2.WorkspaceStatus) -> bool:
        return await self._store.report_status(workspace_id, status)

    async def forget(self, workspace_id: str) -> None:
        await self._store.forget(workspace_id)
