"""wav files to samples, with the standard library's `wave` module.

Integer PCM of 8, 16, 24 or 32 bits, any number of channels, becomes float32 in [-1, 1):
8-bit data is unsigned ((v - 128) / 128), wider data is signed (v / 2**(bits - 1)). Other
encodings (float, compressed, and the WAVE_FORMAT_EXTENSIBLE header, which Python 3.11's
`wave` does not read) are refused.
"""

from __future__ import annotations

import io
import wave

import numpy as np

from services.gateway.nnc.invalid_request import InvalidRequest


def read_wav(name: str, raw: bytes) -> np.ndarray:
    """The samples as float32 of shape (frames, channels)."""
    try:
        with wave.open(io.BytesIO(raw), "rb") as reader:
            channels = reader.getnchannels()
            width = reader.getsampwidth()
            data = reader.readframes(reader.getnframes())
    except Exception as error:  # wave.Error, EOFError, struct.error on malformed bytes
        raise InvalidRequest(f"input '{name}': data is not a PCM wav file") from error
    if channels < 1 or width not in (1, 2, 3, 4):
        raise InvalidRequest(f"input '{name}': data is not a PCM wav file")
    frames = len(data) // (width * channels)  # a truncated last frame is dropped
    samples = _to_float(data[: frames * width * channels], width)
    return samples.reshape(frames, channels)


def _to_float(data: bytes, width: int) -> np.ndarray:
    if width == 1:
        return (np.frombuffer(data, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    if width == 2:
        return np.frombuffer(data, dtype="<i2").astype(np.float32) / np.float32(2**15)
    if width == 3:
        octets = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        values = octets[:, 0] | (octets[:, 1] << 8) | (octets[:, 2] << 16)
        values = (values ^ 0x800000) - 0x800000  # sign-extend 24 bits
        return values.astype(np.float32) / np.float32(2**23)
    # float64 on the way: int32 extremes do not survive float32 division exactly otherwise
    return (np.frombuffer(data, dtype="<i4").astype(np.float64) / 2.0**31).astype(np.float32)
