"""The scheduler's settings (TORII_ environment variables)."""

from __future__ import annotations

from pydantic import Field

from services.runtime.settings import CommonSettings


class SchedulerSettings(CommonSettings):
    scheduler_port: int = Field(default=50052, ge=0, le=65535)
    """gRPC port (TORII_SCHEDULER_PORT); 0 picks a free one."""
