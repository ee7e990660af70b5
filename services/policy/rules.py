"""CIDR access rules as users give them: parsing and validation (services.policy.access decides).

The registry checks every rule it stores; a gateway checks them too before a request that would
change anything else first (a Prediction One PATCH that unlocks and replaces rules at once).
"""

from __future__ import annotations

import ipaddress

from services.policy.access import AccessRule, Network, RuleAction
from services.runtime.errors import InvalidArgument

_IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")


def parse_network(text: str) -> Network:
    """'10.0.0.0/8', '2001:db8::/32', or a bare address (a /32 or /128). An IPv4-mapped IPv6
    network (::ffff:10.0.0.0/104) becomes the IPv4 network it maps (10.0.0.0/8): callers' mapped
    addresses are compared as IPv4, so the mapped form would otherwise never match."""
    text = (text or "").strip()
    if not text:
        raise InvalidArgument("cidr is required, e.g. 203.0.113.0/24 or 0.0.0.0/0")
    try:
        return _unmapped(ipaddress.ip_network(text, strict=True))
    except ValueError:
        pass
    try:
        loose = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise InvalidArgument(f"{text!r} is not a valid IPv4 or IPv6 CIDR, e.g. 203.0.113.0/24") from None
    raise InvalidArgument(f"{text!r} has host bits set; did you mean {loose}?")


def _unmapped(network: Network) -> Network:
    if isinstance(network, ipaddress.IPv6Network) and network.prefixlen >= 96 and network.subnet_of(_IPV4_MAPPED):
        mapped = network.network_address.ipv4_mapped
        return ipaddress.ip_network(f"{mapped}/{network.prefixlen - 96}")
    return network


def make_rule(cidr: str, action: str | RuleAction = RuleAction.ALLOW, priority: int = 0) -> AccessRule:
    try:
        action = RuleAction(action or RuleAction.ALLOW)
    except ValueError:
        raise InvalidArgument(f"rule action must be 'allow' or 'deny', not {action!r}") from None
    if not -1_000_000 <= priority <= 1_000_000:
        raise InvalidArgument("rule priority must be between -1000000 and 1000000")
    return AccessRule(parse_network(cidr), action, priority)


def distinct_rules(rules: tuple[AccessRule, ...]) -> tuple[AccessRule, ...]:
    """A rule list as given, refused when two rules name the same network."""
    seen: set[Network] = set()
    for rule in rules:
        if rule.network in seen:
            raise InvalidArgument(f"{rule.network} appears in two rules; give each network one rule")
        seen.add(rule.network)
    return rules
