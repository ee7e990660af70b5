"""HTTP over a bare socket: what a client that writes slowly, or writes bytes no library would
send, gets back."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

from aiohttp.test_utils import TestClient

_TIMEOUT_S = 10


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str]
    """Header names lower-cased; a repeated header keeps its last value."""
    body: bytes

    def json(self) -> Any:
        assert self.headers.get("content-type", "").startswith("application/json"), self
        return json.loads(self.body)


async def exchange(client: TestClient, *writes: bytes, pause_s: float = 0.0) -> RawResponse:
    """Send each of writes as its own write (pause_s apart) on a new connection; the first answer."""
    reader, writer = await asyncio.open_connection(client.host, client.port)
    try:
        for number, data in enumerate(writes):
            if number and pause_s:
                await asyncio.sleep(pause_s)
            writer.write(data)
            await writer.drain()
        return await read_response(reader)
    finally:
        writer.close()


async def read_response(reader: asyncio.StreamReader) -> RawResponse:
    """The next answer on the connection."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _TIMEOUT_S)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), _TIMEOUT_S)
    else:
        body = await asyncio.wait_for(reader.read(), _TIMEOUT_S)
    return RawResponse(status, headers, body)
