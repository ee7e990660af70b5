"""Workspaces, their configuration history and their accounts' quotas in PostgreSQL.

A create or a new configuration takes its account's row lock first, so the quota sum it checks
is the one it adds to: concurrent requests of one account are judged one after another, and a
request past the quota stores nothing.
"""

from __future__ import annotations

import builtins

import asyncpg
from google.protobuf import json_format

from services.registry.domain.workspace_types import ConfigurationRecord, Holding, Workspace, holding_of
from services.runtime.errors import AlreadyExists, NotFound, ResourceExhausted
from torii.v1 import workspaces_pb2

_COLUMNS = (
    "workspace_id, account_id, name, description, configuration, generation, created_at, modified_at, status,"
    " deleted_at IS NOT NULL AS deleted"
)
# Lists leave each status's log tail out (up to 64 KiB each): a list of many workspaces stays
# far below gRPC's message limit; one workspace's read carries it.
_LISTED_COLUMNS = _COLUMNS.replace(" status,", " status - 'log_tail' AS status,")
KEPT_CONFIGURATIONS = 100
"""Configurations kept per workspace (getConfigurationList); older ones are dropped."""
_HELD = (
    "SELECT count(*) AS workspaces, coalesce(sum(cpu_count), 0)::bigint AS cpu_count,"
    " coalesce(sum(memory_mb), 0)::bigint AS memory_mb, coalesce(sum(gpu_count), 0)::bigint AS gpu_count"
    " FROM workspaces WHERE account_id = $1 AND deleted_at IS NULL"
)


def _document(message) -> dict:
    """A message as a jsonb document (the pool's codec writes the dict)."""
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def _configuration(value: dict) -> workspaces_pb2.WorkspaceConfiguration:
    return json_format.ParseDict(value, workspaces_pb2.WorkspaceConfiguration())


def _status(value: dict) -> workspaces_pb2.WorkspaceStatus:
    return json_format.ParseDict(value, workspaces_pb2.WorkspaceStatus(), ignore_unknown_fields=True)


def _workspace(row) -> Workspace:
    return Workspace(
        workspace_id=row["workspace_id"],
        account_id=str(row["account_id"]),
        name=row["name"],
        description=row["description"],
        configuration=_configuration(row["configuration"]),
        generation=row["generation"],
        created_at=row["created_at"],
        modified_at=row["modified_at"],
        status=_status(row["status"]),
        deleted=row["deleted"],
    )


def _holding(row) -> Holding:
    return Holding(row["workspaces"], row["cpu_count"], row["memory_mb"], row["gpu_count"])


async def _quota_of(connection: asyncpg.Connection, account_id: str, default: Holding) -> Holding:
    row = await connection.fetchrow(
        "SELECT workspaces, cpu_count, memory_mb, gpu_count FROM workspace_quotas WHERE account_id = $1", account_id
    )
    return Holding(row["workspaces"], row["cpu_count"], row["memory_mb"], row["gpu_count"]) if row else default


async def _lock_account(connection: asyncpg.Connection, account_id: str) -> None:
    if await connection.fetchval("SELECT 1 FROM accounts WHERE account_id = $1 FOR UPDATE", account_id) is None:
        raise NotFound(f"no account with id {account_id}")


async def _require_room(
    connection: asyncpg.Connection, account_id: str, adding: Holding, default_quota: Holding
) -> None:
    held = _holding(await connection.fetchrow(_HELD, account_id))
    if not held.plus(adding).within(await _quota_of(connection, account_id, default_quota)):
        raise ResourceExhausted("exceeded limit on resource quota")


async def _record_configuration(
    connection: asyncpg.Connection, workspace_id: str, generation: int, document: dict, at
) -> None:
    """Add a configuration to the history, dropping what falls past KEPT_CONFIGURATIONS."""
    await connection.execute(
        "INSERT INTO workspace_configurations (workspace_id, generation, configuration, created_at)"
        " VALUES ($1, $2, $3, $4)",
        workspace_id,
        generation,
        document,
        at,
    )
    await connection.execute(
        "DELETE FROM workspace_configurations WHERE workspace_id = $1 AND generation <= $2",
        workspace_id,
        generation - KEPT_CONFIGURATIONS,
    )


class WorkspaceStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create(
        self,
        workspace_id: str,
        account_id: str,
        name: str,
        description: str,
        configuration: workspaces_pb2.WorkspaceConfiguration,
        default_quota: Holding,
    ) -> Workspace:
        holding = holding_of(configuration)
        document = _document(configuration)
        async with self._pool.acquire() as connection, connection.transaction():
            await _lock_account(connection, account_id)
            if await self._name_taken(connection, account_id, name):
                raise AlreadyExists(f"a workspace named {name!r} already exists in this account")
            await _require_room(connection, account_id, holding, default_quota)
            row = await connection.fetchrow(
                "INSERT INTO workspaces (workspace_id, account_id, name, description, configuration, cpu_count,"
                " memory_mb, gpu_count) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                f" RETURNING {_COLUMNS}",
                workspace_id,
                account_id,
                name,
                description,
                document,
                holding.cpu_count,
                holding.memory_mb,
                holding.gpu_count,
            )
            await _record_configuration(connection, workspace_id, 1, document, row["created_at"])
        return _workspace(row)

    @staticmethod
    async def _name_taken(connection: asyncpg.Connection, account_id: str, name: str) -> bool:
        return bool(
            await connection.fetchval(
                "SELECT 1 FROM workspaces WHERE account_id = $1 AND name = $2 AND deleted_at IS NULL",
                account_id,
                name,
            )
        )

    async def name_taken(self, account_id: str, name: str) -> bool:
        async with self._pool.acquire() as connection:
            return await self._name_taken(connection, account_id, name)

    async def get(self, workspace_id: str) -> Workspace | None:
        """A workspace that exists (not deleted)."""
        row = await self._pool.fetchrow(
            f"SELECT {_COLUMNS} FROM workspaces WHERE workspace_id = $1 AND deleted_at IS NULL", workspace_id
        )
        return _workspace(row) if row else None

    async def list(self, account_id: str) -> builtins.list[Workspace]:
        rows = await self._pool.fetch(
            f"SELECT {_LISTED_COLUMNS} FROM workspaces WHERE account_id = $1 AND deleted_at IS NULL"
            " ORDER BY created_at, workspace_id",
            account_id,
        )
        return [_workspace(row) for row in rows]

    async def set_configuration(
        self, workspace_id: str, configuration: workspaces_pb2.WorkspaceConfiguration, default_quota: Holding
    ) -> Workspace:
        holding = holding_of(configuration)
        document = _document(configuration)
        async with self._pool.acquire() as connection, connection.transaction():
            account_id = await connection.fetchval(
                "SELECT account_id FROM workspaces WHERE workspace_id = $1 AND deleted_at IS NULL", workspace_id
            )
            if account_id is None:
                raise NotFound(f"no workspace {workspace_id}")
            await _lock_account(connection, account_id)
            # Its own holding is given back before the new one is judged.
            row = await connection.fetchrow(
                "SELECT cpu_count, memory_mb, gpu_count FROM workspaces WHERE workspace_id = $1 AND deleted_at IS NULL",
                workspace_id,
            )
            if row is None:
                raise NotFound(f"no workspace {workspace_id}")
            given_back = Holding(-1, -row["cpu_count"], -row["memory_mb"], -row["gpu_count"])
            await _require_room(connection, account_id, holding.plus(given_back), default_quota)
            changed = await connection.fetchrow(
                "UPDATE workspaces SET generation = generation + 1, configuration = $2, cpu_count = $3,"
                " memory_mb = $4, gpu_count = $5, modified_at = now(),"
                " status = jsonb_build_object('state', 'WORKSPACE_STATE_PENDING', 'generation', generation + 1)"
                f" WHERE workspace_id = $1 RETURNING {_COLUMNS}",
                workspace_id,
                document,
                holding.cpu_count,
                holding.memory_mb,
                holding.gpu_count,
            )
            await _record_configuration(
                connection, workspace_id, changed["generation"], document, changed["modified_at"]
            )
        return _workspace(changed)

    async def configurations(self, workspace_id: str) -> builtins.list[ConfigurationRecord]:
        rows = await self._pool.fetch(
            "SELECT generation, configuration, created_at FROM workspace_configurations WHERE workspace_id = $1"
            " ORDER BY generation",
            workspace_id,
        )
        return [
            ConfigurationRecord(
                _configuration(row["configuration"]), row["generation"], row["created_at"], row["created_at"]
            )
            for row in rows
        ]

    async def mark_deleted(self, workspace_id: str) -> bool:
        return bool(
            await self._pool.fetchval(
                "UPDATE workspaces SET deleted_at = now(), modified_at = now(),"
                " status = status || jsonb_build_object('state', 'WORKSPACE_STATE_DELETING')"
                " WHERE workspace_id = $1 AND deleted_at IS NULL RETURNING true",
                workspace_id,
            )
        )

    async def quota(self, account_id: str, default: Holding) -> tuple[Holding, Holding]:
        """(the quota, what the account's workspaces hold now)."""
        async with self._pool.acquire() as connection:
            quota = await _quota_of(connection, account_id, default)
            held = _holding(await connection.fetchrow(_HELD, account_id))
        return quota, held

    async def set_quota(self, account_id: str, quota: Holding) -> Holding:
        await self._pool.execute(
            "INSERT INTO workspace_quotas (account_id, workspaces, cpu_count, memory_mb, gpu_count)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id) DO UPDATE SET workspaces = $2,"
            " cpu_count = $3, memory_mb = $4, gpu_count = $5",
            account_id,
            quota.workspaces,
            quota.cpu_count,
            quota.memory_mb,
            quota.gpu_count,
        )
        return quota

    async def runner_workspaces(self) -> builtins.list[Workspace]:
        """Every workspace, deleted ones included until forgotten."""
        rows = await self._pool.fetch(f"SELECT {_LISTED_COLUMNS} FROM workspaces ORDER BY created_at, workspace_id")
        return [_workspace(row) for row in rows]

    async def report_status(self, workspace_id: str, status: workspaces_pb2.WorkspaceStatus) -> bool:
        """Record a runner's status unless the workspace moved to a newer generation or was deleted.
        A status without a log tail keeps the one recorded (a new generation's status has none)."""
        return bool(
            await self._pool.fetchval(
                "UPDATE workspaces SET status = CASE WHEN $2::jsonb ? 'log_tail' THEN $2::jsonb"
                " ELSE $2::jsonb || jsonb_strip_nulls(jsonb_build_object('log_tail', status -> 'log_tail')) END"
                " WHERE workspace_id = $1 AND generation = $3"
                " AND deleted_at IS NULL RETURNING true",
                workspace_id,
                _document(status),
                status.generation,
            )
        )

    async def forget(self, workspace_id: str) -> bool:
        return bool(
            await self._pool.fetchval(
                "DELETE FROM workspaces WHERE workspace_id = $1 AND deleted_at IS NOT NULL RETURNING true",
                workspace_id,
            )
        )
