"""Whether one chat request may run now, under its key's limits: decided under the lock of the key,
from the state of its bucket (the key and the project the request counts in).

Requests per minute and tokens per minute are sliding windows of 60 seconds. Tokens count at
admission as the prompt's bound plus the completion's cap (a reservation), and as the real counts
once the request is finished, so a window never holds more tokens than the limit allows and gives
back what was not generated. Budgets (per UTC day and month) are checked first: waiting a minute
does not bring them back, so they are refused without a time to retry (402, not 429).

A request without a cap of its own, under a token limit, gets as cap what the tightest limit
leaves (at most the gateway's default): it is admitted whenever one token fits.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from services.registry.domain.chat_key_types import (
    Admission,
    AdmissionRefusal,
    BucketState,
    ChatAsk,
    ChatKey,
    ChatKeyLimits,
    RateState,
    WindowEntry,
)

WINDOW = timedelta(seconds=60)
IN_FLIGHT_RETRY_MS = 1000
"""A request in flight ends at an unknown time: ask for a short wait."""


def bucket_of(key: ChatKey, asked_project: str) -> str | None:
    """The bucket a request counts in: the project it names if the key is allowed it, the key's
    default if it names none; None when the key may not use the project it names."""
    if not asked_project:
        return key.default_project
    return asked_project if asked_project in key.projects else None


def decide(limits: ChatKeyLimits, ask: ChatAsk, state: BucketState, project: str) -> Admission:
    window_tokens = sum(entry.tokens for entry in state.window)

    def refused(refusal: AdmissionRefusal, retry_after_ms: int) -> Admission:
        rate = _rate(limits, state, len(state.window), window_tokens, newest=_newest(state))
        return Admission(False, project, refusal=refusal, retry_after_ms=retry_after_ms, rate=rate)

    if limits.max_in_flight and state.in_flight >= limits.max_in_flight:
        return refused(AdmissionRefusal.IN_FLIGHT, IN_FLIGHT_RETRY_MS)
    rpm = limits.requests_per_minute
    if rpm and len(state.window) >= rpm:
        # Once the request rpm places from the newest leaves the window, one more fits.
        blocking = state.window[len(state.window) - rpm]
        return refused(AdmissionRefusal.REQUESTS_PER_MINUTE, _ms_until(blocking.admitted_at + WINDOW, state.now))

    asked = ask.max_completion_tokens
    prompt = ask.prompt_tokens_bound
    smallest = prompt + (asked or 1)
    rooms: list[int] = []
    for budget, spent, refusal in (
        (limits.tokens_per_day, state.day_tokens, AdmissionRefusal.DAILY_BUDGET),
        (limits.tokens_per_month, state.month_tokens, AdmissionRefusal.MONTHLY_BUDGET),
    ):
        if budget:
            if smallest > budget - spent:
                return refused(refusal, 0)
            rooms.append(budget - spent)
    tpm = limits.tokens_per_minute
    if tpm:
        if smallest > tpm:
            return refused(AdmissionRefusal.TOKENS_PER_MINUTE, 0)
        if smallest > tpm - window_tokens:
            wait = _ms_until_tokens_free(state.window, window_tokens + smallest - tpm, state.now)
            return refused(AdmissionRefusal.TOKENS_PER_MINUTE, wait)
        rooms.append(tpm - window_tokens)

    if rooms and not asked:
        cap = min(ask.default_completion_tokens, min(rooms) - prompt)
    else:
        cap = asked
    reserved = prompt + cap
    rate = _rate(limits, state, len(state.window) + 1, window_tokens + reserved, newest=state.now)
    return Admission(True, project, max_completion_tokens=cap, reserved_tokens=reserved, rate=rate)


def _newest(state: BucketState) -> datetime | None:
    return state.window[-1].admitted_at if state.window else None


def _rate(limits: ChatKeyLimits, state: BucketState, requests: int, tokens: int, newest: datetime | None) -> RateState:
    reset_ms = _ms_until(newest + WINDOW, state.now) if newest is not None else 0
    rpm, tpm = limits.requests_per_minute, limits.tokens_per_minute
    return RateState(
        limit_requests=rpm,
        remaining_requests=max(rpm - requests, 0) if rpm else 0,
        reset_requests_ms=reset_ms if rpm else 0,
        limit_tokens=tpm,
        remaining_tokens=max(tpm - tokens, 0) if tpm else 0,
        reset_tokens_ms=reset_ms if tpm else 0,
    )


def _ms_until_tokens_free(window: tuple[WindowEntry, ...], excess: int, now: datetime) -> int:
    """When enough of the oldest requests have left the window to free `excess` tokens."""
    freed = 0
    for entry in window:
        freed += entry.tokens
        if freed >= excess:
            return _ms_until(entry.admitted_at + WINDOW, now)
    return _ms_until(now + WINDOW, now)


def _ms_until(moment: datetime, now: datetime) -> int:
    return max(math.ceil((moment - now).total_seconds() * 1000), 1)
