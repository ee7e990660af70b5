"""Accounts, users and their bearer tokens."""

from __future__ import annotations

from aiohttp import web

from services.gateway.http_base.routing import Call, Response, Route, json
from services.gateway.http_base.schema_words import uuids
from services.gateway.management import schemas
from services.gateway.management.converters import ROLE, account_json, user_json
from torii.v1 import registry_service_pb2 as rs


async def create_account(call: Call) -> web.Response:
    reply = await call.registry.CreateAccount(
        rs.CreateAccountRequest(actor_user_id=call.user.user_id, name=call.body["name"])
    )
    return json({"account": account_json(reply.account)}, status=201)


async def create_user(call: Call) -> web.Response:
    reply = await call.registry.CreateUser(
        rs.CreateUserRequest(
            actor_user_id=call.user.user_id,
            account_id=call.account_id(call.body.get("account_id")),
            name=call.body["name"],
            role=ROLE.value(call.body["role"]),
        )
    )
    return json({"user": user_json(reply.user), "token": reply.token.secret}, status=201)


async def list_users(call: Call) -> web.Response:
    reply = await call.registry.ListUsers(
        rs.ListUsersRequest(actor_user_id=call.user.user_id, account_id=call.account_id(call.query.get("account_id")))
    )
    return json({"users": [user_json(user) for user in reply.users]})


async def create_user_token(call: Call) -> web.Response:
    reply = await call.registry.CreateUserToken(
        rs.CreateUserTokenRequest(actor_user_id=call.user.user_id, user_id=call.path("user_id"))
    )
    return json({"token": reply.token.secret}, status=201)


ROUTES = [
    Route(
        "POST",
        "/manage/v1/accounts",
        create_account,
        "Create an account (admins only)",
        "accounts",
        {201: Response("the account", schemas.ACCOUNT_CREATED)},
        body=schemas.CREATE_ACCOUNT,
        errors=(409, 413),
    ),
    Route(
        "POST",
        "/manage/v1/users",
        create_user,
        "Create a user; its first bearer token is shown once",
        "accounts",
        {201: Response("the user and its token", schemas.USER_CREATED)},
        body=schemas.CREATE_USER,
        errors=(404, 409, 413),
    ),
    Route(
        "GET",
        "/manage/v1/users",
        list_users,
        "List an account's users",
        "accounts",
        {200: Response("the users", schemas.USER_LIST)},
        query=schemas.ACCOUNT_QUERY,
    ),
    Route(
        "POST",
        "/manage/v1/users/{user_id}/tokens",
        create_user_token,
        "Issue another bearer token for a user; it is shown once",
        "accounts",
        {201: Response("the new token", schemas.TOKEN_CREATED)},
        errors=(404,),
        path_parameters=uuids("user_id"),
    ),
]
