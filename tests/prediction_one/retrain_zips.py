"""Zips for retrain-upload tests (here and in tests/trainer): built with zipfile, some with header
fields rewritten the way a
hand-made bomb or a damaged download would have them."""

from __future__ import annotations

import io
import struct
import zipfile


def zipped(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED, **options) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", compression=compression) as writer:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = compression
            with writer.open(info, "w", **options) as member:
                member.write(data)
    return archive.getvalue()


def zeros_csv(size: int) -> bytes:
    """A valid table of about `size` bytes that deflates about 1,000 times."""
    return b"a,b\n" + b"0,0\n" * (size // 4)


def patched(
    data: bytes, *, flags: int | None = None, method: int | None = None, crc: int | None = None, size: int | None = None
) -> bytes:
    """A one-member zip with fields overwritten alike in its local header (at 0) and its central
    directory entry, so that zipfile sees the lie wherever it looks."""
    out = bytearray(data)
    central = data.rindex(b"PK\x01\x02")
    # The same fields sit at 6.. in a local header and at 8.. in a central directory entry.
    for field_base in (6, central + 8):
        if flags is not None:
            struct.pack_into("<H", out, field_base, flags)
        if method is not None:
            struct.pack_into("<H", out, field_base + 2, method)
        if crc is not None:
            struct.pack_into("<I", out, field_base + 8, crc)
        if size is not None:
            struct.pack_into("<I", out, field_base + 16, size)
    return bytes(out)
