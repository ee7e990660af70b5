"""The gateway's in-memory view of every published API, keyed by inference URL path.

Filled and kept fresh by the registry's watch stream, so a formal API's request needs no
control-plane call: key digests, allowlist, status and schedule are all here. Model versions
(signature, preprocessing) are fetched once each, on first use, and kept: they never change.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.gateway.serving.catalog_file import CatalogFile
from services.policy.access import AccessRule, is_allowed
from services.policy.from_proto import rules_of, schedule_of
from services.policy.schedule import Schedule
from services.runtime.api_watch import ApiWatcher, WatchedApi
from services.runtime.logging import get_logger
from services.runtime.tasks import cancel_and_wait
from torii.v1 import apis_pb2, models_pb2, registry_service_pb2, registry_service_pb2_grpc

log = get_logger("catalog")

# Changes are written to disk once they settle, not once per change of a burst.
SAVE_DELAY_S = 0.5
# How long a registry that neither answers nor fails may keep the saved catalog from serving.
RESTORE_AFTER_S = 2.0


MAX_REMEMBERED_ADDRESSES = 256
"""Allowlist decisions kept per endpoint."""


@dataclass(frozen=True)
class Endpoint:
    api: apis_pb2.PublishedApi
    key_digests: dict[str, bytes]
    """API key id → SHA-256 of the whole key."""
    rules: tuple[AccessRule, ...]
    """In decision order."""
    schedule: Schedule
    key_expiry: dict[str, datetime] = field(default_factory=dict)
    """API key id → when it stops working, for the keys that expire."""
    chat_key_ids: frozenset[str] = frozenset()
    """Those of key_digests that are chat keys (ChatKeyService): the registry admits their requests."""
    _decisions: dict[str, bool] = field(default_factory=dict, init=False, repr=False, compare=False)

    def admits(self, address: str) -> bool:
        """Whether the allowlist lets `address` call. Decided once per address and remembered:
        callers repeat, and an endpoint's rules never change (a change is a new Endpoint)."""
        decided = self._decisions.get(address)
        if decided is None:
            if len(self._decisions) >= MAX_REMEMBERED_ADDRESSES:
                self._decisions.clear()
            decided = self._decisions[address] = is_allowed(self.rules, address, ordered=True)
        return decided

    def key_expired(self, key_id: str, now: datetime) -> bool:
        expires_at = self.key_expiry.get(key_id)
        return expires_at is not None and expires_at <= now

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
        key_expiry={
            key.key_id: key.expires_at.ToDatetime(tzinfo=UTC) for key in item.keys if key.HasField("expires_at")
        },
        chat_key_ids=frozenset(key.key_id for key in item.keys if key.chat_key),
    )


MAX_SUBSCRIPTIONS_PER_OWNER = 8
MAX_SUBSCRIPTIONS = 256


class TooManySubscriptions(Exception):
    """The owner, or the whole gateway (`whole_gateway`), holds as many subscriptions as it may."""

    def __init__(self, whole_gateway: bool) -> None:
        super().__init__("the gateway's" if whole_gateway else "the owner's")
        self.whole_gateway = whole_gateway


