"""The gateway's in-memory view of every published API, keyed by inference URL path.

Filled and kept fresh by the registry's watch stream, so a formal API's request needs no
control-plane call: key digests, allowlist, status and schedule are all here. Model versions
(signature, preprocessing) are fetched once each, on first use, and kept: they never change.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from services.policy.access import AccessRule
from services.policy.from_proto import rules_of, schedule_of
from services.policy.schedule import Schedule
from services.runtime.api_watch import ApiWatcher, WatchedApi
from torii.v1 import apis_pb2, models_pb2, registry_service_pb2, registry_service_pb2_grpc


@dataclass(frozen=True)
class Endpoint:
    api: apis_pb2.PublishedApi
    key_digests: dict[str, bytes]
    """API key id → SHA-256 of the whole key."""
    rules: tuple[AccessRule, ...]
    """In decision order."""
    schedule: Schedule

    @property
    def serverless(self) -> bool:
        return self.api.execution_type == apis_pb2.EXECUTION_TYPE_SERVERLESS

    @property
    def trial(self) -> bool:
        return self.api.api_type == apis_pb2.API_TYPE_TRIAL


def _endpoint(item: WatchedApi) -> Endpoint:
    return Endpoint(
        api=item.api,
        key_digests={key.key_id: key.sha256 for key in item.keys},
        rules=rules_of(item.api),
        schedule=schedule_of(item.api),
    )


class ApiCatalog:
    def __init__(self, registry: registry_service_pb2_grpc.RegistryServiceStub) -> None:
        self._registry = registry
        self._by_path: dict[str, Endpoint] = {}
        self._path_of: dict[str, str] = {}
        self._key_owner: dict[str, Endpoint] = {}
        """API key id → the endpoint whose key it is."""
        self._versions: dict[str, asyncio.Future[models_pb2.ModelVersion]] = {}
        self.watcher = ApiWatcher(registry, self._on_change)

    def find(self, path: str) -> Endpoint | None:
        return self._by_path.get(path)

    def owner_of_key(self, key_id: str) -> Endpoint | None:
        """The endpoint an API key id belongs to, whichever URL was called."""
        return self._key_owner.get(key_id)

    def _on_change(self, api_id: str, item: WatchedApi | None) -> None:
        # The execution type is part of the URL: a change moves the API to its new path.
        old_path = self._path_of.pop(api_id, None)
        if old_path is not None:
            old = self._by_path.pop(old_path, None)
            for key_id in old.key_digests if old is not None else ():
                self._key_owner.pop(key_id, None)
        if item is not None:
            endpoint = _endpoint(item)
            self._by_path[item.api.url_path] = endpoint
            self._path_of[api_id] = item.api.url_path
            for key_id in endpoint.key_digests:
                self._key_owner[key_id] = endpoint

    async def version(self, model_version_id: str) -> models_pb2.ModelVersion:
        """The version's metadata; concurrent first requests share one registry call."""
        future = self._versions.get(model_version_id)
        if future is None:
            future = asyncio.ensure_future(self._fetch(model_version_id))
            self._versions[model_version_id] = future
        try:
            return await asyncio.shield(future)
        except Exception:
            if self._versions.get(model_version_id) is future:
                del self._versions[model_version_id]
            raise

    async def _fetch(self, model_version_id: str) -> models_pb2.ModelVersion:
        answer = await self._registry.GetModelVersion(
            registry_service_pb2.GetModelVersionRequest(model_version_id=model_version_id)
        )
        return answer.model_version
