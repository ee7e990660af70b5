"""The OpenAI chat contract's routes in the gateway's route table."""

from __future__ import annotations

from services.gateway.http_base.routing import Response, Route, SecurityScheme
from services.gateway.openai_chat import schemas
from services.gateway.openai_chat.completions import chat_completions
from services.gateway.openai_chat.model_list import get_model, list_models

_KEY = (SecurityScheme("openaiChatKey", {"type": "http", "scheme": "bearer"}),)

ROUTES = [
    Route(
        "POST",
        "/v1/chat/completions",
        chat_completions,
        "OpenAI chat completion: JSON, or server-sent events with stream true; the API key as a bearer token",
        "openai",
        {
            200: Response("the completion", schemas.CHAT_COMPLETION),
            # The same status, a stream of chat.completion.chunk events ending with data: [DONE].
        },
        authenticated=False,
        errors=(400, 401, 402, 403, 404, 413, 429, 500, 503),
        contract_body=schemas.CHAT_REQUEST,
        error_schema=schemas.ERROR,
        security=_KEY,
    ),
    Route(
        "GET",
        "/v1/models",
        list_models,
        "The chat models the key may call",
        "openai",
        {200: Response("the models", schemas.MODEL_LIST)},
        authenticated=False,
        errors=(401,),
        error_schema=schemas.ERROR,
        security=_KEY,
    ),
    Route(
        "GET",
        "/v1/models/{model:.+}",
        get_model,
        "One chat model; its id may hold '/', raw or as %2F",
        "openai",
        {200: Response("the model", schemas.MODEL)},
        authenticated=False,
        errors=(401, 404),
        error_schema=schemas.ERROR,
        security=_KEY,
    ),
]
