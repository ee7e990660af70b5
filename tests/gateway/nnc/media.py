"""Files an NNC client sends (images, DICOM, wav), built in memory for tests.

Each builder returns the file's bytes; `b64` turns them into a request's `data` the way NNC's
own example does (base64.encodebytes, with a line break every 76 characters).
"""

from __future__ import annotations

import base64
import io
import struct
import wave
import zlib

import numpy as np
from PIL import Image
from pydicom import dcmread
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    DeflatedExplicitVRLittleEndian,
    ExplicitVRLittleEndian,
    SecondaryCaptureImageStorage,
    generate_uid,
)


def b64(data: bytes, *, line_breaks: bool = True) -> str:
    """A request's `data` for a file: encodebytes' 76-character lines, or one line."""
    return (base64.encodebytes(data) if line_breaks else base64.b64encode(data)).decode("ascii")


def pattern(height: int, width: int, channels: int = 1) -> np.ndarray:
    """Deterministic uint8 pixels, (H, W) for 1 channel or (H, W, C): pixel (y, x, c) is
    (7*y + 3*x + 50*c) mod 256, so every position and channel differs from its neighbours."""
    y, x, c = np.meshgrid(np.arange(height), np.arange(width), np.arange(channels), indexing="ij")
    values = ((7 * y + 3 * x + 50 * c) % 256).astype(np.uint8)
    return values[..., 0] if channels == 1 else values


def image_file(pixels: np.ndarray | Image.Image, fmt: str = "PNG", *, mode: str | None = None, **save: object) -> bytes:
    """`pixels` ((H, W) grey or (H, W, 3|4) uint8, or a Pillow image) saved as `fmt`,
    converted to `mode` first when given (e.g. "P", "CMYK", "1")."""
    image = pixels if isinstance(pixels, Image.Image) else Image.fromarray(pixels)
    if mode is not None:
        image = image.convert(mode)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def palette_image(pixels: np.ndarray) -> Image.Image:
    """A palette ("P") image showing `pixels` exactly: (H, W) grey through a reversed grey
    palette (index i is grey 255 - i, so readers cannot mistake it for plain "L"), or
    (H, W, 3) colour with an adaptive palette (exact for up to 256 colours)."""
    if pixels.ndim == 3:
        return Image.fromarray(pixels).convert("P", palette=Image.Palette.ADAPTIVE)
    image = Image.fromarray((255 - pixels).astype(np.uint8))
    image = Image.frombytes("P", image.size, image.tobytes())
    image.putpalette([255 - i for i in range(256) for _ in range(3)])
    return image


def multi_frame_file(frames: list[np.ndarray], fmt: str = "TIFF") -> bytes:
    """Several frames in one GIF or TIFF; readers should take the first."""
    images = [Image.fromarray(frame) for frame in frames]
    buffer = io.BytesIO()
    images[0].save(buffer, fmt, save_all=True, append_images=images[1:])
    return buffer.getvalue()


def wav_file(samples: np.ndarray, *, sample_width: int = 2, rate: int = 16000) -> bytes:
    """PCM wav of integer `samples`, shape (frames,) or (frames, channels), already in the
    encoded domain: uint8 around 128 for 8-bit, signed integers for 16, 24 and 32 bits."""
    samples = np.asarray(samples)
    channels = 1 if samples.ndim == 1 else samples.shape[1]
    flat = samples.reshape(-1)
    if sample_width == 1:
        data = flat.astype(np.uint8).tobytes()
    elif sample_width == 2:
        data = flat.astype("<i2").tobytes()
    elif sample_width == 3:
        data = flat.astype("<i4").view(np.uint8).reshape(-1, 4)[:, :3].tobytes()
    elif sample_width == 4:
        data = flat.astype("<i4").tobytes()
    else:
        raise ValueError(f"sample width {sample_width} is not PCM")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(sample_width)
        writer.setframerate(rate)
        writer.writeframes(data)
    return buffer.getvalue()


def dicom_file(
    pixels: np.ndarray,
    *,
    bits_stored: int = 12,
    slope: float | None = None,
    intercept: float | None = None,
) -> bytes:
    """An uncompressed (Explicit VR Little Endian) DICOM file with a file meta header.

    (H, W) pixels make a MONOCHROME2 image of 16 allocated bits and `bits_stored` stored bits;
    (H, W, 3) uint8 pixels make an 8-bit RGB image. RescaleSlope/Intercept are set when given.
    """
    pixels = np.asarray(pixels)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    dataset = Dataset()
    dataset.file_meta = meta
    dataset.SOPClassUID = meta.MediaStorageSOPClassUID
    dataset.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    dataset.Modality = "OT"
    dataset.Rows, dataset.Columns = int(pixels.shape[0]), int(pixels.shape[1])
    dataset.PixelRepresentation = 0
    if pixels.ndim == 2:
        dataset.SamplesPerPixel = 1
        dataset.PhotometricInterpretation = "MONOCHROME2"
        dataset.BitsAllocated = 16
        dataset.BitsStored = bits_stored
        dataset.HighBit = bits_stored - 1
        dataset.PixelData = pixels.astype("<u2").tobytes()
    else:
        dataset.SamplesPerPixel = 3
        dataset.PhotometricInterpretation = "RGB"
        dataset.PlanarConfiguration = 0
        dataset.BitsAllocated = 8
        dataset.BitsStored = 8
        dataset.HighBit = 7
        dataset.PixelData = pixels.astype(np.uint8).tobytes()
    if slope is not None:
        dataset.RescaleSlope = slope
    if intercept is not None:
        dataset.RescaleIntercept = intercept
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny real PNG whose header (IHDR, CRC fixed up) says it is width x height: what a
    decompression bomb looks like to a reader that trusts the header before decoding."""
    png = bytearray(image_file(pattern(2, 2)))
    assert png[12:16] == b"IHDR"
    png[16:24] = struct.pack(">II", width, height)
    png[29:33] = struct.pack(">I", zlib.crc32(bytes(png[12:29])))
    return bytes(png)


def dicom_claiming(rows: int, columns: int) -> bytes:
    """A DICOM file whose header says rows x columns, holding the pixels of a 2x2 image."""
    dataset = dcmread(io.BytesIO(dicom_file(np.zeros((2, 2), np.uint16))))
    dataset.Rows, dataset.Columns = rows, columns
    return _saved(dataset)


def multi_frame_dicom(frames: list[np.ndarray]) -> bytes:
    """(H, W) uint16 frames in one uncompressed DICOM file (NumberOfFrames set)."""
    dataset = dcmread(io.BytesIO(dicom_file(frames[0])))
    dataset.NumberOfFrames = len(frames)
    dataset.PixelData = np.stack(frames).astype("<u2").tobytes()
    return _saved(dataset)


def deflated(dicom: bytes) -> bytes:
    """The same DICOM file in the Deflated Explicit VR Little Endian transfer syntax, where
    everything after the file meta is one zlib stream (zeros shrink a thousandfold)."""
    dataset = dcmread(io.BytesIO(dicom))
    dataset.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    return _saved(dataset)


def _saved(dataset) -> bytes:
    buffer = io.BytesIO()
    dataset.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()
