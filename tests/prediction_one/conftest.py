"""Prediction One end to end: the real registry, trainer and gateway over HTTP (no Triton here;
classifier and inference tests add the scheduler and Triton)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from services.trainer.app import TrainerApp
from services.trainer.settings import TrainerSettings
from tests.gateway.conftest import RunningGateway, start_gateway  # noqa: F401 - a fixture used here
from tests.polling import eventually
from tests.urls import path_of

PREFIX = "/v1/external"


@dataclass
class TrainingPlatform:
    gateway: RunningGateway
    trainer: TrainerApp
    trainer_settings: TrainerSettings

    @property
    def client(self):
        return self.gateway.client

    @property
    def base_url(self) -> str:
        return str(self.client.make_url("")).rstrip("/")

    async def secret_key(self) -> str:
        """The admin's bearer token doubles as the secret key (the Settings screen's)."""
        return self.gateway.registry.admin_token

    async def api_key(self, credential_type: str = "train", **query) -> str:
        response = await self.client.get(
            f"{PREFIX}/api-key",
            params={"credential_type": credential_type, **query},
            headers={"x-api-key": await self.secret_key()},
        )
        body = await response.json()
        assert response.status == 200, body
        return body["api_key"]

    async def upload(self, key: str, learn: bytes, *, extension: str = "csv", column_info: bytes | None = None) -> str:
        """Ask for upload URLs, PUT the files, return the external_process_id."""
        response = await self.client.get(
            f"{PREFIX}/data-sets/upload-url", params={"extension": extension}, headers={"x-api-key": key}
        )
        urls = await response.json()
        assert response.status == 200, urls
        put = await self.client.put(path_of(urls["learn_data_set_upload_url"]), data=learn)
        assert put.status == 200, await put.text()
        if column_info is not None:
            put = await self.client.put(path_of(urls["column_info_upload_url"]), data=column_info)
            assert put.status == 200, await put.text()
        return urls["external_process_id"]

    async def train(self, key: str, process_id: str, config: dict, name: str = "model") -> None:
        response = await self.client.post(
            f"{PREFIX}/models",
            json={"external_process_id": process_id, "name": name, "config": config},
            headers={"x-api-key": key},
        )
        body = await response.json()
        assert response.status == 200, body
        assert body == {"external_process_id": process_id}

    async def wait_for_result(self, key: str, process_id: str, timeout_s: float = 120.0) -> dict:
        """Until the training of `process_id` has ended, however it ended; the result's body."""

        async def result() -> dict:
            response = await self.client.get(
                f"{PREFIX}/models/results", params={"external_process_id": process_id}, headers={"x-api-key": key}
            )
            body = await response.json()
            assert response.status == 200, body
            return body

        return await eventually(
            result,
            lambda body: body["status"] in ("finished", "failed", "cancelled"),
            timeout_s=timeout_s,
            interval_s=0.1,
            what=f"training {process_id} to end",
        )


async def start_trainer(registry, tmp_path, **overrides) -> tuple[TrainerApp, TrainerSettings]:
    settings = TrainerSettings(
        **{
            "data_dir": tmp_path / "trainer-data",
            "registry_address": registry.address,
            "trainer_port": 0,
            "job_poll_interval_s": 0.1,
            "training_time_budget_s": 5.0,
            **overrides,
        }
    )
    trainer = TrainerApp(settings)
    port = await trainer.start()
    return trainer, settings.model_copy(update={"trainer_port": port})


@pytest.fixture
async def training_platform(registry, start_gateway, tmp_path):
    trainer, settings = await start_trainer(registry, tmp_path)
    try:
        gateway = await start_gateway(trainer_address=f"127.0.0.1:{settings.trainer_port}")
        yield TrainingPlatform(gateway, trainer, settings)
    finally:
        await trainer.stop()
