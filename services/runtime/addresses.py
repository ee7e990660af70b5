"""host:port strings as settings give them ("127.0.0.1:8001", "[::1]:8001")."""

from __future__ import annotations


def host_and_port(address: str) -> tuple[str, int]:
    """("127.0.0.1", 8001) from "127.0.0.1:8001"; an IPv6 host loses its brackets."""
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)
