"""The success response's parts: outputs as NNC's comma-joined strings, and the version label.

The contract's `data` is a string, not a list: every element of the output (batch dimension
included, which is 1) flattened in C order and joined with ", ". Floats are written as Python's
repr of the value widened to a Python float, so float32 0.9994778 reads "0.9994778037071228" as
in the contract's example; integers as decimal; booleans as "1"/"0" (str(int(v))), since NNC
outputs are numeric and a client parses the string as numbers.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import numpy as np

from torii.v1 import models_pb2


def encode_outputs(outputs: dict[str, np.ndarray], signature: models_pb2.Signature) -> list[dict]:
    """[{"name": ..., "data": "v1, v2, ..."}] in the signature's output order.

    Arrays in `outputs` that the signature does not name are left out; a named output that is
    missing is the server's fault, not the client's, so it is a ValueError.
    """
    encoded = []
    for spec in signature.outputs:
        if spec.name not in outputs:
            raise ValueError(f"the model's answer has no output '{spec.name}'")
        encoded.append({"name": spec.name, "data": format_values(np.asarray(outputs[spec.name]))})
    return encoded


def format_values(values: np.ndarray) -> str:
    """All elements of `values` as one ", "-joined string (see the module's docstring)."""
    kind = values.dtype.kind  # numpy's one-letter class: cheaper than np.issubdtype on every answer
    if kind == "b":
        return ", ".join(map(str, values.astype(np.uint8).ravel().tolist()))
    if kind == "f":
        # tolist() widens each element exactly as float(v) would; repr is the shortest round trip.
        return ", ".join(map(repr, values.ravel().tolist()))
    if kind in "iu":
        return ", ".join(map(str, values.ravel().tolist()))
    raise ValueError(f"outputs of dtype {values.dtype} cannot be written as NNC numbers")


@functools.lru_cache(maxsize=4096)
def version_label_at(seconds: int, nanos: int) -> str:
    """version_label of a protobuf Timestamp's fields; a model version's label is asked for on every
    inference and never changes, so it is worked out once."""
    return version_label(datetime.fromtimestamp(seconds, UTC).replace(microsecond=nanos // 1000))


def version_label(created_at: datetime) -> str:
    """NNC's version string, "YYYYMMDD_HHMMSSffffff" in UTC; a naive datetime is taken as UTC."""
    if created_at.tzinfo is None:
        created_at = created_at.replace(tzinfo=UTC)
    return created_at.astimezone(UTC).strftime("%Y%m%d_%H%M%S%f")
