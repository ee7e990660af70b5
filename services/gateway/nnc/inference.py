"""The NNC inference route: POST {API URL} with x-api-key, inputs in, outputs out.

The checks every contract shares (serving.admission) run first; then the body is decoded
against the serving model version and sent to Triton.
"""

from __future__ import annotations

import asyncio
from datetime import timezone

from aiohttp import web

from services.gateway.nnc import contract_errors as failures
from services.gateway.nnc.contract_errors import NncError, error_response, json_response
from services.gateway.nnc.decoding import ALL_TYPES, SERVERLESS_TYPES, decode_inputs
from services.gateway.nnc.encoding import encode_outputs, version_label
from services.gateway.nnc.errors import InvalidRequest
from services.gateway.serving import admission
from services.gateway.serving.admission import Refusal, Refused
from services.gateway.serving.bodies import BodyRefused, read_json
from services.gateway.serving.catalog import Endpoint
from services.gateway.serving.runtime import RUNTIME, InferenceRuntime
from services.runtime.logging import get_logger, request_id_var

log = get_logger("nnc")

API_KEY_HEADER = "x-api-key"

# The one table from a shared refusal to this contract's answer.
FAILURES = {
    Refusal.ADDRESS_REFUSED: failures.ADDRESS_REFUSED,
    Refusal.INVALID_KEY: failures.INVALID_API_KEY,
    Refusal.KEY_OF_ANOTHER_API: failures.INVALID_API_KEY,
    Refusal.NOT_PUBLIC: failures.NOT_ENABLED,
    Refusal.STOPPED: failures.NOT_ENABLED,
    Refusal.OUTSIDE_SCHEDULE: failures.OUTSIDE_SCHEDULE,
    Refusal.DEPLOY_FAILED: failures.DEPLOY_FAILED,
    Refusal.NOT_READY: failures.NOT_READY,
    Refusal.QUOTA_USED_UP: failures.QUOTA_USED_UP,
    Refusal.BACKEND_UNAVAILABLE: failures.BACKEND_UNAVAILABLE,
    Refusal.TIMED_OUT: failures.TIMED_OUT,
    Refusal.MODEL_FAILURE: failures.MODEL_FAILURE,
}


async def infer(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    request_id = request_id_var.get()
    endpoint = runtime.catalog.find(request.path)
    try:
        if endpoint is None:
            raise NncError(failures.NO_SUCH_API)
        try:
            response = await _answer(request, runtime, endpoint, request_id)
        except Refused as refused:
            raise NncError(FAILURES[refused.refusal], refused.detail) from None
    except NncError as error:
        log.info("inference_refused", path=request.path, code=error.failure.code, message=error.message)
        response = error_response(error.failure, error.message, request_id)
    except asyncio.CancelledError:
        raise
    except Exception:  # noqa: BLE001 - logged with its traceback, answered in the contract's shape
        log.exception("inference_crashed", path=request.path)
        response = error_response(failures.INTERNAL, failures.INTERNAL.message, request_id)
    if endpoint is not None:
        runtime.usage.count(endpoint.api.api_id, response.status)
    return response


async def _answer(request: web.Request, runtime: InferenceRuntime, endpoint: Endpoint, request_id: str) -> web.Response:
    api = endpoint.api
    admission.check_caller(request, runtime, endpoint, request.headers.get(API_KEY_HEADER, ""))
    admission.check_enabled(endpoint, runtime.clock())
    body = await _read_json(request, runtime.max_body_bytes)
    version = await admission.serving_version(runtime, api)
    try:
        inputs = decode_inputs(
            body.get("inputs"), version, allowed_types=SERVERLESS_TYPES if endpoint.serverless else ALL_TYPES
        )
    except InvalidRequest as error:
        raise NncError(failures.INVALID_REQUEST, error.message) from None
    if endpoint.trial:
        await admission.reserve_trial_request(request, api.api_id)
    outputs = await admission.run_model(runtime, endpoint, version, inputs, request_id)
    return json_response(
        {"version": version_label(version.created_at.ToDatetime(timezone.utc)), "outputs": encode_outputs(outputs, version.signature)}
    )


async def _read_json(request: web.Request, limit: int) -> dict:
    try:
        body = await read_json(request, limit)
    except BodyRefused as refused:
        raise NncError(failures.REQUEST_TOO_LARGE if refused.too_large else failures.INVALID_REQUEST, refused.message) from None
    if not isinstance(body, dict):
        raise NncError(failures.INVALID_REQUEST, 'the body must be a JSON object with "executor" and "inputs"')
    if not isinstance(body.get("executor", ""), str):
        raise NncError(failures.INVALID_REQUEST, '"executor" must be a string such as "Executor"')
    return body
