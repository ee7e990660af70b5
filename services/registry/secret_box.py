"""Secrets the registry must read back (NCP secret keys: the server recomputes each request's
HMAC), kept encrypted at rest with AES-GCM under one data key.

The data key is TORII_NCP_SECRETS_KEY (32 bytes, base64) where several registry hosts share a
database, or a file made once in the data directory (owner-only). Whoever holds it and a copy of
the database holds every secret key: an operator protects it as the database's own credentials.
A key file of the wrong size is refused rather than replaced: replacing it would make every
stored secret unreadable.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.runtime.files import create_private_file

KEY_BYTES = 32
NONCE_BYTES = 12
KEY_FILE = Path("registry") / "ncp-secrets.key"


class SecretBoxError(Exception):
    pass


def load_data_key(configured: str, data_dir: Path) -> bytes:
    """The configured key (base64), or the data directory's key file, made on first use."""
    if configured:
        try:
            key = base64.b64decode(configured, validate=True)
        except (binascii.Error, ValueError):
            raise SecretBoxError("TORII_NCP_SECRETS_KEY is not base64") from None
    else:
        path = data_dir / KEY_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        create_private_file(path, secrets.token_bytes(KEY_BYTES))  # a no-op once it exists
        key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise SecretBoxError(f"the NCP secrets key must be {KEY_BYTES} bytes, not {len(key)}")
    return key


class SecretBox:
    def __init__(self, key: bytes | Callable[[], bytes]) -> None:
        """key: the data key, or how to load it on first use (a registry that never meets an NCP
        key makes no key file)."""
        self._key = key
        self._loaded: AESGCM | None = None

    @property
    def _aead(self) -> AESGCM:
        if self._loaded is None:
            self._loaded = AESGCM(self._key() if callable(self._key) else self._key)
        return self._loaded

    def seal(self, secret: str, bound_to: str) -> bytes:
        """nonce + ciphertext; `bound_to` (the row's id) is authenticated, so a sealed secret
        copied onto another row does not open."""
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, secret.encode(), bound_to.encode())

    def open(self, sealed: bytes, bound_to: str) -> str:
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], bound_to.encode()).decode()
        except (InvalidTag, ValueError):
            raise SecretBoxError("a stored secret does not open with this data key") from None
