"""Image files (png, jpeg, gif, bmp, tiff) to pixels, with Pillow.

The declared type only says "an image": a .jpg that is really a PNG is read as what it is, but
only these five formats are ever parsed, whatever Pillow could open besides. `Image.open` reads
only the header, so the size (and the input's pixel budget) is checked before any pixel is
decoded: a wrong-size or oversized image costs nothing to refuse.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from services.gateway.nnc.invalid_request import InvalidRequest
from services.gateway.nnc.pixels import ImageSpec, check_size, colour_mismatch

IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF")

# Modes that are one band of grey. "LA" is grey with alpha; the alpha is dropped as RGBA's is.
_MONO_MODES = frozenset({"1", "L", "LA", "I", "F", "I;16", "I;16L", "I;16B", "I;16N"})
# Modes that become RGB by Pillow's own conversion (alpha dropped, palettes looked up).
_COLOUR_MODES = frozenset({"RGB", "RGBA", "RGBX", "RGBa", "P", "PA", "CMYK", "YCbCr"})
_PALETTE_MODES = frozenset({"P", "PA"})

_UNREADABLE = "data is not a readable image (png, jpeg, gif, bmp or tiff)"


def read_image(name: str, raw: bytes, expected: ImageSpec) -> np.ndarray:
    """The image's first frame as (C, H, W) float32 pixels on the 0..255 scale."""
    try:
        image = Image.open(io.BytesIO(raw), formats=IMAGE_FORMATS)
        image.seek(0)  # several frames (GIF, TIFF): the first one
    except Image.DecompressionBombError as error:
        # Pillow's own ceiling (about 179 Mpx), met in open() before our budget can be checked.
        assert Image.MAX_IMAGE_PIXELS is not None  # None turns the check, and so this error, off
        raise InvalidRequest(
            f"input '{name}': the image has more than {2 * Image.MAX_IMAGE_PIXELS} pixels; "
            f"this input takes at most {expected.max_pixels} pixels"
        ) from error
    except Exception as error:  # Pillow's parsers raise many kinds on malformed bytes
        raise InvalidRequest(f"input '{name}': {_UNREADABLE}") from error
    check_size(name, expected, image.width, image.height)
    try:
        image.load()
        if expected.channels == 1:
            pixels = _mono(name, image, expected)[None]
        else:
            pixels = _colour(name, image, expected).transpose(2, 0, 1)
    except InvalidRequest:
        raise
    except Exception as error:  # truncated or corrupt pixel data
        raise InvalidRequest(f"input '{name}': {_UNREADABLE}") from error
    return pixels


def _mono(name: str, image: Image.Image, expected: ImageSpec) -> np.ndarray:
    """(H, W) grey on 0..255.

    16-bit grey is scaled down to 0..255 (Pillow's own conversion would clip it); 32-bit
    integer and float images are clipped to 0..255 as Pillow's "L" conversion does. A palette
    image is grey when every colour it uses is grey (GIFs store grey images this way).
    """
    mode = image.mode
    if mode.startswith("I;16"):
        return np.asarray(image, dtype=np.float32) * (255.0 / 65535.0)
    if mode in ("I", "F"):
        return np.clip(np.asarray(image, dtype=np.float32), 0.0, 255.0)
    if mode == "LA":
        return np.asarray(image.getchannel("L"), dtype=np.float32)
    if mode in _MONO_MODES:
        return np.asarray(image.convert("L"), dtype=np.float32)
    if mode in _PALETTE_MODES:
        rgb = np.asarray(image.convert("RGB"))
        if (rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all():
            return rgb[..., 0].astype(np.float32)
        raise colour_mismatch(name, expected, f"colour image (mode {mode} with a colour palette)")
    if mode in _COLOUR_MODES:
        raise colour_mismatch(name, expected, f"colour image (mode {mode})")
    raise colour_mismatch(name, expected, f"image in mode {mode}, which is not read as mono")


def _colour(name: str, image: Image.Image, expected: ImageSpec) -> np.ndarray:
    """(H, W, 3) RGB on 0..255."""
    mode = image.mode
    if mode in _COLOUR_MODES:
        rgb = image if mode == "RGB" else image.convert("RGB")  # convert("RGB") of RGB is a copy
        return np.asarray(rgb, dtype=np.float32)
    if mode in _MONO_MODES:
        raise colour_mismatch(name, expected, f"mono image (mode {mode})")
    raise colour_mismatch(name, expected, f"image in mode {mode}, which is not read as colour")
