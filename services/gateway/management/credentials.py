"""Bearer tokens, API keys and Prediction One keys: listed with their last use, revoked, expired."""

from __future__ import annotations

from datetime import datetime

from aiohttp import web
from google.protobuf.timestamp_pb2 import Timestamp

from services.gateway.errors import invalid_argument
from services.gateway.http_base.routing import Call, Response, Route, json
from services.gateway.http_base.schema_words import uuids
from services.gateway.management import schemas
from services.gateway.management.converters import credential_json
from torii.v1 import registry_service_pb2 as rs


async def list_credentials(call: Call) -> web.Response:
    reply = await call.registry.ListCredentials(
        rs.ListCredentialsRequest(
            actor_user_id=call.user.user_id,
            account_id=call.query.get("account_id", ""),
            user_id=call.query.get("user_id", ""),
        )
    )
    return json({"credentials": [credential_json(credential) for credential in reply.credentials]})


async def revoke_credential(call: Call) -> web.Response:
    await call.registry.RevokeCredential(
        rs.RevokeCredentialRequest(actor_user_id=call.user.user_id, credential_id=call.path("credential_id"))
    )
    return web.Response(status=204)


async def set_credential_expiry(call: Call) -> web.Response:
    request = rs.SetCredentialExpiryRequest(actor_user_id=call.user.user_id, credential_id=call.path("credential_id"))
    given = call.body["expires_at"]
    if given is not None:
        request.expires_at.CopyFrom(expiry_timestamp(given))
    reply = await call.registry.SetCredentialExpiry(request)
    return json({"credential": credential_json(reply.credential)})


def expiry_timestamp(text: str) -> Timestamp:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise invalid_argument(f'"expires_at" is {text!r}, which is not an RFC 3339 time') from None
    if moment.tzinfo is None:
        raise invalid_argument(f'"expires_at" is {text!r}: give its time zone, e.g. 2030-01-31T09:00:00Z')
    stamp = Timestamp()
    try:
        stamp.FromDatetime(moment)
    except (OverflowError, ValueError):  # a time zone that moves it past year 9999 or before year 1
        raise invalid_argument(f'"expires_at" is {text!r}, which is out of range') from None
    return stamp


_PATH = "/manage/v1/credentials/{credential_id}"

ROUTES = [
    Route(
        "GET",
        "/manage/v1/credentials",
        list_credentials,
        "List the bearer tokens, API keys and Prediction One keys the caller may manage, with their last use",
        "credentials",
        {200: Response("the credentials, without their secrets", schemas.CREDENTIAL_LIST)},
        query=schemas.CREDENTIAL_QUERY,
        errors=(404,),
    ),
    Route(
        "DELETE",
        _PATH,
        revoke_credential,
        "Revoke a credential: it is refused from now on",
        "credentials",
        {204: Response("revoked")},
        errors=(400, 404),
        path_parameters=uuids("credential_id"),
    ),
    Route(
        "PATCH",
        _PATH,
        set_credential_expiry,
        "Set when a credential stops working, or (null) clear it",
        "credentials",
        {200: Response("the credential", schemas.CREDENTIAL_ANSWER)},
        body=schemas.CREDENTIAL_EXPIRY,
        errors=(404, 413),
        path_parameters=uuids("credential_id"),
    ),
]
