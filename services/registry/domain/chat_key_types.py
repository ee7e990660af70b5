"""Chat keys (the OpenAI contract's virtual keys) and what an admission decides about a request."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


@dataclass(frozen=True)
class ChatKeyLimits:
    """What a key may use in each of its projects; 0 is no limit."""

    requests_per_minute: int = 0
    tokens_per_minute: int = 0
    max_in_flight: int = 0
    tokens_per_day: int = 0
    tokens_per_month: int = 0

    @property
    def limits_tokens(self) -> bool:
        return bool(self.tokens_per_minute or self.tokens_per_day or self.tokens_per_month)


@dataclass(frozen=True)
class ChatKey:
    key_id: str
    account_id: str
    name: str
    api_ids: tuple[str, ...]
    limits: ChatKeyLimits
    projects: tuple[str, ...]
    default_project: str
    created_at: datetime
    expires_at: datetime | None = None
    rotated_at: datetime | None = None


@dataclass(frozen=True)
class ChatKeyChanges:
    """What an update replaces; None leaves it as it is."""

    name: str | None = None
    api_ids: tuple[str, ...] | None = None
    limits: ChatKeyLimits | None = None
    projects: tuple[str, ...] | None = None
    default_project: str = ""


class AdmissionRefusal(Enum):
    KEY_REFUSED = "key_refused"
    PROJECT_REFUSED = "project_refused"
    REQUESTS_PER_MINUTE = "requests_per_minute"
    TOKENS_PER_MINUTE = "tokens_per_minute"
    IN_FLIGHT = "in_flight"
    DAILY_BUDGET = "daily_budget"
    MONTHLY_BUDGET = "monthly_budget"


@dataclass(frozen=True)
class ChatAsk:
    """One request, as the gateway describes it before it reaches the engine."""

    key_id: str
    api_id: str
    project: str
    prompt_tokens_bound: int
    max_completion_tokens: int
    """0: the client set no cap."""
    default_completion_tokens: int
    lease_seconds: int


@dataclass(frozen=True)
class WindowEntry:
    """A request admitted in the bucket's last 60 seconds, with its tokens (reserved or used)."""

    admitted_at: datetime
    tokens: int


@dataclass(frozen=True)
class BucketState:
    """A bucket (key and project) as it stands at the moment of a decision, read under its lock."""

    now: datetime
    window: tuple[WindowEntry, ...]
    """Oldest first."""
    in_flight: int
    day_tokens: int
    month_tokens: int


@dataclass(frozen=True)
class RateState:
    """The per-minute limits after the decision, for the x-ratelimit-* headers; 0: no such limit."""

    limit_requests: int = 0
    remaining_requests: int = 0
    reset_requests_ms: int = 0
    limit_tokens: int = 0
    remaining_tokens: int = 0
    reset_tokens_ms: int = 0


@dataclass(frozen=True)
class Admission:
    admitted: bool
    project: str
    max_completion_tokens: int = 0
    """Admitted: the cap to give the engine; 0 leaves the request as it is (no cap, no token limit)."""
    reserved_tokens: int = 0
    refusal: AdmissionRefusal | None = None
    retry_after_ms: int = 0
    """Refused: when waiting may help; 0: waiting will not."""
    rate: RateState = field(default_factory=RateState)
    lease_id: str = ""
