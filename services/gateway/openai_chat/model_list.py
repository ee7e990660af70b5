"""GET /v1/models and GET /v1/models/{model}: the chat models the key may call (§6).

A chat API's own key lists that API's model; a chat key lists every chat API it may call (whose
allowlist lets the caller in). Each model's id is as its owner chose it, `created` its publish
time, `owned_by` its account. An id may hold "/"; the route takes it raw or as %2F (newer
`openai` clients send the latter, older ones the former).
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
    caller = access.chat_caller(runtime, call.request, access.bearer_key(call.request))
    endpoints = access.reachable_endpoints(runtime, caller)
    return json_response({"object": "list", "data": [model_json(endpoint) for endpoint in endpoints]})


async def get_model(call: Call) -> web.Response:
    runtime = call.request.app[RUNTIME]
    caller = access.chat_caller(runtime, call.request, access.bearer_key(call.request))
    return json_response(model_json(access.endpoint_for_model(runtime, caller, call.path("model"))))
