"""Signed, expiring URLs: Prediction One's upload and download URLs carry no key, so the URL itself
is the permission. A URL names what it allows (an upload slot of a job, or an artifact) and its
expiry, and carries an HMAC-SHA256 of both under a key every gateway process shares."""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from services.runtime.files import create_private_file, fsync_path, staged_private_file

KEY_BYTES = 32


def load_signing_key(configured: str, data_dir: Path) -> bytes:
    """The configured key, or one kept in the data directory: made once, shared by every worker."""
    if configured:
        return configured.encode()
    path = data_dir / "gateway" / "url_signing.key"
    key = _read(path)
    if key is None:
        # The file appears whole or not at all; a worker that loses the race reads the winner's.
        create_private_file(path, secrets.token_bytes(KEY_BYTES))
        key = _read(path)
    if key is not None and len(key) == KEY_BYTES:
        return key
    return _replace_bad_key(path)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _replace_bad_key(path: Path) -> bytes:
    """Replace a key file of the wrong length (an earlier version left it empty when it crashed
    between creating and writing it). Workers that all saw the bad file must end on one key, and
    a rename cannot say "only if still bad": so each replaces it under an exclusive lock, and
    only if it is still bad once the lock is held; the others then read the replacement."""
    lock = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)
        key = _read(path)
        if key is None:
            create_private_file(path, secrets.token_bytes(KEY_BYTES))
        elif len(key) != KEY_BYTES:
            staged = staged_private_file(path, secrets.token_bytes(KEY_BYTES))
            try:
                os.replace(staged, path)
            except BaseException:
                staged.unlink(missing_ok=True)
                raise
            fsync_path(path.parent)
        key = _read(path)
    finally:
        os.close(lock)  # releases the lock
    if key is None or len(key) != KEY_BYTES:
        raise RuntimeError(f"{path} does not hold a {KEY_BYTES}-byte key")
    return key


class UrlSigner:
    def __init__(self, key: bytes, lifetime_s: float) -> None:
        self._key = key
        self.lifetime_s = lifetime_s

    def _signature(self, path: str, expires: int) -> str:
        return hmac.new(self._key, f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def sign(self, base_url: str, path: str, *, now: float | None = None) -> str:
        """base_url + path (percent-encoded) + expiry and signature; the signature covers the decoded path."""
        expires = int((time.time() if now is None else now) + self.lifetime_s)
        query = urlencode({"expires": expires, "signature": self._signature(path, expires)})
        return f"{base_url}{quote(path, safe='/')}?{query}"

    def verify(self, path: str, expires: str, signature: str, *, now: float | None = None) -> str | None:
        """None when the URL is good, else why not."""
        try:
            deadline = int(expires)
        except ValueError:
            return "the URL is not a signed URL"
        # compare_digest takes str only when it is ASCII; a signature is hex.
        if not signature.isascii() or not hmac.compare_digest(self._signature(path, deadline), signature):
            return "the URL's signature does not match"
        if (time.time() if now is None else now) > deadline:
            return "the URL has expired; ask for a new one"
        return None
