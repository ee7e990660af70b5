"""The gateway's settings (TORII_ environment variables)."""

from __future__ import annotations

import ipaddress

from pydantic import Field, field_validator

from services.gateway.nnc.limits import DEFAULT_MAX_PIXELS
from services.runtime.settings import CommonSettings


class GatewaySettings(CommonSettings):
    gateway_port: int = Field(default=8080, ge=0, le=65535)
    """HTTP port; 0 picks a free one."""

    gateway_host: str = ""
    """Address the gateway's public HTTP port binds to (TORII_GATEWAY_HOST), e.g. 0.0.0.0 to serve
    other machines; empty: TORII_HOST. The gRPC services stay on TORII_HOST, the internal one."""

    gateway_reuse_port: bool = False
    """Listen with SO_REUSEPORT, so several gateway processes share the port (the launcher sets it
    for TORII_GATEWAY_WORKERS > 1); the kernel spreads connections across them."""

    max_upload_bytes: int = Field(default=256 * 1024 * 1024, gt=0)
    """Largest model file a single upload may carry; a larger one is refused with 413 and not kept."""

    max_json_bytes: int = Field(default=1024 * 1024, gt=0)
    """Largest JSON request body (and largest non-file form field) the management API reads."""

    max_inference_bytes: int = Field(default=32 * 1024 * 1024, gt=0)
    """Largest inference request body (base64 images, DICOM and wav files inside JSON)."""

    max_image_pixels: int = Field(default=DEFAULT_MAX_PIXELS, gt=0)
    """Most pixels (width x height) of an NNC image or DICOM input whose model input has a
    variable height or width; an input of a fixed size takes exactly that size. Checked from the
    file's header, before decoding."""

    max_large_bodies: int = Field(default=2, gt=0)
    """How many inference bodies over 64 KiB (or of unknown length) are read and parsed at once
    per gateway process; more wait up to the request's time limit, then get the contract's 503."""

    max_trial_reservations_in_flight: int = Field(default=64, gt=0)
    """How many trial APIs' quota reservations one gateway process has in flight to the registry at
    once; a burst past it waits (up to TORII_RPC_TIMEOUT_S), since the registry's gRPC server would
    drop calls past its own pending limit at random."""
    dataforest_gpu_models: list[str] = Field(default_factory=lambda: ["T4", "V100"], min_length=1)
    """GPU models a Data Forest workspace may ask for (TORII_DATAFOREST_GPU_MODELS, JSON); one that
    asks for none gets V100 where it is listed, else the first."""
    dataforest_max_cpu_count: int = Field(default=64, ge=1, le=2**31 - 1)
    """Most CPUs one workspace may ask for (the quota bounds what an account's hold together)."""
    dataforest_max_memory_mb: int = Field(default=1_048_576, ge=15_360, le=2**31 - 1)
    """Most memory one workspace may ask for, MiB (at least the contract's default, 15360)."""
    max_chat_admissions_in_flight: int = Field(default=64, gt=0)
    """The same bound for chat keys' admissions and settlements (ChatKeyService)."""

    sign_in_attempts_per_minute: int = Field(default=10, gt=0)
    """Most console sign-ins one address may try per minute (per gateway process); more are
    answered 429 before the registry's password hashing hears of them."""

    inference_timeout_s: float = Field(default=60.0, gt=0)
    """How long a dedicated API's inference may take; serverless APIs have the contract's 30 s."""

    chat_timeout_s: float = Field(default=600.0, gt=0)
    """Longest a chat completion may take, first token to last (a long answer on a CPU is minutes)."""

    chat_max_body_bytes: int = Field(default=2 * 1024 * 1024, gt=0)
    """Largest chat completion request body; its messages' text is bounded at 1 MB besides."""

    chat_max_completion_tokens: int = Field(default=32768, ge=1)
    """The most completion tokens one chat request may ask for; the model's context bounds it too."""

    usage_flush_interval_s: float = Field(default=2.0, gt=0)
    """How often the per-day request counts go to the registry in one batch."""

    usage_spool_max_batches: int = Field(default=100_000, gt=0)
    """Most batches of per-day counts kept on disk (<data_dir>/gateway/usage-spool) while the
    registry does not take them; past it, counts wait in memory."""

    trusted_proxies: list[str] = Field(default_factory=list)
    """CIDRs of reverse proxies whose X-Forwarded-For is believed for allowlists, as JSON
    (TORII_TRUSTED_PROXIES='["10.0.0.0/8"]'); empty: the TCP peer address decides."""

    public_base_url: str = ""
    """Scheme and host clients reach the gateway at, e.g. https://torii.example.com; empty derives
    it from each request's scheme and Host header."""

    trainer_address: str = "127.0.0.1:50053"
    """host:port of the trainer's gRPC server (Prediction One's training routes)."""

    url_signing_key: str = ""
    """Key of the signed upload and download URLs (Prediction One's upload-url, result_url); empty:
    a random key kept in <data_dir>/gateway/url_signing.key, shared by every gateway process."""

    signed_url_lifetime_s: float = Field(default=3600.0, gt=0)
    """How long a signed upload or download URL stays valid."""

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for cidr in value:
            ipaddress.ip_network(cidr, strict=False)
        return value

    @field_validator("public_base_url")
    @classmethod
    def _http_url_without_trailing_slash(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("public_base_url must start with http:// or https://")
        return value

    @property
    def gateway_bind_host(self) -> str:
        return self.gateway_host or self.host
