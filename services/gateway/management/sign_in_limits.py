"""How many sign-ins one address may try per minute.

Every sign-in is checked with argon2id in the registry, whose hashing slots all users share: one
address sending passwords as fast as it can would queue every other user's sign-in behind its
own. Past the limit an address is answered 429 with Retry-After, before the registry hears of it.
The account lockout (5 failures in 15 minutes, registry side) guards each account; this guards the
hashing slots. `limits`' moving window, in memory: each gateway process counts its own callers.
"""

from __future__ import annotations

import math
import time

import grpc
from aiohttp import web
from limits import RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from services.gateway.errors import GatewayError

_NAMESPACE = "sign-in"


class SignInLimits:
    def __init__(self, attempts_per_minute: int) -> None:
        self._item = RateLimitItemPerMinute(attempts_per_minute)
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    async def admit(self, address: str) -> None:
        """Count one attempt from `address`; GatewayError 429 past the limit (not counted then)."""
        if await self._limiter.hit(self._item, _NAMESPACE, address):
            return
        stats = await self._limiter.get_window_stats(self._item, _NAMESPACE, address)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise GatewayError(
            429,
            grpc.StatusCode.RESOURCE_EXHAUSTED.name,
            f"too many sign-in attempts from this address (at most {self._item.amount} a minute); "
            f"try again in {retry_after} s",
            {"Retry-After": str(retry_after)},
        )


SIGN_IN_LIMITS = web.AppKey("sign_in_limits", SignInLimits)
