"""Settings common to every service, read from TORII_* environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class CommonSettings(BaseSettings):
    """Settings each service inherits; a service's own class adds its fields."""

    model_config = SettingsConfigDict(env_prefix="TORII_", extra="ignore")

    host: str = "127.0.0.1"
    """Address the service binds to."""

    data_dir: Path = Path(".data")
    """Folder for everything Torii keeps on disk: the embedded database, artifacts, Triton's model repository."""

    log_level: str = "info"
    """Lowest level written to the JSON log: debug, info, warning or error."""

    shutdown_grace_s: float = Field(default=10.0, gt=0)
    """On SIGTERM/SIGINT, how long in-flight calls may finish before they are cancelled."""

    rpc_timeout_s: float = Field(default=10.0, gt=0)
    """Deadline of every unary gRPC call a service makes to another."""

    registry_address: str = "127.0.0.1:50051"
    """host:port of the registry service's gRPC server."""

    triton_addresses: list[str] = Field(default_factory=lambda: ["127.0.0.1:8001"])
    """host:port of each Triton gRPC endpoint, as JSON (TORII_TRITON_ADDRESSES='["h:8001"]').
    Every API is loaded on each of them and the gateway spreads requests across them."""

    dataforest_images: dict[str, list[str]] = Field(default_factory=dict)
    """The Data Forest contract's image list (TORII_DATAFOREST_IMAGES, JSON): type name → images,
    e.g. {"pytorch": ["pytorch:2.4-py3"]}. The gateway's getDockerImageList shows it and the
    scheduler's workspace runner runs only these (locally `name:tag` is podman's localhost/name:tag)."""

    service_token: SecretStr = SecretStr("")
    """The deployment's service token (TORII_SERVICE_TOKEN, at least 32 characters): every internal
    gRPC call carries it and every service refuses calls without it, health and reflection aside.
    The launcher makes a new one at each start and writes it to <data_dir>/service-token."""
