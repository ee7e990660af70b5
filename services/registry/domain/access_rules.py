"""CIDR access rules: parsing them and deciding whether an address may call an API."""

from __future__ import annotations

import ipaddress

from services.registry.domain.types import AccessRule, Network, RuleAction
from services.runtime.errors import InvalidArgument

_ALL_IPV4 = ipaddress.ip_network("0.0.0.0/0")


def parse_network(text: str) -> Network:
    """'10.0.0.0/8', '2001:db8::/32', or a bare address (a /32 or /128)."""
    text = (text or "").strip()
    if not text:
        raise InvalidArgument("cidr is required, e.g. 203.0.113.0/24 or 0.0.0.0/0")
    try:
        return ipaddress.ip_network(text, strict=True)
    except ValueError:
        pass
    try:
        loose = ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise InvalidArgument(f"{text!r} is not a valid IPv4 or IPv6 CIDR, e.g. 203.0.113.0/24") from None
    raise InvalidArgument(f"{text!r} has host bits set; did you mean {loose}?")


def make_rule(cidr: str, action: str | RuleAction = RuleAction.ALLOW, priority: int = 0) -> AccessRule:
    try:
        action = RuleAction(action or RuleAction.ALLOW)
    except ValueError:
        raise InvalidArgument(f"rule action must be 'allow' or 'deny', not {action!r}") from None
    if not -1_000_000 <= priority <= 1_000_000:
        raise InvalidArgument("rule priority must be between -1000000 and 1000000")
    return AccessRule(parse_network(cidr), action, priority)


def _holds(network: Network, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if network == _ALL_IPV4:
        return True
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return network.version == address.version and address in network


def is_allowed(rules: tuple[AccessRule, ...] | list[AccessRule], address: str) -> bool:
    """The first rule by ascending priority (more specific first on a tie) whose network holds the
    address decides; no match refuses. 0.0.0.0/0 holds every address, IPv6 included."""
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    ordered = sorted(rules, key=lambda rule: (rule.priority, -rule.network.prefixlen))
    for rule in ordered:
        if _holds(rule.network, parsed):
            return rule.action is RuleAction.ALLOW
    return False
