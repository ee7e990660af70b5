"""The NNC inference route: POST {API URL} with x-api-key, inputs in, outputs out.

The checks every contract shares (serving.admission) run first; then the body is decoded
against the serving model version and sent to Triton. Decoding runs in a thread, within the
gateway's bound on concurrent decodes, unless the body is small and holds numbers only: a small
body can still hold an image that decodes to megabytes, and the event loop serves everyone.
"""

from __future__ import annotations

import asyncio
import functools

import numpy as np
from aiohttp import web

from services.gateway.http_base.inference_bodies import (
    BodyRefused,
    is_large,
    parse_json,
    raw_body,
    small_body,
)
from services.gateway.http_base.json_responses import json_response
from services.gateway.http_base.peers import caller_address
from services.gateway.nnc.body_decoding import decode_body, inputs_of
from services.gateway.nnc.contract_errors import (
    FAILURE_BY_REFUSAL,
    INTERNAL,
    INVALID_REQUEST,
    NO_SUCH_API,
    REQUEST_TOO_LARGE,
    NncError,
    error_response,
)
from services.gateway.nnc.decoding import ALL_TYPES, SERVERLESS_TYPES, decode_inputs, holds_files
from services.gateway.nnc.encoding import encode_outputs, version_label_at
from services.gateway.nnc.invalid_request import InvalidRequest
from services.gateway.nnc.limits import DecodeLimits
from services.gateway.serving import admission
from services.gateway.serving.catalog import Endpoint
from services.gateway.serving.inference_runtime import InferenceRuntime
from services.gateway.serving.off_loop import in_worker_process, off_the_loop
from services.gateway.serving.refusals import Refused
from services.runtime.logging import get_logger, request_id_var
from torii.v1 import models_pb2

log = get_logger("nnc")

API_KEY_HEADER = "x-api-key"


async def infer(request: web.Request, runtime: InferenceRuntime, endpoint: Endpoint | None) -> web.Response:
    """The request's answer, its failures in the contract's shape (http_base.inference_outcomes counts it)."""
    request_id = request_id_var.get()
    try:
        if endpoint is None:
            raise NncError(NO_SUCH_API)
        try:
            response = await _answer(request, runtime, endpoint, request_id)
        except Refused as refused:
            raise NncError(FAILURE_BY_REFUSAL[refused.refusal], refused.detail) from None
    except NncError as error:
        log.info("inference_refused", path=request.path, code=error.failure.code, message=error.message)
        response = error_response(error.failure, error.message, request_id)
    except asyncio.CancelledError:
        raise
    except Exception:  # noqa: BLE001 - logged with its traceback, answered in the contract's shape
        log.exception("inference_crashed", path=request.path)
        response = error_response(INTERNAL, INTERNAL.message, request_id)
    return response


async def _answer(request: web.Request, runtime: InferenceRuntime, endpoint: Endpoint, request_id: str) -> web.Response:
    address = caller_address(request, runtime.trusted_proxies)
    now = runtime.clock()
    admission.check_caller(runtime, endpoint, address, request.headers.get(API_KEY_HEADER, ""), now)
    admission.check_enabled(endpoint, now)
    # Waiting for the gateway's bounded resources counts against the call's own time limit.
    wait_s = admission.SERVERLESS_TIMEOUT_S if endpoint.serverless else runtime.dedicated_timeout_s
    version, inputs = await _decoded_body(request, runtime, endpoint, wait_s)
    async with runtime.trial_quota.reservation(endpoint):
        outputs = await admission.run_model(runtime, endpoint, version, inputs, request_id)
    return json_response(
        {
            "version": version_label_at(version.created_at.seconds, version.created_at.nanos),
            "outputs": encode_outputs(outputs, version.signature),
        }
    )


async def _decoded_body(
    request: web.Request, runtime: InferenceRuntime, endpoint: Endpoint, wait_s: float
) -> tuple[models_pb2.ModelVersion, dict[str, np.ndarray]]:
    """The serving version and the body's inputs as its tensors. A large body is parsed and
    decoded in a worker process, within its large-body slot (its parsed numbers take several
    times the memory of the tensors); a small one holding files is decoded in a thread."""
    allowed_types = SERVERLESS_TYPES if endpoint.serverless else ALL_TYPES
    limits = DecodeLimits(max_pixels=runtime.max_image_pixels, max_inflated_bytes=runtime.max_body_bytes)
    try:
        if not is_large(request):
            inputs = inputs_of(parse_json(await small_body(request, runtime.max_body_bytes)))
            version = await admission.serving_version(runtime, endpoint.api)
            decode = functools.partial(decode_inputs, inputs, version, allowed_types=allowed_types, limits=limits)
            if holds_files(inputs):
                return version, await off_the_loop(runtime, wait_s, decode)
            return version, decode()
        async with raw_body(request, runtime.max_body_bytes, wait_s=wait_s) as raw:
            version = await admission.serving_version(runtime, endpoint.api)
            decoded = await in_worker_process(
                runtime, wait_s, decode_body, raw, version.SerializeToString(), allowed_types, limits
            )
            if isinstance(decoded, str):
                raise InvalidRequest(decoded)
            return version, decoded
    except BodyRefused as refused:
        raise NncError(REQUEST_TOO_LARGE if refused.too_large else INVALID_REQUEST, refused.message) from None
    except InvalidRequest as error:
        raise NncError(INVALID_REQUEST, error.message) from None
