"""Who is calling (TCP peer, trusted proxies) and the Triton names the scheduler and gateway share."""

from __future__ import annotations

import ipaddress
from types import SimpleNamespace

import pytest
from multidict import CIMultiDict

from services.gateway.http_base.peers import caller_address
from services.policy.triton_names import parse_triton_model_name, triton_model_name

PROXIES = (ipaddress.ip_network("10.0.0.0/8"),)


def request(peer: str, forwarded: list[str] | None = None):
    headers = CIMultiDict()
    for line in forwarded or []:
        headers.add("X-Forwarded-For", line)
    transport = SimpleNamespace(get_extra_info=lambda name: (peer, 5555) if name == "peername" else None)
    return SimpleNamespace(transport=transport, headers=headers)


@pytest.mark.parametrize(
    ("peer", "forwarded", "proxies", "expected"),
    [
        ("203.0.113.5", ["198.51.100.1"], (), "203.0.113.5"),
        ("203.0.113.5", ["198.51.100.1"], PROXIES, "203.0.113.5"),
        ("10.0.0.2", ["198.51.100.1"], PROXIES, "198.51.100.1"),
        ("10.0.0.2", ["6.6.6.6, 198.51.100.1, 10.0.0.3"], PROXIES, "198.51.100.1"),
        ("10.0.0.2", ["6.6.6.6", "198.51.100.1"], PROXIES, "198.51.100.1"),
        ("10.0.0.2", [], PROXIES, "10.0.0.2"),
    ],
)
def test_forwarded_for_is_believed_only_from_trusted_proxies(peer, forwarded, proxies, expected):
    assert caller_address(request(peer, forwarded), proxies) == expected


def test_triton_names_round_trip():
    api_id, version_id = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
    assert parse_triton_model_name(triton_model_name(api_id, version_id)) == (api_id, version_id)
    assert parse_triton_model_name("someone_elses_model") is None
