import itertools

import pytest

from tests.polling import eventually, eventually_blocking


async def test_eventually_returns_the_first_accepted_answer_of_a_sync_or_async_probe():
    counter = itertools.count()
    assert await eventually(lambda: next(counter), lambda n: n >= 3, interval_s=0) == 3

    async def later() -> int:
        return next(counter)

    assert await eventually(later, lambda n: n >= 6, interval_s=0) == 6


async def test_eventually_fails_with_the_last_answer_seen():
    with pytest.raises(AssertionError, match="the API's status did not hold within 0.05 s; last seen: 'building'"):
        await eventually(lambda: "building", lambda s: s == "running", timeout_s=0.05, what="the API's status")


def test_eventually_blocking_waits_without_a_loop():
    counter = itertools.count()
    assert eventually_blocking(lambda: next(counter), lambda n: n == 2, interval_s=0) == 2
    with pytest.raises(AssertionError, match="last seen: False"):
        eventually_blocking(lambda: False, timeout_s=0.02)
