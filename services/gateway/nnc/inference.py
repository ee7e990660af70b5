"""The NNC inference route: POST {API URL} with x-api-key, inputs in, outputs out.

Checks run cheapest first, from memory: the API behind the URL, the caller's address, the key,
whether the API is enabled now. Then the body is decoded against the serving model version and
sent to Triton. A trial API's quota is the one registry call on this path: it must be exact.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

import grpc
import orjson
from aiohttp import web

from services.gateway.keys import REGISTRY
from services.gateway.nnc import contract_errors as failures
from services.gateway.nnc.catalog import ApiCatalog, Endpoint
from services.gateway.nnc.contract_errors import NncError, error_response, json_response
from services.gateway.nnc.decoding import ALL_TYPES, SERVERLESS_TYPES, decode_inputs
from services.gateway.nnc.encoding import encode_outputs, version_label
from services.gateway.nnc.errors import InvalidRequest
from services.gateway.nnc.peers import caller_address
from services.gateway.nnc.triton_pool import InferenceServerException, TritonPool
from services.gateway.nnc.usage import UsageRecorder
from services.policy.access import Network, is_allowed
from services.policy.schedule import is_within
from services.policy.secrets import credential_id_of, matches
from services.policy.triton_names import triton_model_name
from services.runtime.logging import get_logger, request_id_var
from torii.v1 import apis_pb2, registry_service_pb2

log = get_logger("nnc")

API_KEY_HEADER = "x-api-key"
SERVERLESS_TIMEOUT_S = 30.0
"""The contract's serverless limit: one inference must finish within 30 s."""

_SERVING = (apis_pb2.API_STATUS_RUNNING, apis_pb2.API_STATUS_UPDATING)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class InferenceRuntime:
    """What the inference route keeps for the application's lifetime."""

    catalog: ApiCatalog
    triton: TritonPool
    usage: UsageRecorder
    trusted_proxies: tuple[Network, ...]
    max_body_bytes: int
    dedicated_timeout_s: float
    clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)


RUNTIME = web.AppKey("nnc_runtime", InferenceRuntime)


async def infer(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    request_id = request_id_var.get()
    endpoint = runtime.catalog.find(request.path)
    try:
        if endpoint is None:
            raise NncError(failures.NO_SUCH_API)
        response = await _answer(request, runtime, endpoint, request_id)
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
    if not is_allowed(endpoint.rules, caller_address(request, runtime.trusted_proxies), ordered=True):
        raise NncError(failures.ADDRESS_REFUSED)
    _check_key(endpoint, request.headers.get(API_KEY_HEADER, ""))
    _check_enabled(endpoint, runtime.clock())
    body = await _read_json(request, runtime.max_body_bytes)
    try:
        version = await runtime.catalog.version(api.serving_model_version_id)
    except grpc.aio.AioRpcError as error:
        log.warning("model_version_unavailable", api_id=api.api_id, code=error.code().name)
        raise NncError(failures.BACKEND_UNAVAILABLE) from None
    try:
        inputs = decode_inputs(
            body.get("inputs"), version, allowed_types=SERVERLESS_TYPES if endpoint.serverless else ALL_TYPES
        )
    except InvalidRequest as error:
        raise NncError(failures.INVALID_REQUEST, error.message) from None
    if endpoint.trial:
        await _reserve_trial_request(request, api.api_id)
    outputs = await _run(runtime, endpoint, version, inputs, request_id)
    return json_response(
        {"version": version_label(version.created_at.ToDatetime(timezone.utc)), "outputs": encode_outputs(outputs, version.signature)}
    )


def _check_key(endpoint: Endpoint, key: str) -> None:
    key = key.strip()
    stored = endpoint.key_digests.get(credential_id_of(key) or "")
    if stored is None or not matches(key, stored):
        raise NncError(failures.INVALID_API_KEY)


def _check_enabled(endpoint: Endpoint, now: datetime) -> None:
    api = endpoint.api
    if not api.public:
        raise NncError(failures.NOT_ENABLED, "its Public switch is OFF")
    if api.status == apis_pb2.API_STATUS_STOPPED:
        raise NncError(failures.NOT_ENABLED, "it is stopped")
    if not is_within(endpoint.schedule, now):
        schedule = endpoint.schedule
        days = ", ".join(_WEEKDAYS[day - 1] for day in schedule.weekdays)
        raise NncError(
            failures.OUTSIDE_SCHEDULE,
            f"it runs {schedule.start:%H:%M}-{schedule.end:%H:%M} UTC on {days}",
        )
    if api.status == apis_pb2.API_STATUS_FAILED:
        raise NncError(failures.DEPLOY_FAILED, "its owner finds the reason in the API's status")
    if api.status not in _SERVING or not api.serving_model_version_id:
        raise NncError(failures.NOT_READY)


async def _read_json(request: web.Request, limit: int) -> dict:
    if request.content_length is not None and request.content_length > limit:
        raise NncError(failures.REQUEST_TOO_LARGE, f"the body is larger than {limit} bytes")
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise NncError(failures.REQUEST_TOO_LARGE, f"the body is larger than {limit} bytes") from None
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise NncError(failures.INVALID_REQUEST, "the body is not JSON") from None
    if not isinstance(body, dict):
        raise NncError(failures.INVALID_REQUEST, 'the body must be a JSON object with "executor" and "inputs"')
    if not isinstance(body.get("executor", ""), str):
        raise NncError(failures.INVALID_REQUEST, '"executor" must be a string such as "Executor"')
    return body


async def _reserve_trial_request(request: web.Request, api_id: str) -> None:
    try:
        answer = await request.app[REGISTRY].registry().ReserveTrialRequest(
            registry_service_pb2.ReserveTrialRequestRequest(api_id=api_id)
        )
    except grpc.aio.AioRpcError as error:
        log.warning("trial_reservation_failed", api_id=api_id, code=error.code().name)
        raise NncError(failures.BACKEND_UNAVAILABLE) from None
    if not answer.granted:
        raise NncError(failures.QUOTA_USED_UP, f"this trial API has answered its {answer.limit} requests")


async def _run(runtime: InferenceRuntime, endpoint: Endpoint, version, inputs, request_id: str):
    api = endpoint.api
    timeout_s = SERVERLESS_TIMEOUT_S if endpoint.serverless else runtime.dedicated_timeout_s
    try:
        return await runtime.triton.infer(
            triton_model_name(api.api_id, api.serving_model_version_id),
            inputs,
            version.signature,
            request_id=request_id,
            timeout_s=timeout_s,
        )
    except InferenceServerException as error:
        raise _triton_failure(error, api.api_id) from None


def _triton_failure(error: InferenceServerException, api_id: str) -> NncError:
    status = str(error.status() or "")
    log.warning("triton_failed", api_id=api_id, status=status, message=error.message())
    if "DEADLINE_EXCEEDED" in status:
        return NncError(failures.TIMED_OUT)
    if "UNAVAILABLE" in status:
        if "model" in (error.message() or "").lower():
            return NncError(failures.NOT_READY)
        return NncError(failures.BACKEND_UNAVAILABLE)
    if "NOT_FOUND" in status:
        return NncError(failures.NOT_READY)
    return NncError(failures.MODEL_FAILURE)
