"""The whole platform for end-to-end tests: registry, scheduler, the real Triton and the gateway.

One tritonserver runs for the session (its start costs seconds); each test gets its own
database, registry, scheduler (in remote mode, sharing that Triton's model repository) and
gateway. Model names carry the API's id, so tests never see each other's models.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from services.gateway.app_keys import RUNTIME
from services.scheduler.app import SchedulerApp
from services.scheduler.settings import SchedulerSettings
from services.scheduler.triton.local_server import LocalTriton
from tests.e2e.sighting import Sighting, sighting
from tests.gateway.conftest import RunningGateway, start_gateway  # noqa: F401 - a fixture used here
from tests.gateway.helpers import create_api, upload_model
from tests.polling import eventually
from tests.prediction_one.conftest import TrainingPlatform, start_trainer
from tests.service_token import SERVICE_TOKEN
from tests.urls import path_of
from torii.v1 import apis_pb2


@dataclass
class SharedTriton:
    address: str
    repository: Path
    trace_file: Path | None
    """None for an existing Triton whose trace file was not given."""


@pytest.fixture(scope="session")
async def shared_triton(request):
    """One Triton for the session: a started local one, or the existing one --triton-address names
    (for instance the NGC container on a GPU host), whose model repository the scheduler writes."""
    existing = request.config.getoption("--triton-address")
    if existing:
        repository = request.config.getoption("--triton-repository")
        if not repository:
            pytest.fail("--triton-address needs --triton-repository: the folder that Triton loads models from")
        trace_file = request.config.getoption("--triton-trace-file")
        yield SharedTriton(existing, Path(repository), Path(trace_file) if trace_file else None)
        return
    root = Path(tempfile.mkdtemp(prefix="torii-e2e-triton-"))
    triton = LocalTriton(root / "models", root, trace_file=root / "trace.json", service_token=SERVICE_TOKEN)
    address = await triton.start()
    try:
        yield SharedTriton(address, root / "models", root / "trace.json")
    finally:
        await triton.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Clock:
    """The platform's clock: real time unless a test pins it."""

    pinned: datetime | None = None

    def __call__(self) -> datetime:
        return self.pinned or datetime.now(UTC)


@dataclass
class Platform:
    gateway: RunningGateway
    scheduler: SchedulerApp
    clock: Clock
    triton_address: str
    usage_flush_interval_s: float
    scheduler_port: int = 0
    keys: dict[str, str] = field(default_factory=dict)
    model_ids: dict[str, str] = field(default_factory=dict)

    @property
    def client(self):
        return self.gateway.client

    @property
    def admin(self):
        return self.gateway.admin

    async def publish(self, model: bytes, *, wait_for: str = "running", upload_fields=None, **api_fields) -> dict:
        """Upload a model, publish it and wait until the API reaches `wait_for`; returns its info."""
        uploaded = await upload_model(
            self.gateway, name=f"model-{uuid.uuid4().hex[:8]}", model=model, **(upload_fields or {})
        )
        created = await create_api(self.gateway, uploaded["version"]["model_version_id"], **api_fields)
        api = created["api"]
        self.keys[api["api_id"]] = created["api_key"]
        self.model_ids[api["api_id"]] = uploaded["model"]["model_id"]
        return await self.wait_for_status(api["api_id"], wait_for)

    async def api(self, api_id: str) -> dict:
        response = await self.client.get(f"/manage/v1/apis/{api_id}", headers=self.admin)
        assert response.status == 200, await response.text()
        return (await response.json())["api"]

    async def wait_for_status(self, api_id: str, status: str, timeout_s: float = 60.0) -> dict:
        """Until the registry says `status` and the gateway's catalog has caught up with it."""

        async def seen() -> Sighting:
            return sighting(self.client, await self.api(api_id))

        reached = await eventually(
            seen,
            lambda now: now.listed["status"] == status and now.in_catalog == _STATUS_NUMBERS[status],
            timeout_s=timeout_s,
            what=f"API {api_id} to be {status}",
        )
        return reached.listed

    async def infer(self, api: dict, inputs: list[dict], *, key: str | None = None, headers=None):
        """POST the contract's body to the API's URL; returns (status, body)."""
        path = path_of(api["url"])
        sent = {"x-api-key": self.keys[api["api_id"]] if key is None else key, **(headers or {})}
        response = await self.client.post(path, json={"executor": "Executor", "inputs": inputs}, headers=sent)
        return response.status, await response.json()


_STATUS_NUMBERS = {name.removeprefix("API_STATUS_").lower(): number for name, number in apis_pb2.ApiStatus.items()}


@contextlib.asynccontextmanager
async def running_platform(
    registry, start_gateway, shared_triton, tmp_path, scheduler_settings=None, **gateway_settings
):
    clock = Clock()
    flush_s = 0.2
    scheduler = SchedulerApp(
        SchedulerSettings(
            data_dir=tmp_path / "scheduler",
            artifact_root=tmp_path,  # the gateway and trainer of the test keep their models under it
            registry_address=registry.address,
            scheduler_port=0,
            triton_mode="remote",
            triton_addresses=[shared_triton.address],
            triton_model_repository=shared_triton.repository,
            reconcile_interval_s=0.2,
            batch_queue_delay_us=500,
            **(scheduler_settings or {}),
        ),
        clock=clock,
    )
    scheduler_port = await scheduler.start()
    try:
        gateway = await start_gateway(
            triton_addresses=[shared_triton.address], usage_flush_interval_s=flush_s, **gateway_settings
        )
        gateway.client.app[RUNTIME].clock = clock
        yield Platform(gateway, scheduler, clock, shared_triton.address, flush_s, scheduler_port)
    finally:
        await scheduler.stop()


@pytest.fixture
async def platform(registry, start_gateway, shared_triton, tmp_path):
    async with running_platform(registry, start_gateway, shared_triton, tmp_path) as running:
        yield running


@dataclass
class PredictionOnePlatform:
    """The whole platform with the trainer: Prediction One from upload to inference."""

    platform: Platform
    training: TrainingPlatform


@pytest.fixture
async def prediction_one(registry, start_gateway, shared_triton, tmp_path):
    trainer, settings = await start_trainer(registry, tmp_path, training_time_budget_s=2.0)
    try:
        async with running_platform(
            registry,
            start_gateway,
            shared_triton,
            tmp_path,
            trainer_address=f"127.0.0.1:{settings.trainer_port}",
            max_inference_bytes=1024 * 1024,  # small, so a test can send a body past it
        ) as platform:
            yield PredictionOnePlatform(platform, TrainingPlatform(platform.gateway, trainer, settings))
    finally:
        await trainer.stop()
