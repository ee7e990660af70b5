"""Sign-ins per address and minute: a flood from one address is answered 429 before the registry
hashes its passwords, and other addresses still sign in."""

from __future__ import annotations

from tests.gateway.helpers import error_of

SESSION = "/manage/v1/session"
PASSWORD = "the admin's own password"


async def _sign_in(gateway, password: str, address: str):
    return await gateway.client.post(
        SESSION,
        json={"user_name": "someone", "password": password},
        headers={"X-Forwarded-For": address},
    )


async def test_an_address_past_its_attempts_is_refused_until_its_minute_passes(start_gateway):
    gateway = await start_gateway(sign_in_attempts_per_minute=3, trusted_proxies=["127.0.0.1/32"])
    for _ in range(3):
        await error_of(await _sign_in(gateway, "wrong", "203.0.113.7"), 401, "UNAUTHENTICATED")

    refused = await _sign_in(gateway, "wrong", "203.0.113.7")
    assert "at most 3 a minute" in await error_of(refused, 429, "RESOURCE_EXHAUSTED")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60

    # Another address is counted on its own: it reaches the registry, which answers for the password.
    await error_of(await _sign_in(gateway, "wrong", "198.51.100.9"), 401, "UNAUTHENTICATED")


async def test_the_limit_counts_the_tcp_peer_when_no_proxy_is_trusted(start_gateway):
    gateway = await start_gateway(sign_in_attempts_per_minute=2)
    for forged in ("192.0.2.1", "192.0.2.2"):
        await error_of(await _sign_in(gateway, "wrong", forged), 401, "UNAUTHENTICATED")
    # A forged X-Forwarded-For does not buy new attempts: the peer, 127.0.0.1, has used its two.
    await error_of(await _sign_in(gateway, "wrong", "192.0.2.3"), 429, "RESOURCE_EXHAUSTED")
