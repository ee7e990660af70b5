"""Every inference request is counted here, once, for the API its URL names, whatever its
contract and however it ended: answered, refused in the contract's shape, or crashed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from services.gateway.app_keys import RUNTIME
from services.gateway.serving.catalog import Endpoint
from services.gateway.serving.inference_runtime import InferenceRuntime

InferenceAnswer = Callable[[web.Request, InferenceRuntime, Endpoint | None], Awaitable[web.Response]]
"""A contract's inference: the request's answer, every failure already in the contract's shape."""


async def counted_inference(request: web.Request, answer: InferenceAnswer) -> web.Response:
    runtime = request.app[RUNTIME]
    endpoint = runtime.catalog.find(request.path)
    response = await answer(request, runtime, endpoint)
    if endpoint is not None:
        runtime.usage.count(endpoint.api.api_id, response.status)
    return response
