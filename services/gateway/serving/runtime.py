"""What the inference routes of every contract keep for the application's lifetime."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from aiohttp import web

from services.gateway.serving.catalog import ApiCatalog
from services.gateway.serving.triton_pool import TritonPool
from services.gateway.serving.usage import UsageRecorder
from services.policy.access import Network


@dataclass
class InferenceRuntime:
    catalog: ApiCatalog
    triton: TritonPool
    usage: UsageRecorder
    trusted_proxies: tuple[Network, ...]
    max_body_bytes: int
    dedicated_timeout_s: float
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)


RUNTIME = web.AppKey("inference_runtime", InferenceRuntime)
