"""Chat keys, the OpenAI contract's virtual keys: created with their limits and projects, changed,
rotated, revoked, and their token usage read. The registry's ChatKeyService keeps them; a chat key
is also a credential, so its expiry is changed through /manage/v1/credentials like any other's."""

from __future__ import annotations

from aiohttp import web

from services.gateway.http_base.routing import Call, Response, Route, json
from services.gateway.http_base.schema_words import uuids
from services.gateway.management import schemas
from services.gateway.management.converters import (
    chat_key_json,
    chat_key_usage_json,
    create_chat_key_request,
    update_chat_key_request,
)
from services.gateway.management.credentials import expiry_timestamp
from torii.v1 import chat_key_service_pb2 as cks
from torii.v1 import registry_service_pb2 as rs


async def create_chat_key(call: Call) -> web.Response:
    request = create_chat_key_request(call.body, call.user)
    if call.body.get("expires_at") is not None:
        request.expires_at.CopyFrom(expiry_timestamp(call.body["expires_at"]))
    reply = await call.chat_keys.CreateChatKey(request)
    return json({"chat_key": chat_key_json(reply.key), "api_key": reply.secret.secret}, status=201)


async def list_chat_keys(call: Call) -> web.Response:
    reply = await call.chat_keys.ListChatKeys(
        cks.ListChatKeysRequest(actor_user_id=call.user.user_id, account_id=call.query.get("account_id", ""))
    )
    return json({"chat_keys": [chat_key_json(key) for key in reply.keys]})


async def get_chat_key(call: Call) -> web.Response:
    reply = await call.chat_keys.GetChatKey(
        cks.GetChatKeyRequest(actor_user_id=call.user.user_id, key_id=call.path("key_id"))
    )
    return json({"chat_key": chat_key_json(reply.key)})


async def update_chat_key(call: Call) -> web.Response:
    reply = await call.chat_keys.UpdateChatKey(update_chat_key_request(call.body, call.user, call.path("key_id")))
    return json({"chat_key": chat_key_json(reply.key)})


async def rotate_chat_key(call: Call) -> web.Response:
    reply = await call.chat_keys.RotateChatKey(
        cks.RotateChatKeyRequest(actor_user_id=call.user.user_id, key_id=call.path("key_id"))
    )
    return json({"chat_key": chat_key_json(reply.key), "api_key": reply.secret.secret})


async def revoke_chat_key(call: Call) -> web.Response:
    key_id = call.path("key_id")
    # RevokeCredential takes any credential: asking for the chat key first keeps this route from
    # revoking a bearer token or an API key whose id it was given (404, as for an unknown key).
    await call.chat_keys.GetChatKey(cks.GetChatKeyRequest(actor_user_id=call.user.user_id, key_id=key_id))
    await call.registry.RevokeCredential(
        rs.RevokeCredentialRequest(actor_user_id=call.user.user_id, credential_id=key_id)
    )
    return web.Response(status=204)


async def get_chat_key_usage(call: Call) -> web.Response:
    # The registry reads the days, and refuses one that does not exist or a range the wrong way round.
    reply = await call.chat_keys.GetChatKeyUsage(
        cks.GetChatKeyUsageRequest(
            actor_user_id=call.user.user_id,
            key_id=call.path("key_id"),
            from_day=call.query.get("from_day", ""),
            to_day=call.query.get("to_day", ""),
        )
    )
    return json(chat_key_usage_json(reply.days))


_TAG = "chat keys"
_LIST = "/manage/v1/chat-keys"
_PATH = _LIST + "/{key_id}"
_KEY_ID = uuids("key_id")
_ANSWER = {200: Response("the chat key, without its secret", schemas.CHAT_KEY_ANSWER)}

ROUTES = [
    Route(
        "POST",
        _LIST,
        create_chat_key,
        "Create a chat key (an OpenAI virtual key) for chat APIs of an account; its secret is shown once",
        _TAG,
        {201: Response("the chat key and its secret", schemas.CHAT_KEY_ISSUED)},
        body=schemas.CREATE_CHAT_KEY,
        errors=(404,),
    ),
    Route(
        "GET",
        _LIST,
        list_chat_keys,
        "List the chat keys of an account, without their secrets",
        _TAG,
        {200: Response("the chat keys", schemas.CHAT_KEY_LIST)},
        query=schemas.ACCOUNT_QUERY,
        errors=(404,),
    ),
    Route(
        "GET",
        _PATH,
        get_chat_key,
        "A chat key's APIs, limits and projects",
        _TAG,
        _ANSWER,
        errors=(400,),
        path_parameters=_KEY_ID,
    ),
    Route(
        "PATCH",
        _PATH,
        update_chat_key,
        "Change a chat key's name, APIs, limits or projects (its expiry: PATCH /manage/v1/credentials/{id})",
        _TAG,
        _ANSWER,
        body=schemas.UPDATE_CHAT_KEY,
        path_parameters=_KEY_ID,
    ),
    Route(
        "DELETE",
        _PATH,
        revoke_chat_key,
        "Revoke a chat key: it is refused from now on",
        _TAG,
        {204: Response("revoked")},
        errors=(400,),
        path_parameters=_KEY_ID,
    ),
    Route(
        "POST",
        f"{_PATH}/rotate",
        rotate_chat_key,
        "Replace a chat key's secret, shown once: the old one is refused from now on; its limits and usage stay",
        _TAG,
        {200: Response("the chat key and its new secret", schemas.CHAT_KEY_ISSUED)},
        errors=(400,),
        path_parameters=_KEY_ID,
    ),
    Route(
        "GET",
        f"{_PATH}/usage",
        get_chat_key_usage,
        "A chat key's requests and tokens per UTC day, API and project",
        _TAG,
        {200: Response("the daily counts", schemas.CHAT_KEY_USAGE)},
        query=schemas.CHAT_KEY_USAGE_QUERY,
        path_parameters=_KEY_ID,
    ),
]
