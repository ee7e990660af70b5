"""The `inputs` of an NNC inference request, checked against the model and decoded to tensors.

Everything a client can get wrong is an InvalidRequest whose message names the input and says
what was expected and what was received: the contract's only answer is "Invalid request", so
the detail is what lets a person fix their request.
"""

from __future__ import annotations

import base64
import binascii

import numpy as np

from services.gateway.nnc.audio import read_wav
from services.gateway.nnc.dicom import read_dicom
from services.gateway.nnc.images import read_image
from services.gateway.nnc.invalid_request import InvalidRequest
from services.gateway.nnc.limits import DecodeLimits
from services.gateway.nnc.pixels import arrange, image_spec, normalise
from services.gateway.nnc.signature_inputs import TensorInput, signature_inputs
from services.gateway.nnc.tensors import (
    batching,
    cast_derived,
    expected_count,
    numpy_dtype,
    resolve_shape,
)
from services.gateway.nnc.vectors import read_flat_floats, read_vector
from torii.v1 import models_pb2

IMAGE_TYPES = frozenset({"png", "jpg", "jpeg", "gif", "bmp", "tif", "tiff"})
FILE_TYPES = IMAGE_TYPES | {"dcm", "wav"}
ALL_TYPES = FILE_TYPES | {"vector"}
# The contract's request-billed ("serverless") APIs take no DICOM and no audio.
SERVERLESS_TYPES = ALL_TYPES - {"dcm", "wav"}

DEFAULT_LIMITS = DecodeLimits()
_TYPE_LIST = "png, jpg, jpeg, gif, bmp, tif, tiff, dcm, vector, wav"


def decode_inputs(
    inputs: object,
    version: models_pb2.ModelVersion,
    *,
    allowed_types: frozenset[str] = ALL_TYPES,
    limits: DecodeLimits = DEFAULT_LIMITS,
) -> dict[str, np.ndarray]:
    """One array per model input, in the model's dtype, with a batch of 1 when it is batched.

    `inputs` is the parsed JSON of the body's "inputs". `allowed_types` (lower case, e.g.
    SERVERLESS_TYPES) restricts the types a client may send; the refusal tells them to use a
    dedicated API. `limits` bound what files may decode to. This is blocking work: callers with a
    loop to keep responsive run it in a thread (see `holds_files`).
    """
    items = _items(inputs)
    signature = signature_inputs(version)
    signature.check_names([name for name, _, _ in items])
    numbers_only = True
    for name, kind, _ in items:
        if kind not in allowed_types:
            if kind not in ALL_TYPES:
                raise InvalidRequest(f"input '{name}': type '{kind}' is not one of {_TYPE_LIST}")
            raise InvalidRequest(
                f"input '{name}': type '{kind}' is not accepted by serverless APIs; use a dedicated API"
            )
        numbers_only = numbers_only and kind == "vector"
    if numbers_only:  # no image preprocessing to look up
        return {name: _decode_vector(name, data, signature.inputs[name]) for name, _, data in items}
    preprocessing = {pre.input_name: pre for pre in version.preprocessing.images}
    return {
        name: decode_input(name, kind, data, signature.inputs[name].spec, preprocessing.get(name), limits)
        for name, kind, data in items
    }


def holds_files(inputs: object) -> bool:
    """Whether `inputs` (the body's "inputs", unchecked) names an image, DICOM or wav file: a
    small body can still hold a file that decodes to a large array."""
    if not isinstance(inputs, list):
        return False
    return any(isinstance(entry, dict) and str(entry.get("type", "")).lower() in FILE_TYPES for entry in inputs)


def _items(inputs: object) -> list[tuple[str, str, object]]:
    """(name, lower-cased type, data) for each entry; the envelope's shape is checked here."""
    if not isinstance(inputs, list) or not inputs:
        raise InvalidRequest("'inputs' must be a non-empty list of objects with name, type and data")
    items = []
    for index, entry in enumerate(inputs):
        if not isinstance(entry, dict):
            raise InvalidRequest(f"inputs[{index}] must be an object with name, type and data")
        name, kind = entry.get("name"), entry.get("type")
        if not isinstance(name, str):
            raise InvalidRequest(f"inputs[{index}] must have a 'name' that is a string")
        if not isinstance(kind, str):
            raise InvalidRequest(f"input '{name}' must have a 'type' that is a string")
        if "data" not in entry:
            raise InvalidRequest(f"input '{name}' has no 'data'")
        items.append((name, kind.lower(), entry["data"]))
    return items


def decode_input(
    name: str,
    kind: str,
    data: object,
    spec: models_pb2.TensorSpec,
    preprocessing: models_pb2.ImagePreprocessing | None = None,
    limits: DecodeLimits = DEFAULT_LIMITS,
) -> np.ndarray:
    """One input's data (of a known, lower-case `kind`) as the array the model takes."""
    if kind == "vector":
        return _decode_vector(name, data, TensorInput.of(spec))
    dtype = numpy_dtype(spec.data_type, tensor=name)
    batched, shape = batching(spec)
    if kind == "wav":
        values = cast_derived(_samples(name, read_wav(name, _base64(name, kind, data)), shape), dtype)
    else:
        raw = _base64(name, kind, data)
        expected = image_spec(name, spec, preprocessing, limits.max_pixels)
        if kind == "dcm":
            chw, full_scale = read_dicom(name, raw, expected, limits.max_inflated_bytes)
        else:
            chw, full_scale = read_image(name, raw, expected), 255.0
        values = cast_derived(arrange(name, normalise(chw, expected, full_scale), shape), dtype)
    return values.reshape((1, *values.shape) if batched else values.shape)


def _decode_vector(name: str, data: object, tensor: TensorInput) -> np.ndarray:
    if tensor.float_count is not None:
        assert tensor.dtype is not None  # a float input's
        values = read_flat_floats(data, tensor.float_count, tensor.dtype, tensor.tensor_shape)
        if values is not None:
            return values
    if not isinstance(data, (list, int, float)) or isinstance(data, bool):
        raise InvalidRequest(f"input '{name}': data for type 'vector' must be a list of numbers")
    values = read_vector(name, data, tensor.shape, numpy_dtype(tensor.spec.data_type, tensor=name))
    return values.reshape((1, *values.shape) if tensor.batched else values.shape)


def _base64(name: str, kind: str, data: object) -> bytes:
    """The file in `data`; whitespace anywhere (base64.encodebytes' line breaks) is ignored."""
    if not isinstance(data, str):
        raise InvalidRequest(f"input '{name}': data for type '{kind}' must be a base64 string")
    try:
        return base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError) as error:
        raise InvalidRequest(f"input '{name}': data is not valid base64") from error


def _samples(name: str, samples: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """The (frames, channels) samples in the input's shape, which must hold exactly them all."""
    resolved = resolve_shape(shape, samples.size)
    if resolved is None:
        raise InvalidRequest(
            f"input '{name}': expected {expected_count(shape)} samples, received {samples.size} (frames x channels)"
        )
    return samples.reshape(resolved)
