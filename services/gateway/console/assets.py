"""The console's static files, read once into an allow-list: a request names one of them or none.

Nothing under the static folder is looked up from a request's path, so no path can reach a file
outside it. Every file is revalidated on each use (Cache-Control: no-cache) against a strong ETag
of its content: the ES modules import each other by plain relative names, which content-hashed
URLs would have to rewrite, and the whole console is a few hundred kilobytes served locally.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
INDEX = "index.html"

_MEDIA_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".css": "text/css",
    ".md": "text/plain",
    ".txt": "text/plain",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
_TEXT = ("text/", "image/svg+xml")


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    charset: str | None
    etag: str
    """A strong validator: the first 128 bits of the content's SHA-256, quoted."""


def _load(path: Path) -> Asset:
    body = path.read_bytes()
    content_type = _MEDIA_TYPES.get(path.suffix, "application/octet-stream")
    charset = "utf-8" if content_type.startswith(_TEXT) else None
    return Asset(body, content_type, charset, f'"{hashlib.sha256(body).hexdigest()[:32]}"')


def load_assets(folder: Path) -> dict[str, Asset]:
    """Every file under folder by its relative POSIX path; the page itself is served at /console/."""
    return {
        path.relative_to(folder).as_posix(): _load(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != INDEX and "__pycache__" not in path.parts
    }


ASSETS: dict[str, Asset] = load_assets(STATIC_DIR)
PAGE: Asset = _load(STATIC_DIR / INDEX)
