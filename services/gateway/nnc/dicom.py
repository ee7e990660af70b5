"""DICOM files to pixels, with pydicom.

The modality rescale (RescaleSlope/RescaleIntercept) is applied, so CT data arrives in its
physical units. The full scale used by normalisation is the data's stored bit depth
(2**BitsStored - 1), DICOM's analogue of 255 for 8-bit images. Multi-frame files give their
first frame, as multi-frame TIFFs do, and only that frame is decoded.

The header is read and checked before any pixel is touched: Rows x Columns must fit the
input's pixel budget, and a deflated data set (which pydicom inflates whole while reading even
the header) must not inflate past `max_inflated_bytes`.
"""

from __future__ import annotations

import io
import zlib

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.filereader import read_dataset, read_preamble
from pydicom.uid import DeflatedExplicitVRLittleEndian

from services.gateway.nnc.invalid_request import InvalidRequest
from services.gateway.nnc.pixels import ImageSpec, check_size, colour_mismatch

_UNREADABLE = "data is not a readable DICOM file"
_BITS_ALLOCATED = frozenset({1, 8, 16, 32})
_INFLATE_STEP = 1024 * 1024


def read_dicom(name: str, raw: bytes, expected: ImageSpec, max_inflated_bytes: int) -> tuple[np.ndarray, float]:
    """The first frame as (C, H, W) float32 pixels after the modality rescale, and the data's full scale."""
    _check_inflated_size(name, raw, max_inflated_bytes)
    try:
        header = pydicom.dcmread(io.BytesIO(raw), stop_before_pixels=True, force=True)
        rows, columns = int(header.Rows), int(header.Columns)
        samples = int(header.get("SamplesPerPixel") or 1)
        frames = int(header.get("NumberOfFrames") or 1)
        bits_allocated = int(header.get("BitsAllocated") or 0)
    except Exception as error:  # pydicom raises many kinds on malformed bytes
        raise InvalidRequest(f"input '{name}': {_UNREADABLE}") from error
    check_size(name, expected, columns, rows)
    if samples not in (1, 3):
        raise InvalidRequest(f"input '{name}': DICOM images with {samples} samples per pixel are not supported")
    if samples != expected.channels:
        kind = "mono" if samples == 1 else "colour"
        raise colour_mismatch(name, expected, f"{kind} DICOM image (SamplesPerPixel {samples})")
    if frames < 1 or bits_allocated not in _BITS_ALLOCATED:
        raise InvalidRequest(f"input '{name}': {_UNREADABLE}")
    pixels, bits = _first_frame(name, raw)
    chw = pixels[None] if samples == 1 else pixels.transpose(2, 0, 1)
    if chw.shape != (samples, rows, columns):
        raise InvalidRequest(f"input '{name}': {_UNREADABLE}")
    return chw, float(2**bits - 1)


def _check_inflated_size(name: str, raw: bytes, limit: int) -> None:
    """Refuse a deflated data set that inflates past `limit`, counting in steps, keeping none."""
    try:
        stream = io.BytesIO(raw)
        read_preamble(stream, force=True)
        meta = read_dataset(stream, is_implicit_VR=False, is_little_endian=True, stop_when=_past_file_meta)
        deflated = meta.get("TransferSyntaxUID") == DeflatedExplicitVRLittleEndian
    except Exception as error:  # malformed file meta
        raise InvalidRequest(f"input '{name}': {_UNREADABLE}") from error
    if not deflated:
        return
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    pending, inflated = raw[stream.tell() :], 0
    try:
        while not inflater.eof and inflated <= limit:
            chunk = inflater.decompress(pending, _INFLATE_STEP)
            if not chunk and len(inflater.unconsumed_tail) == len(pending):
                break  # a truncated stream: pydicom refuses it when it reads the file
            inflated += len(chunk)
            pending = inflater.unconsumed_tail
    except zlib.error as error:
        raise InvalidRequest(f"input '{name}': {_UNREADABLE}") from error
    if inflated > limit:
        raise InvalidRequest(
            f"input '{name}': the deflated DICOM data set inflates to more than {limit} bytes, "
            "the most a request's file may hold"
        )


def _past_file_meta(tag: int, vr: str | None, length: int) -> bool:
    return tag >> 16 != 0x0002


def _first_frame(name: str, raw: bytes) -> tuple[np.ndarray, int]:
    """Frame 0's pixels as float32 after the modality rescale, and the stored bit depth."""
    try:
        dataset: Dataset = pydicom.dcmread(io.BytesIO(raw), force=True)
        dataset.pixel_array_options(index=0)
        pixels = dataset.pixel_array.astype(np.float32)
        slope = dataset.get("RescaleSlope")
        intercept = dataset.get("RescaleIntercept")
        bits = int(dataset.get("BitsStored") or dataset.get("BitsAllocated") or 16)
        if slope not in (None, ""):
            pixels *= np.float32(float(slope))
        if intercept not in (None, ""):
            pixels += np.float32(float(intercept))
    except Exception as error:  # missing or undecodable pixel data, unreadable rescale values
        raise InvalidRequest(f"input '{name}': {_UNREADABLE}") from error
    return pixels, bits
