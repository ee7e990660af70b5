"""NCP API access keys for the Data Forest contract: made (the secret key shown once), listed,
disabled or enabled, deleted. The registry keeps the secret encrypted and verifies signatures
itself; nothing here ever sees a secret again after creation."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from services.gateway.http_base.routing import Call, Response, Route, json
from services.gateway.http_base.schema_words import obj, string, uuid
from services.gateway.management.converters import timestamp
from services.gateway.management.schemas import ACCOUNT_QUERY, TIMESTAMP
from torii.v1 import ncp_key_service_pb2 as nks

_ACCESS_KEY = string(pattern="^[A-Z0-9]{20}$", description="the access key ID, 20 upper-case letters and digits")
NCP_KEY = obj(
    {
        "access_key": _ACCESS_KEY,
        "account_id": string(),
        "disabled": {"type": "boolean"},
        "created_at": TIMESTAMP,
        "last_used_at": TIMESTAMP,
    },
    ("access_key", "account_id", "disabled", "created_at", "last_used_at"),
    title="NcpKey",
)
NEW_NCP_KEY = obj({"account_id": uuid("defaults to the caller's account")})
NCP_KEY_CHANGE = obj({"disabled": {"type": "boolean"}}, ("disabled",))


def ncp_key_json(key: nks.NcpKey) -> dict[str, Any]:
    return {
        "access_key": key.access_key,
        "account_id": key.account_id,
        "disabled": key.disabled,
        "created_at": timestamp(key.created_at),
        "last_used_at": timestamp(key.last_used_at, key.HasField("last_used_at")),
    }


async def create_ncp_key(call: Call) -> web.Response:
    reply = await call.ncp_keys.CreateNcpKey(
        nks.CreateNcpKeyRequest(actor_user_id=call.user.user_id, account_id=call.body.get("account_id") or "")
    )
    return json({"ncp_key": ncp_key_json(reply.key), "secret_key": reply.secret_key}, status=201)


async def list_ncp_keys(call: Call) -> web.Response:
    reply = await call.ncp_keys.ListNcpKeys(
        nks.ListNcpKeysRequest(actor_user_id=call.user.user_id, account_id=call.query.get("account_id", ""))
    )
    return json({"ncp_keys": [ncp_key_json(key) for key in reply.keys]})


async def change_ncp_key(call: Call) -> web.Response:
    reply = await call.ncp_keys.SetNcpKeyDisabled(
        nks.SetNcpKeyDisabledRequest(
            actor_user_id=call.user.user_id, access_key=call.path("access_key"), disabled=call.body["disabled"]
        )
    )
    return json({"ncp_key": ncp_key_json(reply.key)})


async def delete_ncp_key(call: Call) -> web.Response:
    await call.ncp_keys.DeleteNcpKey(
        nks.DeleteNcpKeyRequest(actor_user_id=call.user.user_id, access_key=call.path("access_key"))
    )
    return web.Response(status=204)


_ONE = "/manage/v1/ncp-keys/{access_key}"
_PATH_PARAMETERS = {"access_key": _ACCESS_KEY}

ROUTES = [
    Route(
        "POST",
        "/manage/v1/ncp-keys",
        create_ncp_key,
        "Make an NCP API access key for the Data Forest contract; its secret key is shown once",
        "ncp keys",
        {201: Response("the key and its secret key", obj({"ncp_key": NCP_KEY, "secret_key": string()}))},
        body=NEW_NCP_KEY,
        errors=(404, 413),
    ),
    Route(
        "GET",
        "/manage/v1/ncp-keys",
        list_ncp_keys,
        "List an account's NCP access keys, without their secrets",
        "ncp keys",
        {200: Response("the keys", obj({"ncp_keys": {"type": "array", "items": NCP_KEY}}, ("ncp_keys",)))},
        query=ACCOUNT_QUERY,
    ),
    Route(
        "PATCH",
        _ONE,
        change_ncp_key,
        "Disable an NCP access key (its requests are refused) or enable it again",
        "ncp keys",
        {200: Response("the key", obj({"ncp_key": NCP_KEY}, ("ncp_key",)))},
        body=NCP_KEY_CHANGE,
        errors=(404, 413),
        path_parameters=_PATH_PARAMETERS,
    ),
    Route(
        "DELETE",
        _ONE,
        delete_ncp_key,
        "Delete an NCP access key",
        "ncp keys",
        {204: Response("deleted")},
        errors=(404,),
        path_parameters=_PATH_PARAMETERS,
    ),
]
