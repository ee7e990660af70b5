"""An NNC request body from bytes to tensors in one call, for a worker process: everything it
takes and gives pickles, and a refusal comes back as its message instead of an exception."""

from __future__ import annotations

import numpy as np

from services.gateway.http_base.inference_bodies import BodyRefused, parse_json
from services.gateway.nnc.decoding import decode_inputs
from services.gateway.nnc.invalid_request import InvalidRequest
from services.gateway.nnc.limits import DecodeLimits
from torii.v1 import models_pb2


def inputs_of(body: object) -> object:
    """The body's "inputs"; InvalidRequest when the body is not the contract's object."""
    if not isinstance(body, dict):
        raise InvalidRequest('the body must be a JSON object with "executor" and "inputs"')
    if not isinstance(body.get("executor", ""), str):
        raise InvalidRequest('"executor" must be a string such as "Executor"')
    return body.get("inputs")


def decode_body(
    raw: bytes, version: bytes, allowed_types: frozenset[str], limits: DecodeLimits
) -> dict[str, np.ndarray] | str:
    """The tensors of a body, or why it is an invalid request. `version` is the serving
    ModelVersion, serialized."""
    try:
        inputs = inputs_of(parse_json(raw))
        return decode_inputs(
            inputs, models_pb2.ModelVersion.FromString(version), allowed_types=allowed_types, limits=limits
        )
    except BodyRefused as refused:
        return refused.message
    except InvalidRequest as error:
        return error.message
