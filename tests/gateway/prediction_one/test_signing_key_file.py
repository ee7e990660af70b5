"""The URL-signing key file is whole or absent: an empty one (an older version's crash between
creating and writing it) is replaced by a good key, and workers starting together share one key."""

from __future__ import annotations

import stat
import threading
from concurrent.futures import ThreadPoolExecutor

from services.gateway.prediction_one.signed_urls import KEY_BYTES, load_signing_key

WORKERS = 8


def _key_file(data_dir):
    return data_dir / "gateway" / "url_signing.key"


def _load_together(data_dir) -> list[bytes]:
    """Every worker's key, the loads started at the same moment."""
    start = threading.Barrier(WORKERS)

    def load(_: int) -> bytes:
        start.wait()
        return load_signing_key("", data_dir)

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(load, range(WORKERS)))


def test_an_empty_key_file_is_replaced_by_a_good_key(tmp_path):
    path = _key_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")

    key = load_signing_key("", tmp_path)

    assert len(key) == KEY_BYTES
    assert path.read_bytes() == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_signing_key("", tmp_path) == key  # kept: the next start signs with the same key


def test_workers_racing_on_an_empty_key_file_end_on_one_key(tmp_path):
    path = _key_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"short")

    keys = _load_together(tmp_path)

    assert len(set(keys)) == 1 and len(keys[0]) == KEY_BYTES, keys
    assert path.read_bytes() == keys[0]


def test_workers_starting_together_without_a_key_file_share_one_key(tmp_path):
    keys = _load_together(tmp_path)

    assert len(set(keys)) == 1 and len(keys[0]) == KEY_BYTES, keys
    assert _key_file(tmp_path).read_bytes() == keys[0]
    # No staging file is left beside the key.
    assert [entry.name for entry in _key_file(tmp_path).parent.iterdir() if entry.name.endswith(".tmp")] == []


def test_a_configured_key_is_used_and_no_file_is_made(tmp_path):
    assert load_signing_key("configured-secret", tmp_path) == b"configured-secret"
    assert not _key_file(tmp_path).exists()
