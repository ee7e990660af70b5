"""GET /v1/models and GET /v1/models/{model}: the chat models the key may call (§6).

A key opens one chat API, so the list holds that API's model: its id as its owner chose it,
`created` its publish time, `owned_by` its account. An id may hold "/"; the route takes it raw or
as %2F (newer `openai` clients send the latter, older ones the former).
"""

from __future__ import annotations

from aiohttp import web

from services.gateway.app_keys import RUNTIME
from services.gateway.http_base.json_responses import json_response
from services.gateway.http_base.routing import Call
from services.gateway.openai_chat import access
from services.gateway.serving.catalog import Endpoint


def model_json(endpoint: Endpoint) -> dict[str, object]:
    api = endpoint.api
    return {
        "id": api.chat_model_id,
        "object": "model",
        "created": api.created_at.seconds,
        "owned_by": api.account_id,
    }


async def list_models(call: Call) -> web.Response:
    runtime = call.request.app[RUNTIME]
    endpoint = access.chat_endpoint_of_key(runtime, call.request, access.bearer_key(call.request))
    return json_response({"object": "list", "data": [model_json(endpoint)]})


async def get_model(call: Call) -> web.Response:
    runtime = call.request.app[RUNTIME]
    endpoint = access.chat_endpoint_of_key(runtime, call.request, access.bearer_key(call.request))
    access.check_model(endpoint, call.path("model"))
    return json_response(model_json(endpoint))
