"""A second gateway in a process of its own (`python -m services.gateway`), as TORII_GATEWAY_WORKERS
runs them, for tests that need state shared across gateway processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

from tests.polling import eventually


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.asynccontextmanager
async def gateway_process(
    registry_address: str, triton_address: str, data_dir: Path, **settings: str
) -> AsyncIterator[str]:
    """The base URL of a gateway process, ready (its catalog synced); stopped with SIGTERM after."""
    port = _free_port()
    environment = {
        **os.environ,  # the suite's service token (tests/service_token.py) among them
        "TORII_HOST": "127.0.0.1",
        "TORII_GATEWAY_PORT": str(port),
        "TORII_REGISTRY_ADDRESS": registry_address,
        "TORII_TRITON_ADDRESSES": f'["{triton_address}"]',
        "TORII_DATA_DIR": str(data_dir),
        **{f"TORII_{name.upper()}": value for name, value in settings.items()},
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "services.gateway", env=environment, stdout=asyncio.subprocess.DEVNULL
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:

            async def ready() -> bool:
                assert process.returncode is None, f"the gateway process exited with {process.returncode}"
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(f"{base_url}/readyz") as response:
                        return response.status == 200
                return False

            await eventually(ready, timeout_s=60)
        yield base_url
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
