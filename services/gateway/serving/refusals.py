"""Why an inference is refused, whatever its contract; each contract's adapter words each
`Refusal` in its own error table."""

from __future__ import annotations

import enum


class Refusal(enum.Enum):
    ADDRESS_REFUSED = "address_refused"
    INVALID_KEY = "invalid_key"
    # A valid key of another API than the one at the URL called.
    KEY_OF_ANOTHER_API = "key_of_another_api"
    NOT_PUBLIC = "not_public"
    STOPPED = "stopped"
    OUTSIDE_SCHEDULE = "outside_schedule"
    DEPLOY_FAILED = "deploy_failed"
    NOT_READY = "not_ready"
    QUOTA_USED_UP = "quota_used_up"
    BACKEND_UNAVAILABLE = "backend_unavailable"
    TIMED_OUT = "timed_out"
    MODEL_FAILURE = "model_failure"


class Refused(Exception):
    def __init__(self, refusal: Refusal, detail: str = "") -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.detail = detail


# Refusals after a trial reservation that are the platform's doing, not the caller's: the caller
# gets no answer, so its reservation goes back to the quota.
PLATFORM_FAILURES = frozenset(
    {Refusal.BACKEND_UNAVAILABLE, Refusal.TIMED_OUT, Refusal.NOT_READY, Refusal.MODEL_FAILURE}
)
