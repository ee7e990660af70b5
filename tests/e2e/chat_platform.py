"""One platform with a chat API served by the real Triton, for the chat tests of this folder.

A model load costs seconds, so each test module makes one and shares it; tests that change an
API's state publish one of their own from the same model version.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import openai

from deploy.default_chat import gguf_path
from tests.conftest import own_database, running_registry
from tests.e2e.conftest import Platform, running_platform
from tests.gateway.conftest import gateway_starter
from tests.gateway.helpers import create_api, upload_form

MODEL_ID = "acme/chat-small"
HELLO = [{"role": "system", "content": "You are a helpful assistant."}, {"role": "user", "content": "Say hello."}]
# Small and few, so that generation stays short and tests can fill the slots on purpose.
SCHEDULER = {"chat_slots": 2, "chat_threads": 2, "chat_context_per_slot": 512, "chat_max_queue": 2}


@dataclass
class Chat:
    platform: Platform
    api: dict
    key: str
    model_version_id: str

    @property
    def base_url(self) -> str:
        return str(self.platform.client.make_url("/v1"))

    def client(self, key: str | None = None, **options) -> openai.OpenAI:
        return openai.OpenAI(base_url=self.base_url, api_key=key or self.key, max_retries=0, **options)

    def async_client(self, key: str | None = None) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(base_url=self.base_url, api_key=key or self.key, max_retries=0)

    async def publish(self, chat_model_id: str, wait_for: str = "running", **fields) -> tuple[dict, str]:
        created = await create_api(
            self.platform.gateway,
            self.model_version_id,
            execution_type="dedicated",
            chat_model_id=chat_model_id,
            **fields,
        )
        api = await self.platform.wait_for_status(created["api"]["api_id"], wait_for, timeout_s=120)
        return api, created["api_key"]


@contextlib.asynccontextmanager
async def chat_platform(
    postgres_dsn: str, shared_triton, data: Path, scheduler: dict | None = None, **gateway_settings
) -> AsyncIterator[Chat]:
    async with (
        own_database(postgres_dsn) as database_url,
        running_registry(database_url, data) as registry,
        gateway_starter(registry, data) as start_gateway,
        running_platform(
            registry, start_gateway, shared_triton, data, scheduler_settings=scheduler or SCHEDULER, **gateway_settings
        ) as platform,
    ):
        uploaded = await upload_gguf(platform)
        version_id = uploaded["version"]["model_version_id"]
        chat = Chat(platform, {}, "", version_id)
        chat.api, chat.key = await chat.publish(MODEL_ID)
        yield chat


async def upload_gguf(platform: Platform) -> dict:
    form = upload_form({"name": "smollm2", "format": "gguf"}, gguf_path().read_bytes())
    response = await platform.client.post("/manage/v1/models", data=form, headers=platform.admin)
    body = await response.json()
    assert response.status == 201, body
    return body
