"""What decoding reads of a model version's inputs on every request, read once per version.

The catalog hands every request of an API the same ModelVersion object, which never changes;
walking its protobuf signature (wrapper objects, shape tuples, dtypes) on each request cost more
than decoding a small vector.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from services.gateway.nnc.invalid_request import InvalidRequest
from services.gateway.nnc.tensors import NUMPY_DTYPES, batching
from services.gateway.serving.derived_once import DerivedOnce
from torii.v1 import models_pb2


@dataclass(frozen=True)
class TensorInput:
    spec: models_pb2.TensorSpec
    batched: bool
    """Whether the tensor has a leading batch dimension (-1)."""
    shape: tuple[int, ...]
    """One example's shape, without the batch dimension."""
    tensor_shape: tuple[int, ...]
    """One example's shape as the model takes it: with a batch of 1 when it is batched."""
    dtype: np.dtype | None
    """None for a type NNC requests cannot carry (tensors.numpy_dtype words why)."""
    float_count: int | None
    """For a float input of fixed shape, the numbers one example holds; None otherwise."""

    @classmethod
    def of(cls, spec: models_pb2.TensorSpec) -> TensorInput:
        batched, shape = batching(spec)
        dtype = NUMPY_DTYPES.get(spec.data_type)
        fixed = all(d >= 0 for d in shape)
        float_count = math.prod(shape) if dtype is not None and dtype.kind == "f" and fixed else None
        return cls(spec, batched, shape, (1, *shape) if batched else shape, dtype, float_count)


@dataclass(frozen=True)
class SignatureInputs:
    inputs: dict[str, TensorInput]
    """In the signature's order."""

    def check_names(self, given: list[str]) -> None:
        """InvalidRequest unless `given` names every input of the model once."""
        if len(given) == len(self.inputs) and len(set(given)) == len(given) and self.inputs.keys() >= set(given):
            return
        expected = list(self.inputs)
        known = ", ".join(expected)
        seen: set[str] = set()
        for name in given:
            if name not in self.inputs:
                raise InvalidRequest(f"input '{name}' is not an input of this model; its inputs are: {known}")
            if name in seen:
                raise InvalidRequest(f"input '{name}' is given more than once")
            seen.add(name)
        missing = [name for name in expected if name not in seen]
        listed = ", ".join(f"'{name}'" for name in missing)
        noun, verb = ("input", "is") if len(missing) == 1 else ("inputs", "are")
        raise InvalidRequest(f"{noun} {listed} {verb} missing; this model's inputs are: {known}")


def _view(version: models_pb2.ModelVersion) -> SignatureInputs:
    return SignatureInputs({spec.name: TensorInput.of(spec) for spec in version.signature.inputs})


signature_inputs = DerivedOnce(_view)
"""A version's SignatureInputs, worked out once per version object."""
