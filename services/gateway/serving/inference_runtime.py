"""What the inference routes of every contract keep for the application's lifetime."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from services.gateway.serving.bounded_work import BoundedWork, cpu_count
from services.gateway.serving.catalog import ApiCatalog
from services.gateway.serving.chat_admissions import ChatAdmissions
from services.gateway.serving.decoder_processes import DecoderProcesses
from services.gateway.serving.trial_quota import TrialQuota
from services.gateway.serving.triton_pool import TritonPool
from services.gateway.serving.usage import UsageRecorder
from services.policy.access import Network


@dataclass
class InferenceRuntime:
    catalog: ApiCatalog
    triton: TritonPool
    usage: UsageRecorder
    trial_quota: TrialQuota
    chat_admissions: ChatAdmissions
    trusted_proxies: tuple[Network, ...]
    max_body_bytes: int
    dedicated_timeout_s: float
    max_image_pixels: int
    # Large bodies being read and parsed (http_base.inference_bodies), and files being decoded: each a bound
    # shared by every request, so that no client's burst takes all the cores or the memory.
    large_bodies: BoundedWork = field(default_factory=lambda: BoundedWork(2))
    decoding: BoundedWork = field(default_factory=lambda: BoundedWork(cpu_count()))
    # Large bodies are parsed and decoded here, off the gateway's interpreter; one core stays
    # the event loop's.
    decoder_processes: DecoderProcesses = field(default_factory=lambda: DecoderProcesses(max(1, cpu_count() - 1)))
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
