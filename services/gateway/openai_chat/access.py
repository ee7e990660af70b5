"""Who may call which chat model: the bearer key, the API it opens, and the checks every inference passes.

A chat API's keys are its published API's keys (the management API issues, expires and revokes
them), so a key names exactly one chat API, and `/v1/models` lists that one. The order of the
checks follows OpenAI's: a missing or wrong key is 401 before a model is looked at, an unknown
model (or one the key may not call) is 404, then the API's own state (locked, switched off,
outside its schedule, not loaded) decides.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from services.gateway.http_base.peers import caller_address
from services.gateway.openai_chat import errors
from services.gateway.serving import admission
from services.gateway.serving.catalog import Endpoint
from services.gateway.serving.inference_runtime import InferenceRuntime
from services.gateway.serving.refusals import Refusal, Refused
from services.policy.secret_digests import credential_id_of
from torii.v1 import apis_pb2

RETRY_AFTER_S = 5
"""What a 503 asks a client to wait: a model loads in seconds, and the client retries on its own."""


def bearer_key(request: web.Request) -> str:
    """The key of `Authorization: Bearer <key>`; 401 when there is none."""
    scheme, _, key = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise errors.invalid_api_key()
    return key.strip()


def chat_endpoint_of_key(runtime: InferenceRuntime, request: web.Request, key: str) -> Endpoint:
    """The chat API the key opens, once the key and the caller's address are checked; 401 otherwise."""
    endpoint = runtime.catalog.owner_of_key(credential_id_of(key) or "")
    if endpoint is None or endpoint.api.contract != apis_pb2.API_CONTRACT_OPENAI_CHAT:
        raise errors.invalid_api_key()
    try:
        admission.check_caller(runtime, endpoint, caller_address(request, runtime.trusted_proxies), key)
    except Refused as refused:
        raise refusal_error(refused) from None
    return endpoint


def check_model(endpoint: Endpoint, model_id: str) -> None:
    """404 unless `model_id` is the chat API's model id, exactly as its owner chose it."""
    if endpoint.api.chat_model_id != model_id:
        raise errors.model_not_found(model_id)


def check_serving(runtime: InferenceRuntime, endpoint: Endpoint) -> None:
    """The API answers now: not locked, switched on, started, inside its schedule, loaded."""
    if endpoint.api.locked:
        raise errors.permission_denied("This model is locked by its owner")
    try:
        admission.check_enabled(endpoint, runtime.clock())
    except Refused as refused:
        raise refusal_error(refused) from None


def refusal_error(refused: Refused) -> errors.OpenAIError:
    """The inference core's refusal in the contract's words (§7)."""
    return ERROR_BY_REFUSAL[refused.refusal](refused.detail)


def _retry_later(_detail: str) -> errors.OpenAIError:
    return errors.overloaded(RETRY_AFTER_S)


ERROR_BY_REFUSAL: dict[Refusal, Callable[[str], errors.OpenAIError]] = {
    Refusal.INVALID_KEY: lambda _: errors.invalid_api_key(),
    Refusal.KEY_OF_ANOTHER_API: lambda _: errors.invalid_api_key(),
    Refusal.ADDRESS_REFUSED: lambda _: errors.ip_not_authorized(),
    Refusal.NOT_PUBLIC: lambda detail: errors.permission_denied(f"This model is switched off: {detail}"),
    Refusal.STOPPED: lambda detail: errors.permission_denied(f"This model is switched off: {detail}"),
    Refusal.QUOTA_USED_UP: lambda _: errors.insufficient_quota(),
    Refusal.MODEL_FAILURE: lambda _: errors.server_error(),
    # Outside its schedule, not loaded (yet), failed to deploy, Triton away or too slow: retry later.
    Refusal.OUTSIDE_SCHEDULE: _retry_later,
    Refusal.NOT_READY: _retry_later,
    Refusal.DEPLOY_FAILED: _retry_later,
    Refusal.BACKEND_UNAVAILABLE: _retry_later,
    Refusal.TIMED_OUT: _retry_later,
}
"""Every refusal of the inference core, worded for this contract (Contract.refusals)."""
