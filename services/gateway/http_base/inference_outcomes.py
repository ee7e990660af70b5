"""Every inference request is counted here, once, for its API, whatever its contract and however
it ended: answered, refused in the contract's shape, or crashed. Most contracts name the API in
the URL (counted_inference); a chat request names it in its key and body, so its route counts
once it knows the API (count_outcome)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from services.gateway.app_keys import RUNTIME
from services.gateway.http_base.routing import Call, Handler
from services.gateway.serving.catalog import Endpoint
from services.gateway.serving.inference_runtime import InferenceRuntime

InferenceAnswer = Callable[[web.Request, InferenceRuntime, Endpoint | None], Awaitable[web.Response]]
"""A contract's inference: the request's answer, every failure already in the contract's shape."""


def counted_inference(answer: InferenceAnswer, operation: str) -> Handler:
    """The route handler (named `operation`, the OpenAPI operationId) that answers with `answer`
    and counts the answer for the API its URL names."""

    async def handle(call: Call) -> web.Response:
        request = call.request
        runtime = request.app[RUNTIME]
        endpoint = runtime.catalog.find(request.path)
        response = await answer(request, runtime, endpoint)
        if endpoint is not None:
            count_outcome(runtime, endpoint, response.status)
        return response

    handle.__name__ = operation
    return handle


def count_outcome(runtime: InferenceRuntime, endpoint: Endpoint, status: int) -> None:
    runtime.usage.count(endpoint.api.api_id, status)
