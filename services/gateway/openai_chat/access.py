"""Who may call which chat model: the bearer key, the chat APIs it opens, and the checks every
inference passes.

A key is either one chat API's own key (the management API issues, expires and revokes them with
the API) or a chat key, which may call several chat APIs of its account within the limits the
registry keeps (key_limits). The order of the checks follows OpenAI's: a missing or wrong key is
401 before a model is looked at, an unknown model (or one the key may not call) is 404, then the
API's own state (locked, switched off, outside its schedule, not loaded) decides.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from services.gateway.http_base.peers import caller_address
from services.gateway.openai_chat import errors
from services.gateway.serving import admission
from services.gateway.serving.catalog import Endpoint
from services.gateway.serving.inference_runtime import InferenceRuntime
from services.gateway.serving.refusals import Refusal, Refused
from services.policy.secret_digests import credential_id_of, matches

RETRY_AFTER_S = 5
"""What a 503 asks a client to wait: a model loads in seconds, and the client retries on its own."""


@dataclass(frozen=True)
class ChatCaller:
    """A caller whose key is known and valid; which of its APIs it may reach is decided per API."""

    key: str
    key_id: str
    address: str
    endpoints: tuple[Endpoint, ...]
    """The chat APIs the key may call, by model id."""
    chat_key: bool
    """A chat key: the registry admits each request (key_limits)."""

    @property
    def only_endpoint(self) -> Endpoint | None:
        """The API every request of this key is about, when it may call just one."""
        return self.endpoints[0] if len(self.endpoints) == 1 else None


def bearer_key(request: web.Request) -> str:
    """The key of `Authorization: Bearer <key>`; 401 when there is none."""
    scheme, _, key = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise errors.invalid_api_key()
    return key.strip()


def chat_caller(runtime: InferenceRuntime, request: web.Request, key: str) -> ChatCaller:
    """The caller of a valid chat key; 401 for a key that is unknown, wrong or expired."""
    key_id = credential_id_of(key) or ""
    endpoints = runtime.catalog.chat_endpoints_of_key(key_id)
    if not endpoints:
        raise errors.invalid_api_key()
    # The key's digest and expiry are the same in every API that lists it.
    first = endpoints[0]
    if not matches(key, first.key_digests[key_id]) or first.key_expired(key_id, runtime.clock()):
        raise errors.invalid_api_key()
    return ChatCaller(
        key=key,
        key_id=key_id,
        address=caller_address(request, runtime.trusted_proxies),
        endpoints=tuple(sorted(endpoints, key=lambda endpoint: endpoint.api.chat_model_id)),
        chat_key=key_id in first.chat_key_ids,
    )


def endpoint_for_model(runtime: InferenceRuntime, caller: ChatCaller, model_id: str) -> Endpoint:
    """The chat API called `model_id` (exactly as its owner chose it) that the caller may reach:
    404 unless the key may call it, 401 when the caller's address is outside its allowlist."""
    for endpoint in caller.endpoints:
        if endpoint.api.chat_model_id == model_id:
            _open(runtime, caller, endpoint)
            return endpoint
    raise errors.model_not_found(model_id)


def reachable_endpoints(runtime: InferenceRuntime, caller: ChatCaller) -> list[Endpoint]:
    """The chat APIs whose allowlist lets the caller in; 401 when none does."""
    reachable = []
    refused: errors.OpenAIError | None = None
    for endpoint in caller.endpoints:
        try:
            _open(runtime, caller, endpoint)
        except errors.OpenAIError as error:
            refused = error
            continue
        reachable.append(endpoint)
    if not reachable and refused is not None:
        raise refused
    return reachable


def _open(runtime: InferenceRuntime, caller: ChatCaller, endpoint: Endpoint) -> None:
    try:
        admission.check_caller(runtime, endpoint, caller.address, caller.key, runtime.clock())
    except Refused as refused:
        raise refusal_error(refused) from None


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
