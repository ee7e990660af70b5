"""The checks every inference passes, whatever its contract, and the call to Triton.

Cheapest first, all from memory: the caller's address, the key, whether the API serves now.
Then the serving version's metadata, a trial API's reservation (serving.trial_quota: the one
registry call on the hot path, it must be exact) and Triton. Each refusal is a `Refusal`; each contract's adapter
words it in its own error table.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

import grpc
import numpy as np

from services.gateway.serving.catalog import Endpoint
from services.gateway.serving.inference_runtime import InferenceRuntime
from services.gateway.serving.refusals import Refusal, Refused
from services.gateway.serving.triton_pool import TritonFailure
from services.policy.schedule import is_within
from services.policy.secret_digests import credential_id_of, matches
from services.policy.triton_names import triton_model_name
from services.runtime.logging import get_logger
from torii.v1 import apis_pb2, models_pb2

log = get_logger("inference")

SERVERLESS_TIMEOUT_S = 30.0
"""The NNC contract's serverless limit: one inference must finish within 30 s."""

_SERVING = (apis_pb2.API_STATUS_RUNNING, apis_pb2.API_STATUS_UPDATING)
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def check_caller(runtime: InferenceRuntime, endpoint: Endpoint, address: str, key: str, now: datetime) -> None:
    """`address`: the caller's, as the HTTP edge reads it (http_base.peers); `key`: as it was sent;
    `now`: runtime.clock(), read once per request."""
    if not endpoint.admits(address):
        raise Refused(Refusal.ADDRESS_REFUSED)
    key = key.strip()
    key_id = credential_id_of(key) or ""
    stored = endpoint.key_digests.get(key_id)
    if stored is None or not matches(key, stored):
        owner = runtime.catalog.owner_of_key(key_id)
        if (
            owner is not None
            and owner is not endpoint
            and matches(key, owner.key_digests[key_id])
            and not owner.key_expired(key_id, now)
        ):
            raise Refused(Refusal.KEY_OF_ANOTHER_API)
        raise Refused(Refusal.INVALID_KEY)
    # An expired key is refused as if it were wrong: nothing tells a caller it once worked.
    if endpoint.key_expired(key_id, now):
        raise Refused(Refusal.INVALID_KEY)
    runtime.usage.key_used(key_id, now)


def check_enabled(endpoint: Endpoint, now: datetime) -> None:
    api = endpoint.api
    if not api.public:
        raise Refused(Refusal.NOT_PUBLIC, "its Public switch is OFF")
    if api.status == apis_pb2.API_STATUS_STOPPED:
        raise Refused(Refusal.STOPPED, "it is stopped")
    if not is_within(endpoint.schedule, now):
        schedule = endpoint.schedule
        days = ", ".join(_WEEKDAYS[day - 1] for day in schedule.weekdays)
        raise Refused(Refusal.OUTSIDE_SCHEDULE, f"it runs {schedule.start:%H:%M}-{schedule.end:%H:%M} UTC on {days}")
    if api.status == apis_pb2.API_STATUS_FAILED:
        raise Refused(Refusal.DEPLOY_FAILED, "its owner finds the reason in the API's status")
    if api.status not in _SERVING or not api.serving_model_version_id:
        raise Refused(Refusal.NOT_READY)


async def serving_version(runtime: InferenceRuntime, api: apis_pb2.PublishedApi) -> models_pb2.ModelVersion:
    try:
        return await runtime.catalog.version(api.serving_model_version_id)
    except grpc.aio.AioRpcError as error:
        log.warning("model_version_unavailable", api_id=api.api_id, code=error.code().name)
        raise Refused(Refusal.BACKEND_UNAVAILABLE) from None


async def run_model(
    runtime: InferenceRuntime,
    endpoint: Endpoint,
    version: models_pb2.ModelVersion,
    inputs: dict[str, np.ndarray],
    request_id: str,
    outputs: Sequence[str] | None = None,
) -> dict[str, np.ndarray]:
    """The model's outputs for `inputs`. Rows beyond the model's largest batch go to Triton in
    several requests at once (its dynamic batcher may join them again), answered in order."""
    api = endpoint.api
    timeout_s = SERVERLESS_TIMEOUT_S if endpoint.serverless else runtime.dedicated_timeout_s
    model_name = triton_model_name(api.api_id, api.serving_model_version_id)
    triton = runtime.triton
    try:
        limit = triton.known_max_batch_size(model_name)
        if limit is None:
            limit = await triton.max_batch_size(model_name, timeout_s=timeout_s)
        rows = len(next(iter(inputs.values()))) if inputs else 0
        if limit <= 0 or rows <= limit:
            return await triton.infer(
                model_name, inputs, version.signature, request_id=request_id, timeout_s=timeout_s, outputs=outputs
            )
        parts = await asyncio.gather(
            *(
                triton.infer(
                    model_name,
                    {name: array[start : start + limit] for name, array in inputs.items()},
                    version.signature,
                    request_id=request_id,
                    timeout_s=timeout_s,
                    outputs=outputs,
                )
                for start in range(0, rows, limit)
            )
        )
    except TritonFailure as failure:
        raise _triton_refusal(failure, api.api_id) from None
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def _triton_refusal(failure: TritonFailure, api_id: str) -> Refused:
    log.warning("triton_failed", api_id=api_id, status=str(failure.code), message=failure.message)
    if failure.code is grpc.StatusCode.DEADLINE_EXCEEDED:
        return Refused(Refusal.TIMED_OUT)
    if failure.code is grpc.StatusCode.UNAVAILABLE:
        # Triton answers UNAVAILABLE for a model it has not loaded (yet) as for itself being away;
        # only its message tells them apart.
        if "model" in failure.message.lower():
            return Refused(Refusal.NOT_READY)
        return Refused(Refusal.BACKEND_UNAVAILABLE)
    if failure.code is grpc.StatusCode.NOT_FOUND:
        return Refused(Refusal.NOT_READY)
    return Refused(Refusal.MODEL_FAILURE)
