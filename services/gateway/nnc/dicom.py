"""DICOM files to pixels, with pydicom.

The modality rescale (RescaleSlope/RescaleIntercept) is applied, so CT data arrives in its
physical units. The full scale used by normalisation is the data's stored bit depth
(2**BitsStored - 1), DICOM's analogue of 255 for 8-bit images. Multi-frame files give their
first frame, as multi-frame TIFFs do.
"""

from __future__ import annotations

import io

import numpy as np
import pydicom

from services.gateway.nnc.errors import InvalidRequest
from services.gateway.nnc.pixels import ImageSpec, check_size, colour_mismatch

_UNREADABLE = "data is not a readable DICOM file"


def read_dicom(name: str, raw: bytes, expected: ImageSpec) -> tuple[np.ndarray, float]:
    """The pixels as (C, H, W) float64 after the modality rescale, and the data's full scale."""
    try:
        dataset = pydicom.dcmread(io.BytesIO(raw), force=True)
        rows, columns = int(dataset.Rows), int(dataset.Columns)
        samples = int(dataset.get("SamplesPerPixel") or 1)
    except Exception as error:  # pydicom raises many kinds on malformed bytes
        raise InvalidRequest(f"input '{name}': {_UNREADABLE}") from error
    check_size(name, expected, columns, rows)
    if samples not in (1, 3):
        raise InvalidRequest(f"input '{name}': DICOM images with {samples} samples per pixel are not supported")
    if samples != expected.channels:
        kind = "mono" if samples == 1 else "colour"
        raise colour_mismatch(name, expected, f"{kind} DICOM image (SamplesPerPixel {samples})")
    try:
        pixels = np.asarray(dataset.pixel_array, dtype=np.float64)
        frames = int(dataset.get("NumberOfFrames") or 1)
        slope = dataset.get("RescaleSlope")
        intercept = dataset.get("RescaleIntercept")
        bits = int(dataset.get("BitsStored") or dataset.get("BitsAllocated") or 16)
        if frames > 1:
            pixels = pixels[0]
        if slope not in (None, ""):
            pixels = pixels * float(slope)
        if intercept not in (None, ""):
            pixels = pixels + float(intercept)
    except Exception as error:  # missing or undecodable pixel data, unreadable rescale values
        raise InvalidRequest(f"input '{name}': {_UNREADABLE}") from error
    chw = pixels[None] if samples == 1 else pixels.transpose(2, 0, 1)
    if chw.shape != (samples, rows, columns):
        raise InvalidRequest(f"input '{name}': {_UNREADABLE}")
    return chw, float(2**bits - 1)
