"""Published APIs, their access rules and keys, trial quotas."""

from __future__ import annotations

import builtins
import ipaddress
from collections.abc import Callable

import asyncpg

from services.registry.domain.types import (
    AccessRule,
    ApiContract,
    ApiStatus,
    ApiType,
    ExecutionType,
    InstanceKind,
    KeyDigest,
    PublishedApi,
    RuleAction,
    Schedule,
)
from services.runtime.errors import AlreadyExists, NotFound

_SELECT_API = """
SELECT a.*,
       COALESCE((SELECT array_agg(r.cidr::text ORDER BY r.priority, r.cidr) FROM access_rules r
                 WHERE r.api_id = a.api_id), '{}') AS rule_cidrs,
       COALESCE((SELECT array_agg(r.action ORDER BY r.priority, r.cidr) FROM access_rules r
                 WHERE r.api_id = a.api_id), '{}') AS rule_actions,
       COALESCE((SELECT array_agg(r.priority ORDER BY r.priority, r.cidr) FROM access_rules r
                 WHERE r.api_id = a.api_id), '{}') AS rule_priorities
FROM published_apis a
"""


def _api(row) -> PublishedApi:
    rules = tuple(
        AccessRule(ipaddress.ip_network(cidr), RuleAction(action), priority)
        for cidr, action, priority in zip(row["rule_cidrs"], row["rule_actions"], row["rule_priorities"], strict=True)
    )
    return PublishedApi(
        api_id=str(row["api_id"]),
        account_id=str(row["account_id"]),
        name=row["name"],
        model_version_id=str(row["model_version_id"]),
        api_type=ApiType(row["api_type"]),
        execution_type=ExecutionType(row["execution_type"]),
        instance_kind=InstanceKind(row["instance_kind"]),
        instance_count=row["instance_count"],
        schedule=Schedule(
            row["schedule_always"], row["schedule_start"], row["schedule_end"], tuple(row["schedule_weekdays"])
        ),
        status=ApiStatus(row["status"]),
        status_message=row["status_message"],
        public=row["public"],
        locked=row["locked"],
        trial_limit=row["trial_limit"],
        trial_used=row["trial_used"],
        rules=rules,
        serving_model_version_id=str(row["serving_model_version_id"] or ""),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        contract=ApiContract(row["contract"]),
        chat_model_id=row["chat_model_id"],
    )


async def _write_rules(connection: asyncpg.Connection, api_id: str, rules: tuple[AccessRule, ...]) -> None:
    await connection.execute("DELETE FROM access_rules WHERE api_id = $1", api_id)
    await connection.executemany(
        "INSERT INTO access_rules (api_id, cidr, action, priority) VALUES ($1, $2, $3, $4)",
        [(api_id, rule.network, rule.action.value, rule.priority) for rule in rules],
    )


class ApiStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def create(self, api: PublishedApi, key_id: str, key_sha256: bytes) -> PublishedApi:
        """Insert the API, its rules and its first key in one transaction."""
        try:
            return await self._insert(api, key_id, key_sha256)
        except asyncpg.UniqueViolationError:
            raise AlreadyExists(f"a chat API with the model id {api.chat_model_id!r} exists in this account") from None

    async def _insert(self, api: PublishedApi, key_id: str, key_sha256: bytes) -> PublishedApi:
        async with self._pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "INSERT INTO published_apis (api_id, account_id, name, model_version_id, api_type, execution_type,"
                " instance_kind, instance_count, schedule_always, schedule_start, schedule_end, schedule_weekdays,"
                " status, status_message, public, locked, trial_limit, trial_used, contract, chat_model_id)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
                api.api_id,
                api.account_id,
                api.name,
                api.model_version_id,
                api.api_type.value,
                api.execution_type.value,
                api.instance_kind.value,
                api.instance_count,
                api.schedule.always,
                api.schedule.start,
                api.schedule.end,
                list(api.schedule.weekdays),
                api.status.value,
                api.status_message,
                api.public,
                api.locked,
                api.trial_limit,
                api.trial_used,
                api.contract.value,
                api.chat_model_id,
            )
            await _write_rules(connection, api.api_id, api.rules)
            await connection.execute(
                "INSERT INTO credentials (credential_id, api_id, secret_sha256) VALUES ($1, $2, $3)",
                key_id,
                api.api_id,
                key_sha256,
            )
            return _api(await connection.fetchrow(_SELECT_API + " WHERE a.api_id = $1", api.api_id))

    async def get(self, api_id: str) -> PublishedApi | None:
        row = await self._pool.fetchrow(_SELECT_API + " WHERE a.api_id = $1", api_id)
        return _api(row) if row else None

    async def list(self, account_id: str | None) -> list[PublishedApi]:
        rows = await self._pool.fetch(
            _SELECT_API + " WHERE $1::uuid IS NULL OR a.account_id = $1 ORDER BY a.created_at, a.name", account_id
        )
        return [_api(row) for row in rows]

    async def change(self, api_id: str, decide: Callable[[PublishedApi], PublishedApi]) -> PublishedApi:
        """Read the API under a row lock, let decide() apply the domain's rules, write what changed.

        decide() raises a DomainError to refuse; then nothing is written.
        """
        async with self._pool.acquire() as connection, connection.transaction():
            row = await connection.fetchrow(_SELECT_API + " WHERE a.api_id = $1 FOR UPDATE OF a", api_id)
            if row is None:
                raise NotFound(f"no API with id {api_id}")
            before = _api(row)
            after = decide(before)
            if after == before:
                return before
            await connection.execute(
                "UPDATE published_apis SET name = $2, model_version_id = $3, execution_type = $4, instance_kind = $5,"
                " instance_count = $6, schedule_always = $7, schedule_start = $8, schedule_end = $9,"
                " schedule_weekdays = $10, status = $11, status_message = $12, public = $13, locked = $14,"
                " serving_model_version_id = $15, updated_at = now() WHERE api_id = $1",
                api_id,
                after.name,
                after.model_version_id,
                after.execution_type.value,
                after.instance_kind.value,
                after.instance_count,
                after.schedule.always,
                after.schedule.start,
                after.schedule.end,
                list(after.schedule.weekdays),
                after.status.value,
                after.status_message,
                after.public,
                after.locked,
                after.serving_model_version_id or None,
            )
            if after.rules != before.rules:
                await _write_rules(connection, api_id, after.rules)
            return _api(await connection.fetchrow(_SELECT_API + " WHERE a.api_id = $1", api_id))

    async def delete(self, api_id: str, check: Callable[[PublishedApi], None]) -> None:
        """Delete under a row lock once check() (which raises to refuse) has seen the API as it is."""
        async with self._pool.acquire() as connection, connection.transaction():
            row = await connection.fetchrow(_SELECT_API + " WHERE a.api_id = $1 FOR UPDATE OF a", api_id)
            if row is None:
                raise NotFound(f"no API with id {api_id}")
            check(_api(row))
            await connection.execute("DELETE FROM published_apis WHERE api_id = $1", api_id)

    async def add_key(self, api_id: str, key_id: str, key_sha256: bytes) -> None:
        await self._pool.execute(
            "INSERT INTO credentials (credential_id, api_id, secret_sha256) VALUES ($1, $2, $3)",
            key_id,
            api_id,
            key_sha256,
        )

    async def key_digests(self, api_ids: builtins.list[str]) -> dict[str, builtins.list[KeyDigest]]:
        """Each API's own keys, then the chat keys that may call it."""
        rows = await self._pool.fetch(
            "SELECT c.api_id, c.credential_id, c.secret_sha256, c.expires_at, false AS chat_key, c.created_at"
            " FROM credentials c WHERE c.api_id = ANY($1::uuid[])"
            " UNION ALL"
            " SELECT g.api_id, c.credential_id, c.secret_sha256, c.expires_at, true, c.created_at"
            " FROM chat_key_apis g JOIN credentials c ON c.credential_id = g.key_id WHERE g.api_id = ANY($1::uuid[])"
            " ORDER BY chat_key, created_at",
            api_ids,
        )
        digests: dict[str, builtins.list[KeyDigest]] = {api_id: [] for api_id in api_ids}
        for row in rows:
            digests[str(row["api_id"])].append(
                KeyDigest(
                    str(row["credential_id"]), bytes(row["secret_sha256"]), row["expires_at"], chat_key=row["chat_key"]
                )
            )
        return digests

    async def reserve_trial_request(self, api_id: str) -> tuple[bool, int, int] | None:
        """Take one request from a trial API's quota in a single statement, so that no concurrency
        can overshoot it and a burst costs the database one round trip per request. A formal API
        is always granted and counts nothing: (True, 0, 0). None: no such API."""
        row = await self._pool.fetchrow(
            "WITH target AS (SELECT api_type, trial_used, trial_limit FROM published_apis WHERE api_id = $1),"
            " taken AS (UPDATE published_apis SET trial_used = trial_used + 1"
            " WHERE api_id = $1 AND api_type = 'trial' AND trial_used < trial_limit RETURNING trial_used, trial_limit)"
            " SELECT target.api_type, taken.trial_used AS taken_used, target.trial_used, target.trial_limit"
            " FROM target LEFT JOIN taken ON true",
            api_id,
        )
        if row is None:
            return None
        if row["api_type"] != ApiType.TRIAL:
            return True, 0, 0
        if row["taken_used"] is not None:
            return True, row["taken_used"], row["trial_limit"]
        # The snapshot's count may predate the reservations that used the quota up; the UPDATE saw
        # them, so at refusal the count had reached the limit.
        return False, max(row["trial_used"], row["trial_limit"]), row["trial_limit"]

    async def release_trial_request(self, api_id: str) -> tuple[int, int] | None:
        """Give one reserved request back, never below zero; (used, limit), None for no such API."""
        row = await self._pool.fetchrow(
            "UPDATE published_apis SET trial_used = GREATEST(trial_used - 1, 0)"
            " WHERE api_id = $1 RETURNING trial_used, trial_limit",
            api_id,
        )
        return None if row is None else (row["trial_used"], row["trial_limit"])
