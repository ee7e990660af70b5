"""The reconciler: makes what Triton has loaded match what the registry says should run.

Desired state comes from the registry's watch stream; actual state is asked of Triton on every
pass, so a Triton that restarted and lost its models is noticed and reloaded. A pass runs on
every change to an API and at least every reconcile_interval_s (schedule windows open and close
without any change in the registry). Statuses go back through ReportDeployment, which ignores
reports that a user's action has overtaken.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

import grpc

from services.policy.triton_names import parse_triton_model_name
from services.runtime.api_watch import ApiWatcher, WatchedApi
from services.runtime.logging import get_logger
from services.runtime.tasks import cancel_and_wait
from services.scheduler.placement import Want, model_entry, wanted
from services.scheduler.settings import SchedulerSettings
from services.scheduler.triton.control import ModelLoadError, TritonControl
from services.scheduler.triton.model_config import ModelEntry
from services.scheduler.triton.repository import ModelRepository
from torii.v1 import apis_pb2, models_pb2, registry_service_pb2, registry_service_pb2_grpc

log = get_logger("reconciler")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Reconciler:
    def __init__(
        self,
        registry: registry_service_pb2_grpc.RegistryServiceStub,
        tritons: Sequence[TritonControl],
        repository: ModelRepository,
        settings: SchedulerSettings,
        *,
        clock: Clock = utc_now,
    ) -> None:
        self._registry = registry
        self._tritons = tritons
        self._repository = repository
        self._settings = settings
        self.clock = clock
        self._watcher = ApiWatcher(registry, self._on_change)
        self._wake = asyncio.Event()
        self._deployed: dict[str, dict[str, ModelEntry]] = {}
        """api_id → the entries loaded for it, by Triton model name."""
        self._failed: dict[str, ModelEntry] = {}
        """api_id → the entry whose load failed; it is tried again only once something changes."""
        self._versions: dict[str, models_pb2.ModelVersion] = {}
        self._retired_at: dict[str, float] = {}
        """Triton model name → when a newer version replaced it (event-loop time)."""
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._repository.clear_stale_temporaries()
        self._watcher.start()
        self._task = asyncio.create_task(self._run(), name="reconciler")

    async def stop(self) -> None:
        await self._watcher.stop()
        await cancel_and_wait(self._task)

    def deployments(self) -> list[tuple[str, ModelEntry, bool]]:
        """(api_id, entry, retiring) for every entry loaded now, by API then model name."""
        return [
            (api_id, entry, name in self._retired_at)
            for api_id, entries in sorted(self._deployed.items())
            for name, entry in sorted(entries.items())
        ]

    async def triton_readiness(self) -> list[tuple[str, bool]]:
        ready = await asyncio.gather(*(triton.is_server_ready() for triton in self._tritons))
        return [(triton.address, is_ready) for triton, is_ready in zip(self._tritons, ready, strict=True)]

    def wake(self) -> None:
        """Run a pass now rather than at the next interval (a clock moved, Triton came back)."""
        self._wake.set()

    def _on_change(self, api_id: str, item: WatchedApi | None) -> None:
        self._wake.set()

    async def _run(self) -> None:
        await self._watcher.synced.wait()
        while True:
            self._wake.clear()
            try:
                await self.reconcile_once()
            except Exception:  # the next pass tries again; the traceback is logged
                log.exception("reconcile_failed")
            with contextlib.suppress(TimeoutError):
                # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a stop()'s cancellation.
                async with asyncio.timeout(self._settings.reconcile_interval_s):
                    await self._wake.wait()

    async def reconcile_once(self) -> None:
        loaded = await self._loaded_on_every_triton()
        if loaded is None:
            return
        await self._unload_orphans(loaded)
        api_ids = set(self._watcher.apis) | set(self._deployed)
        await asyncio.gather(*(self._reconcile(api_id, loaded) for api_id in api_ids))

    async def triton_lost(self, reason: str) -> None:
        """Triton exited: nothing is loaded any more. Say so on every API that was serving."""
        self._deployed.clear()
        self._failed.clear()
        for item in list(self._watcher.apis.values()):
            if item.api.status in (apis_pb2.API_STATUS_RUNNING, apis_pb2.API_STATUS_UPDATING):
                await self._report(item.api, apis_pb2.API_STATUS_BUILDING, f"{reason}; reloading once Triton is back")

    async def _loaded_on_every_triton(self) -> set[str] | None:
        """Names READY on every Triton, or None while any of them is unreachable."""
        try:
            per_triton = await asyncio.gather(*(triton.loaded_models() for triton in self._tritons))
        except Exception as error:  # Triton down or restarting: wait for it
            log.info("triton_unreachable", error=str(error))
            return None
        return set.intersection(*per_triton) if per_triton else set()

    async def _unload_orphans(self, loaded: set[str]) -> None:
        """Models of APIs that no longer exist, left by an earlier scheduler run on a remote Triton."""
        known = {name for entries in self._deployed.values() for name in entries}
        for name in loaded - known:
            parsed = parse_triton_model_name(name)
            if parsed is not None and parsed[0] not in self._watcher.apis:
                await self._unload_name(name)

    async def _reconcile(self, api_id: str, loaded: set[str]) -> None:
        item = self._watcher.apis.get(api_id)
        if item is None:
            await self._unload(api_id, keep=None)
            self._deployed.pop(api_id, None)
            self._failed.pop(api_id, None)
            return
        api = item.api
        want = wanted(api, self.clock())
        if want is not Want.SERVE:
            await self._unload(api_id, keep=None)
            if want is Want.OUTSIDE_SCHEDULE and api.status != apis_pb2.API_STATUS_OUTSIDE_SCHEDULE:
                await self._report(
                    api,
                    apis_pb2.API_STATUS_OUTSIDE_SCHEDULE,
                    "outside its schedule window; it loads when the window opens",
                )
            return
        try:
            entry = model_entry(api, await self._version(api.model_version_id), self._settings)
        except (ValueError, grpc.aio.AioRpcError) as error:
            message = f"cannot deploy model version: {error}"
            # Said once: every pass meets the same failure until the API or its version changes.
            if api.status != apis_pb2.API_STATUS_FAILED or api.status_message != message:
                await self._report(api, apis_pb2.API_STATUS_FAILED, message)
            return
        deployed = self._deployed.setdefault(api_id, {})
        if deployed.get(entry.name) == entry and entry.name in loaded:
            if api.status != apis_pb2.API_STATUS_RUNNING or api.serving_model_version_id != api.model_version_id:
                await self._report(api, apis_pb2.API_STATUS_RUNNING, "")
            await self._retire(api_id, keep=entry.name)
            return
        if self._failed.get(api_id) == entry:
            return
        if api.status == apis_pb2.API_STATUS_OUTSIDE_SCHEDULE:
            await self._report(api, apis_pb2.API_STATUS_BUILDING, "its schedule window opened; loading")
        await self._deploy(api, entry)

    async def _deploy(self, api: apis_pb2.PublishedApi, entry: ModelEntry) -> None:
        log.info("model_loading", api_id=api.api_id, model=entry.name, backend=entry.backend)
        try:
            await asyncio.to_thread(self._repository.write, entry)
            await asyncio.gather(
                *(triton.load(entry.name, timeout_s=self._settings.model_load_timeout_s) for triton in self._tritons)
            )
        except ModelLoadError as error:
            if error.code is grpc.StatusCode.UNAVAILABLE:
                log.info("model_load_postponed", api_id=api.api_id, model=entry.name, error=str(error))
                return
            await self._deploy_failed(api, entry, error)
            return
        except (OSError, ValueError) as error:
            await self._deploy_failed(api, entry, error)
            return
        self._failed.pop(api.api_id, None)
        self._deployed.setdefault(api.api_id, {})[entry.name] = entry
        log.info("model_ready", api_id=api.api_id, model=entry.name)
        await self._report(api, apis_pb2.API_STATUS_RUNNING, "")
        await self._retire(api.api_id, keep=entry.name)

    async def _deploy_failed(self, api: apis_pb2.PublishedApi, entry: ModelEntry, error: Exception) -> None:
        """Record the failure (no retry until the API or its model changes) and say why."""
        log.warning("model_load_failed", api_id=api.api_id, model=entry.name, error=str(error))
        self._failed[api.api_id] = entry
        await self._unload(api.api_id, keep=None)
        await self._unload_name(entry.name)
        await self._report(api, apis_pb2.API_STATUS_FAILED, str(error))

    async def _retire(self, api_id: str, keep: str) -> None:
        """Unload the API's other versions once they have been replaced for retire_grace_s."""
        now = asyncio.get_running_loop().time()
        deployed = self._deployed.get(api_id, {})
        for name in [name for name in deployed if name != keep]:
            if now - self._retired_at.setdefault(name, now) >= self._settings.retire_grace_s:
                await self._unload_name(name)
                deployed.pop(name, None)

    async def _unload(self, api_id: str, keep: str | None) -> None:
        """Unload every entry of the API but `keep`; Triton lets in-flight requests finish first."""
        deployed = self._deployed.get(api_id, {})
        for name in [name for name in deployed if name != keep]:
            await self._unload_name(name)
            deployed.pop(name, None)

    async def _unload_name(self, name: str) -> None:
        try:
            await asyncio.gather(*(triton.unload(name) for triton in self._tritons))
        except Exception as error:  # a Triton that is down has unloaded it anyway
            log.warning("model_unload_failed", model=name, error=str(error))
        await asyncio.to_thread(self._repository.remove, name)
        self._retired_at.pop(name, None)
        log.info("model_unloaded", model=name)

    async def _version(self, model_version_id: str) -> models_pb2.ModelVersion:
        # Versions never change once created, so one fetch each is enough.
        if model_version_id not in self._versions:
            answer = await self._registry.GetModelVersion(
                registry_service_pb2.GetModelVersionRequest(model_version_id=model_version_id)
            )
            self._versions[model_version_id] = answer.model_version
        return self._versions[model_version_id]

    async def _report(self, api: apis_pb2.PublishedApi, status: apis_pb2.ApiStatus, message: str) -> None:
        try:
            await self._registry.ReportDeployment(
                registry_service_pb2.ReportDeploymentRequest(
                    api_id=api.api_id, model_version_id=api.model_version_id, status=status, status_message=message
                )
            )
        except grpc.aio.AioRpcError as error:
            # A deleted API, or a registry that is restarting: the next pass reports again.
            log.warning("report_failed", api_id=api.api_id, code=error.code().name, details=error.details())
        else:
            log.info("status_reported", api_id=api.api_id, status=apis_pb2.ApiStatus.Name(status), message=message)
