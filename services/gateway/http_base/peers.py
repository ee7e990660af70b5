"""The caller's address for allowlists: the TCP peer, or what trusted proxies say it is.

X-Forwarded-For is believed only from a configured proxy; each proxy appends the address it saw,
so the list is read from the right, past every trusted proxy, to the first address no trusted
party vouches for. Anything else could be typed by the caller.
"""

from __future__ import annotations

from aiohttp import web

from services.policy.access import Network, parse_address


def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    parsed = parse_address(address)
    if parsed is None:
        return False
    if parsed.version == 6 and parsed.ipv4_mapped is not None:
        parsed = parsed.ipv4_mapped
    return any(parsed.version == proxy.version and parsed in proxy for proxy in proxies)


def caller_address(request: web.Request, trusted_proxies: tuple[Network, ...]) -> str:
    peer = request.transport.get_extra_info("peername") if request.transport else None
    address = str(peer[0]) if peer else ""
    if not trusted_proxies or not _trusted(address, trusted_proxies):
        return address
    hops = [hop.strip() for line in request.headers.getall("X-Forwarded-For", []) for hop in line.split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _trusted(hop, trusted_proxies):
            return hop
        address = hop
    return address
