"""Signed, expiring URLs: Prediction One's upload and download URLs carry no key, so the URL itself
is the permission. A URL names what it allows (an upload slot of a job, or an artifact) and its
expiry, and carries an HMAC-SHA256 of both under a key every gateway process shares."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from urllib.parse import quote, urlencode

KEY_BYTES = 32


def load_signing_key(configured: str, data_dir: Path) -> bytes:
    """The configured key, or one kept in the data directory (made once, shared by every worker)."""
    if configured:
        return configured.encode()
    path = data_dir / "gateway" / "url_signing.key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
    for _ in range(50):  # another worker may have created it and not yet written it
        key = path.read_bytes()
        if len(key) == KEY_BYTES:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} does not hold a {KEY_BYTES}-byte key")


class UrlSigner:
    def __init__(self, key: bytes, lifetime_s: float) -> None:
        self._key = key
        self.lifetime_s = lifetime_s

    def _signature(self, path: str, expires: int) -> str:
        return hmac.new(self._key, f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def sign(self, base_url: str, path: str, *, now: float | None = None) -> str:
        """base_url + path (percent-encoded) + expiry and signature; the signature covers the decoded path."""
        expires = int((time.time() if now is None else now) + self.lifetime_s)
        return f"{base_url}{quote(path, safe='/')}?{urlencode({'expires': expires, 'signature': self._signature(path, expires)})}"

    def verify(self, path: str, expires: str, signature: str, *, now: float | None = None) -> str | None:
        """None when the URL is good, else why not."""
        try:
            deadline = int(expires)
        except ValueError:
            return "the URL is not a signed URL"
        if not hmac.compare_digest(self._signature(path, deadline), signature):
            return "the URL's signature does not match"
        if (time.time() if now is None else now) > deadline:
            return "the URL has expired; ask for a new one"
        return None
