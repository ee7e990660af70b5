"""The trainer's settings (TORII_ environment variables)."""

from __future__ import annotations

from pydantic import Field

from services.runtime.settings import CommonSettings


class TrainerSettings(CommonSettings):
    trainer_port: int = Field(default=50053, ge=0, le=65535)
    """gRPC port (TORII_TRAINER_PORT); 0 picks a free one."""
