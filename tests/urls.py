"""URLs the services answer with, as paths for the aiohttp test client (which adds its own host)."""

from __future__ import annotations


def path_of(url: str) -> str:
    """`http://host:port/a/b?c` → `/a/b?c`."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]
