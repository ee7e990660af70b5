"""From decoded pixels to the model's tensor: what size and colour to expect, normalisation, layout.

Shared by the image decoders (Pillow) and DICOM. Pixels travel between these steps as a float32
array in NNC's native layout, channels first: (C, H, W) with C 1 (mono) or 3 (RGB). float32, not
float64: models take float32 (or narrower), and a large image's float64 copies cost twice the memory.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from services.gateway.nnc.invalid_request import InvalidRequest
from services.gateway.nnc.limits import DEFAULT_MAX_PIXELS
from services.gateway.nnc.tensors import dims_match, format_shape, item_shape, resolve_shape
from torii.v1 import models_pb2

ANY = -1


@dataclass(frozen=True)
class ImageSpec:
    """What one image input must look like. height/width ANY (-1) accept any size up to
    `max_pixels` (width x height); a fixed height and width allow exactly that size."""

    height: int
    width: int
    channels: int
    mean: tuple[float, ...] = ()
    std: tuple[float, ...] = ()
    max_pixels: int = DEFAULT_MAX_PIXELS

    @property
    def normalised(self) -> bool:
        return bool(self.mean or self.std)


def image_spec(
    name: str,
    spec: models_pb2.TensorSpec,
    preprocessing: models_pb2.ImagePreprocessing | None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> ImageSpec:
    """The expectations for an image input: its preprocessing entry, else read off its shape.

    Without a preprocessing entry the shape must be [C,H,W], [H,W,C] (C 1 or 3) or [H,W]
    (mono), and pixels are not normalised; a -1 height or width accepts any size of at most
    `max_pixels` pixels. Images are never resized, so a fixed size is also the pixel budget.
    """
    if preprocessing is not None:
        return _with_budget(_from_preprocessing(name, preprocessing), max_pixels)
    shape = item_shape(spec)
    if len(shape) == 3 and shape[0] in (1, 3):
        found = ImageSpec(height=shape[1], width=shape[2], channels=shape[0])
    elif len(shape) == 3 and shape[2] in (1, 3):
        found = ImageSpec(height=shape[0], width=shape[1], channels=shape[2])
    elif len(shape) == 2:
        found = ImageSpec(height=shape[0], width=shape[1], channels=1)
    else:
        raise _not_an_image(name, shape)
    return _with_budget(found, max_pixels)


def _with_budget(expected: ImageSpec, max_pixels: int) -> ImageSpec:
    fixed = expected.height != ANY and expected.width != ANY
    return replace(expected, max_pixels=expected.height * expected.width if fixed else max_pixels)


def _not_an_image(name: str, shape: tuple[int, ...]) -> InvalidRequest:
    return InvalidRequest(
        f"input '{name}' has shape {format_shape(shape)}, which is not an image shape "
        "([C, H, W], [H, W, C] or [H, W]), and the model has no image preprocessing for it"
    )


def _from_preprocessing(name: str, pre: models_pb2.ImagePreprocessing) -> ImageSpec:
    if pre.channels not in (1, 3) or pre.height <= 0 or pre.width <= 0:
        raise InvalidRequest(
            f"input '{name}': the model's image preprocessing is unusable "
            f"({pre.width}x{pre.height}, {pre.channels} channels)"
        )
    mean, std = tuple(pre.mean), tuple(pre.std)
    for what, values in (("mean", mean), ("std", std)):
        if values and len(values) not in (1, pre.channels):
            raise InvalidRequest(
                f"input '{name}': the model's image preprocessing has {len(values)} {what} values "
                f"for {pre.channels} channels"
            )
    if any(s == 0 for s in std):
        raise InvalidRequest(f"input '{name}': the model's image preprocessing has a std of 0")
    return ImageSpec(height=pre.height, width=pre.width, channels=pre.channels, mean=mean, std=std)


def _dim(value: int) -> str:
    return "*" if value == ANY else str(value)


def check_size(name: str, expected: ImageSpec, width: int, height: int) -> None:
    """Refuse an image of another size (NNC does not resize: the dataset's size is required) or
    of more pixels than the input's budget. Callers pass the size from the file's header, before
    decoding, so that an oversized image costs nothing to refuse."""
    if (expected.width not in (ANY, width)) or (expected.height not in (ANY, height)):
        raise InvalidRequest(
            f"input '{name}': expected a {_dim(expected.width)}x{_dim(expected.height)} image "
            f"(width x height), received {width}x{height}"
        )
    if width * height > expected.max_pixels:
        raise InvalidRequest(
            f"input '{name}': the image is {width}x{height} (width x height, {width * height} pixels); "
            f"this input takes at most {expected.max_pixels} pixels"
        )


def colour_mismatch(name: str, expected: ImageSpec, received: str) -> InvalidRequest:
    """`received` completes "received a ...", e.g. "colour image (mode RGB)"."""
    wanted = "a mono (1-channel)" if expected.channels == 1 else "a colour (3-channel)"
    return InvalidRequest(f"input '{name}': expected {wanted} image, received a {received}")


def normalise(chw: np.ndarray, expected: ImageSpec, full_scale: float) -> np.ndarray:
    """(pixel / full_scale - mean[c]) / std[c] with mean/std given; raw values without.

    A missing mean counts as 0 and a missing std as 1; one value applies to every channel.
    One float32 array is made and then changed in place: a large image gets no more copies.
    """
    if not expected.normalised:
        return chw
    channels = chw.shape[0]
    mean = np.broadcast_to(np.asarray(expected.mean or (0.0,), dtype=np.float32), (channels,))
    std = np.broadcast_to(np.asarray(expected.std or (1.0,), dtype=np.float32), (channels,))
    scaled = np.divide(chw, np.float32(full_scale), dtype=np.float32)
    scaled -= mean[:, None, None]
    scaled /= std[:, None, None]
    return scaled


def arrange(name: str, chw: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The (C, H, W) pixels in the layout of the input's (non-batch) shape.

    [C,H,W] is NNC's own layout and wins when a shape reads both ways; [H,W,C] is transposed;
    [H,W] takes a mono image's one channel; any other shape with room for exactly the pixels
    (e.g. a flat [784]) gets them in CHW order.
    """
    c, h, w = chw.shape
    if dims_match(shape, (c, h, w)):
        return chw
    if dims_match(shape, (h, w, c)):
        return chw.transpose(1, 2, 0)
    if c == 1 and dims_match(shape, (h, w)):
        return chw[0]
    resolved = resolve_shape(shape, chw.size)
    if resolved is None:
        raise InvalidRequest(
            f"input '{name}': the image gives {chw.size} values ({c}x{h}x{w}, channels x height x "
            f"width), which do not fit the model's input shape {format_shape(shape)}"
        )
    return chw.reshape(resolved)
