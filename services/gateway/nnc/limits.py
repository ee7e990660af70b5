"""How large a file in an NNC request may get once decoded: the bounds checked before decoding.

A file in the body is small (the body itself is bounded), but what it decodes to need not be:
a PNG of zeros or a deflated DICOM data set grows a thousandfold. These bounds are checked from
the file's header, before any pixel or inflated byte is produced.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_PIXELS = 16_000_000
"""Width x height allowed for an input whose height or width is variable (the gateway's
TORII_MAX_IMAGE_PIXELS); an input of a fixed size takes exactly that size."""

DEFAULT_MAX_INFLATED_BYTES = 32 * 1024 * 1024
"""The most a deflated DICOM data set may inflate to: the gateway's body limit, so that deflating
a file never lets it carry more than it could uncompressed."""


@dataclass(frozen=True)
class DecodeLimits:
    max_pixels: int = DEFAULT_MAX_PIXELS
    max_inflated_bytes: int = DEFAULT_MAX_INFLATED_BYTES
