"""Check that an uploaded file is a GGUF model (llama.cpp's format) by its header, before it is kept.

The header is fixed by the format (github.com/ggml-org/ggml, docs/gguf.md): the magic "GGUF", a
little-endian uint32 version (2 and 3 are what llama.cpp reads), then the tensor count and the
metadata key-value count as uint64. Loading the model is left to Triton: this only keeps files
that are not GGUF at all (an ONNX file sent with format=gguf, a truncated upload) out of the store.
"""

from __future__ import annotations

import struct
from pathlib import Path

from services.gateway.errors import invalid_argument

MAGIC = b"GGUF"
READABLE_VERSIONS = (2, 3)
_HEADER = struct.Struct("<4sIQQ")


def check_gguf(path: Path) -> None:
    """invalid_argument unless the file starts with a GGUF header llama.cpp reads."""
    with open(path, "rb") as handle:
        header = handle.read(_HEADER.size)
    if len(header) < _HEADER.size or not header.startswith(MAGIC):
        raise invalid_argument("the file is not a GGUF model (it does not start with the GGUF header)")
    _, version, tensor_count, _metadata_count = _HEADER.unpack(header)
    if version not in READABLE_VERSIONS:
        raise invalid_argument(f"the file is GGUF version {version}; llama.cpp reads versions 2 and 3")
    if tensor_count == 0:
        raise invalid_argument("the GGUF file holds no tensors")
