"""An answer never shows where the platform's services run: a registry that cannot be reached
gives a plain reason (and the log the gRPC details), not gRPC's text with the peer's address."""

from __future__ import annotations

from tests.gateway.helpers import error_of

INTERNAL_TEXT = ("127.0.0.1:", "ipv4:", "ipv6:", "failed to connect", "debug_error_string")


def _assert_plain(message: str) -> None:
    for text in INTERNAL_TEXT:
        assert text not in message, message


async def test_readyz_without_a_registry_gives_a_plain_reason(start_gateway, unused_tcp_port):
    gateway = await start_gateway(registry_address=f"127.0.0.1:{unused_tcp_port}")
    message = await error_of(await gateway.client.get("/readyz"), 503, "UNAVAILABLE")
    assert message == "the registry does not answer (UNAVAILABLE)"


async def test_a_management_call_without_a_registry_gives_a_plain_reason(start_gateway, unused_tcp_port):
    gateway = await start_gateway(registry_address=f"127.0.0.1:{unused_tcp_port}", rpc_timeout_s=2)
    response = await gateway.client.get("/manage/v1/apis", headers=gateway.admin)
    message = await error_of(response, 503, "UNAVAILABLE")
    _assert_plain(message)
    assert message == "a Torii service is unavailable; retry shortly"
