"""CIDR access rules and the decision whether an address may call an API.

The registry validates and stores rules; the gateway applies them on every request, so the
decision lives here, once.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

_ALL_IPV4 = ipaddress.ip_network("0.0.0.0/0")


class RuleAction(StrEnum):
    ALLOW = "allow"
    DENY = "deny"


@dataclass(frozen=True)
class AccessRule:
    network: Network
    action: RuleAction = RuleAction.ALLOW
    priority: int = 0


ALLOW_ALL = (AccessRule(_ALL_IPV4),)


def _holds(network: Network, address: Address) -> bool:
    if network == _ALL_IPV4:
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return network.version == address.version and address in network


@functools.lru_cache(maxsize=4096)
def parse_address(text: str) -> Address | None:
    """An IPv4 or IPv6 address (a zone suffix is ignored), or None when text is not one.
    Cached: the gateway parses its callers' addresses on every request, and they repeat."""
    try:
        return ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None


def decision_order(rules: Iterable[AccessRule]) -> tuple[AccessRule, ...]:
    """Ascending priority, the more specific network first on a tie."""
    return tuple(sorted(rules, key=lambda rule: (rule.priority, -rule.network.prefixlen)))


def is_allowed(rules: Iterable[AccessRule], address: str, *, ordered: bool = False) -> bool:
    """The first rule in decision order whose network holds the address decides; no match refuses.
    0.0.0.0/0 holds every address, IPv6 included. Pass ordered=True for rules already in
    decision_order(), as the gateway keeps them."""
    parsed = parse_address(address)
    if parsed is None:
        return False
    for rule in rules if ordered else decision_order(rules):
        if _holds(rule.network, parsed):
            return rule.action is RuleAction.ALLOW
    return False
