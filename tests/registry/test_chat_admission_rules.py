"""The admission rules of chat keys, decided on a bucket's state without a database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.registry.domain.chat_admission import bucket_of, decide
from services.registry.domain.chat_key_types import (
    AdmissionRefusal,
    BucketState,
    ChatAsk,
    ChatKey,
    ChatKeyLimits,
    WindowEntry,
)

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def _ask(prompt: int = 10, cap: int = 0, default: int = 1000) -> ChatAsk:
    return ChatAsk("k", "a", "", prompt, cap, default, 600)


def _state(*window: tuple[float, int], in_flight: int = 0, day: int = 0, month: int = 0) -> BucketState:
    entries = tuple(WindowEntry(NOW - timedelta(seconds=age), tokens) for age, tokens in window)
    return BucketState(NOW, entries, in_flight, day, month)


def test_a_full_minute_asks_to_wait_until_its_oldest_blocking_request_leaves():
    limits = ChatKeyLimits(requests_per_minute=2)
    admission = decide(limits, _ask(), _state((50, 1), (20, 1), (5, 1)), "")
    assert admission.refusal is AdmissionRefusal.REQUESTS_PER_MINUTE
    # Three in the window, two allowed: one more fits once the two oldest have left; 20 s ago + 60 s.
    assert admission.retry_after_ms == 40_000
    assert (admission.rate.remaining_requests, admission.rate.reset_requests_ms) == (0, 55_000)


def test_tokens_per_minute_wait_for_enough_tokens_to_leave():
    limits = ChatKeyLimits(tokens_per_minute=100)
    admission = decide(limits, _ask(prompt=20, cap=30), _state((50, 10), (30, 70)), "")
    # 80 used, 50 needed, 30 too many: the oldest (10) leaving is not enough, the second is.
    assert admission.refusal is AdmissionRefusal.TOKENS_PER_MINUTE
    assert admission.retry_after_ms == 30_000


def test_a_month_spent_is_refused_even_when_the_day_has_room():
    limits = ChatKeyLimits(tokens_per_day=1000, tokens_per_month=5000)
    admission = decide(limits, _ask(), _state(day=100, month=4995), "")
    assert (admission.refusal, admission.retry_after_ms) == (AdmissionRefusal.MONTHLY_BUDGET, 0)


def test_without_a_cap_a_request_gets_what_the_tightest_limit_leaves():
    limits = ChatKeyLimits(tokens_per_minute=500, tokens_per_day=300)
    admission = decide(limits, _ask(prompt=50), _state((10, 100), day=200), "")
    assert admission.admitted
    assert (admission.max_completion_tokens, admission.reserved_tokens) == (50, 100)


def test_without_token_limits_the_cap_is_the_request_s_own():
    admission = decide(ChatKeyLimits(requests_per_minute=3), _ask(cap=0), _state(), "p")
    assert (admission.admitted, admission.max_completion_tokens, admission.project) == (True, 0, "p")
    assert (admission.rate.limit_requests, admission.rate.remaining_requests) == (3, 2)


def test_in_flight_is_checked_first():
    admission = decide(ChatKeyLimits(max_in_flight=1, tokens_per_day=1), _ask(), _state(in_flight=1), "")
    assert admission.refusal is AdmissionRefusal.IN_FLIGHT


def test_a_project_must_be_the_key_s():
    key = ChatKey("k", "acc", "n", ("a",), ChatKeyLimits(), ("team/a",), "team/a", NOW)
    assert bucket_of(key, "") == "team/a"
    assert bucket_of(key, "team/a") == "team/a"
    assert bucket_of(key, "team/b") is None
