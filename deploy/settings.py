"""The launcher's settings: TORII_* environment variables, plus DATABASE_URL."""

from __future__ import annotations

from typing import Literal

from pydantic import AliasChoices, Field

from services.runtime.settings import CommonSettings


class LauncherSettings(CommonSettings):
    """Everything `python -m deploy.launcher` reads; it hands the relevant part to each service."""

    database_url: str = Field(
        default="", validation_alias=AliasChoices("TORII_DATABASE_URL", "DATABASE_URL", "database_url")
    )
    """PostgreSQL DSN (DATABASE_URL or TORII_DATABASE_URL); empty runs an embedded one in <data_dir>/postgres."""

    gateway_host: str = ""
    """Address the gateway's public HTTP port binds to (TORII_GATEWAY_HOST); empty: TORII_HOST,
    which the internal gRPC ports keep."""

    gateway_port: int = Field(default=8080, ge=1, le=65535)
    """HTTP port of the gateway (TORII_GATEWAY_PORT)."""

    registry_port: int = Field(default=50051, ge=1, le=65535)
    """gRPC port of the registry (TORII_REGISTRY_PORT)."""

    scheduler_port: int = Field(default=50052, ge=1, le=65535)
    """gRPC port of the scheduler (TORII_SCHEDULER_PORT)."""

    trainer_port: int = Field(default=50053, ge=1, le=65535)
    """gRPC port of the trainer (TORII_TRAINER_PORT)."""

    gateway_workers: int = Field(default=1, ge=1, le=64)
    """Gateway processes sharing TORII_GATEWAY_PORT (SO_REUSEPORT), each on a core of its own
    (TORII_GATEWAY_WORKERS): one Python process serves about one core's worth of inference."""

    triton_mode: Literal["local", "remote"] = "local"
    """Read by the scheduler too (TORII_TRITON_MODE): local runs the wheel's tritonserver."""

    ready_timeout_s: float = Field(default=60.0, gt=0)
    """How long every service together may take to answer its health check at start (TORII_READY_TIMEOUT_S)."""

    default_chat_model: bool = True
    """Serve SmolLM2-135M-Instruct as a chat API in the default account, with a fresh key printed
    at every start (TORII_DEFAULT_CHAT_MODEL; false: no chat model unless one is published)."""

    workspace_runner: Literal["none", "podman", "kubernetes"] = "podman"
    """What runs Data Forest workspaces (TORII_WORKSPACE_RUNNER, read by the scheduler): podman on
    this host by default. With podman and no image list of the operator's (TORII_DATAFOREST_IMAGES),
    the start builds the default image torii-python:3.11 once (Debian with Python, offline) and
    lists it."""

    chat_ready_timeout_s: float = Field(default=180.0, gt=0)
    """How long the start waits for the default chat API to be loaded (TORII_CHAT_READY_TIMEOUT_S)."""

    max_restarts_per_minute: int = Field(default=5, ge=1)
    """Most restarts of one exited service in any 60 s; more wait (TORII_MAX_RESTARTS_PER_MINUTE)."""