class ApiChanges:
    """One subscriber's view of the catalog's changes: the ids of the APIs changed since it last
    took them. A burst of changes to one API is one id, so a slow reader holds at most one entry
    per API, however many changes it missed."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self._pending: set[str] = set()
        self._changed = asyncio.Event()
        self.ended = False

    def add(self, api_id: str) -> None:
        self._pending.add(api_id)
        self._changed.set()

    def end(self) -> None:
        """No more changes will come (the gateway is stopping): next() returns at once from now on."""
        self.ended = True
        self._changed.set()

    async def next(self) -> set[str]:
        """The ids changed since the last call, once there is at least one or the subscription ended."""
        await self._changed.wait()
        if not self.ended:
            self._changed.clear()
        taken, self._pending = self._pending, set()
        return taken


class ApiCatalog:
    def __init__(
        self, registry: registry_service_pb2_grpc.RegistryServiceStub, saved: CatalogFile | None = None
    ) -> None:
        """saved: where the last catalog seen is kept, to serve from after a restart while the
        registry does not answer; None keeps nothing on disk."""
        self._registry = registry
        self._saved = saved
        self._save_task: asyncio.Task | None = None
        self._unsaved = False
        self._first_sync_task: asyncio.Task | None = None
        self._restore_task: asyncio.Task | None = None
        self._by_path: dict[str, Endpoint] = {}
        self._by_id: dict[str, Endpoint] = {}
        self._key_owner: dict[str, Endpoint] = {}
        """API key id → the endpoint whose key it is (chat keys, which may call several, aside)."""
        self._chat_apis_of_key: dict[str, dict[str, Endpoint]] = {}
        """Key id → api id → the chat endpoints the key may call: its own API's, or a chat key's."""
        self._versions: dict[str, asyncio.Future[models_pb2.ModelVersion]] = {}
        self._subscribers: set[ApiChanges] = set()
        self.watcher = ApiWatcher(registry, self._on_change)

    def start(self) -> None:
        """Watch the registry; should it not answer, serve the saved catalog meanwhile."""
        self.watcher.start()
        self._restore_task = asyncio.ensure_future(self._restore_unless_synced())
        self._first_sync_task = asyncio.ensure_future(self._save_once_synced())

    async def _restore_unless_synced(self) -> None:
        # A registry that answers gives a current snapshot within moments: the saved one, maybe
        # older, is only for a registry that fails or stays silent.
        synced, failed = (asyncio.ensure_future(event.wait()) for event in (self.watcher.synced, self.watcher.failed))
        try:
            await asyncio.wait({synced, failed}, timeout=RESTORE_AFTER_S, return_when=asyncio.FIRST_COMPLETED)
        finally:
            synced.cancel()
            failed.cancel()
        if self.watcher.synced.is_set() or self._saved is None:
            return
        restored = await asyncio.to_thread(self._saved.load)
        if restored is None or self.watcher.synced.is_set():
            return
        apis, versions = restored
        for version in versions:
            if version.model_version_id not in self._versions:
                future = asyncio.get_running_loop().create_future()
                future.set_result(version)
                self._versions[version.model_version_id] = future
        self.watcher.seed(apis)
        log.warning("catalog_restored_from_disk", apis=len(apis), path=str(self._saved.path))

    async def stop(self) -> None:
        await self.watcher.stop()
        await cancel_and_wait(self._restore_task)
        await cancel_and_wait(self._first_sync_task)
        await cancel_and_wait(self._save_task)

    async def _save_once_synced(self) -> None:
        # The first snapshot's changes arrive before `synced` is set, so they did not save.
        await self.watcher.synced.wait()
        self._save_soon()

    def find(self, path: str) -> Endpoint | None:
        return self._by_path.get(path)

    def get(self, api_id: str) -> Endpoint | None:
        return self._by_id.get(api_id)

    def owner_of_key(self, key_id: str) -> Endpoint | None:
        """The endpoint an API key id belongs to, whichever URL was called."""
        return self._key_owner.get(key_id)

    def chat_endpoints_of_key(self, key_id: str) -> list[Endpoint]:
        """The chat APIs a key may call, in no particular order; empty for an unknown key."""
        return list(self._chat_apis_of_key.get(key_id, {}).values())

    @contextlib.contextmanager
    def subscribe(self, owner: str) -> Iterator[ApiChanges]:
        """The ids of the APIs that change while the block runs (the console's live status), for
        `owner` (a user id); TooManySubscriptions past MAX_SUBSCRIPTIONS_PER_OWNER or MAX_SUBSCRIPTIONS."""
        if len(self._subscribers) >= MAX_SUBSCRIPTIONS:
            raise TooManySubscriptions(whole_gateway=True)
        if sum(1 for held in self._subscribers if held.owner == owner) >= MAX_SUBSCRIPTIONS_PER_OWNER:
            raise TooManySubscriptions(whole_gateway=False)
        changes = ApiChanges(owner)
        self._subscribers.add(changes)
        try:
            yield changes
        finally:
            self._subscribers.discard(changes)

    def end_subscriptions(self) -> None:
        """End every subscription: a stream held open by a browser must not hold up a stopping gateway."""
        for subscriber in self._subscribers:
            subscriber.end()

    def _on_change(self, api_id: str, item: WatchedApi | None) -> None:
        for subscriber in self._subscribers:
            subscriber.add(api_id)
        # The execution type is part of the URL: a change moves the API to its new path.
        old = self._by_id.pop(api_id, None)
        if old is not None:
            if self._by_path.get(old.api.url_path) is old:
                del self._by_path[old.api.url_path]
            for key_id in old.key_digests:
                if self._key_owner.get(key_id) is old:
                    del self._key_owner[key_id]
                apis_of_key = self._chat_apis_of_key.get(key_id)
                if apis_of_key is not None:
                    apis_of_key.pop(api_id, None)
                    if not apis_of_key:
                        del self._chat_apis_of_key[key_id]
        if item is not None:
            endpoint = _endpoint(item)
            self._by_id[api_id] = endpoint
            chat = item.api.contract == apis_pb2.API_CONTRACT_OPENAI_CHAT
            if not chat:
                # Every chat API shares OpenAI's one URL: a chat request finds its API by its key.
                self._by_path[item.api.url_path] = endpoint
            for key_id in endpoint.key_digests:
                if key_id not in endpoint.chat_key_ids:
                    self._key_owner[key_id] = endpoint
                if chat:
                    self._chat_apis_of_key.setdefault(key_id, {})[api_id] = endpoint
            serving = item.api.serving_model_version_id
            if serving and serving not in self._versions:
                # Fetched now rather than on the first request, so the saved catalog holds it.
                asyncio.ensure_future(self._prefetch(serving))
        self._save_soon()

    async def _prefetch(self, model_version_id: str) -> None:
        with contextlib.suppress(Exception):  # the first request tries again and reports it
            await self.version(model_version_id)

    def _save_soon(self) -> None:
        if self._saved is None or not self.watcher.synced.is_set():
            return  # nothing new to keep before the registry's first snapshot
        self._unsaved = True
        if self._save_task is None or self._save_task.done():
            self._save_task = asyncio.ensure_future(self._save_until_current(self._saved))

    async def _save_until_current(self, saved: CatalogFile) -> None:
        # A change that arrives while a save is being written is saved by the next round.
        while self._unsaved:
            await asyncio.sleep(SAVE_DELAY_S)
            self._unsaved = False
            versions = [
                future.result()
                for future in self._versions.values()
                if future.done() and not future.cancelled() and future.exception() is None
            ]
            try:
                await asyncio.to_thread(saved.save, list(self.watcher.apis.values()), versions)
            except OSError as error:
                log.error("catalog_save_failed", path=str(saved.path), error=repr(error))

    async def version(self, model_version_id: str) -> models_pb2.ModelVersion:
        """The version's metadata; concurrent first requests share one registry call."""
        future = self._versions.get(model_version_id)
        if future is not None and future.done() and not future.cancelled() and future.exception() is None:
            return future.result()  # every inference after the first: no shield, no await
        if future is None:
            future = asyncio.ensure_future(self._fetch(model_version_id))
            self._versions[model_version_id] = future
            future.add_done_callback(lambda _: self._save_soon())
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
