"""A Data Forest client that signs as NCP's samples do (hmac, hashlib, base64 over the raw request
target), and a fixture with an access key of the default account on a real gateway and registry."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest

IMAGES = {"pytorch": ["pytorch:2.4-py3"], "python": ["torii-python:3.11"]}


def _signature(secret: str, method: str, target: str, timestamp: str, access_key: str) -> str:
    message = f"{method} {target}\n{timestamp}\n{access_key}"
    return base64.b64encode(hmac.new(secret.encode(), message.encode(), hashlib.sha256).digest()).decode()


class NcpClient:
    def __init__(self, gateway, access_key: str, secret: str) -> None:
        self.gateway = gateway
        self.access_key = access_key
        self.secret = secret

    def headers(self, target: str, *, skew_ms: int = 0, version: str = "v2", secret: str | None = None) -> dict:
        timestamp = str(time.time_ns() // 1_000_000 + skew_ms)
        return {
            "x-ncp-apigw-timestamp": timestamp,
            "x-ncp-iam-access-key": self.access_key,
            f"x-ncp-apigw-signature-{version}": _signature(
                secret or self.secret, "POST", target, timestamp, self.access_key
            ),
        }

    async def post(self, target: str, body=None, *, xml: bool = False, extra: dict | None = None, **signing):
        headers = {**self.headers(target, **signing), **(extra or {})}
        if xml:
            headers |= {"Content-Type": "application/xml", "Accept": "application/xml"}
            return await self.gateway.client.post(target, data=body or b"", headers=headers)
        return await self.gateway.client.post(target, json=body if body is not None else {}, headers=headers)


@pytest.fixture
async def ncp(start_gateway):
    """A signing client with a fresh access key of the default account."""
    gateway = await start_gateway(dataforest_images=IMAGES)
    response = await gateway.client.post("/manage/v1/ncp-keys", json={}, headers=gateway.admin)
    created = await response.json()
    assert response.status == 201, created
    return NcpClient(gateway, created["ncp_key"]["access_key"], created["secret_key"])
