"""Published APIs: creation, info, settings, stop/start, lock, delete, access rules, keys, usage."""

from __future__ import annotations

from datetime import date

from aiohttp import web

from services.gateway.errors import invalid_argument
from services.gateway.http_base.routing import Call, Response, Route, json
from services.gateway.http_base.schema_words import uuids
from services.gateway.management import schemas
from services.gateway.management.converters import (
    api_info,
    create_api_request,
    rule_from_json,
    update_api_request,
    usage_json,
)
from torii.v1 import registry_service_pb2 as rs


def _info(call: Call, api, status: int = 200) -> web.Response:
    """Every answer about one API wraps it as {"api": ...}, as creation does (beside its key)."""
    return json({"api": api_info(api, call.base_url())}, status=status)


async def create_api(call: Call) -> web.Response:
    reply = await call.registry.CreateApi(create_api_request(call.body, call.user))
    return json({"api": api_info(reply.api, call.base_url()), "api_key": reply.api_key.secret}, status=201)


async def list_apis(call: Call) -> web.Response:
    # No account_id lists every account the caller may see (the registry decides which).
    reply = await call.registry.ListApis(
        rs.ListApisRequest(actor_user_id=call.user.user_id, account_id=call.query.get("account_id", ""))
    )
    base_url = call.base_url()
    return json({"apis": [api_info(api, base_url) for api in reply.apis]})


async def get_api(call: Call) -> web.Response:
    reply = await call.registry.GetApi(rs.GetApiRequest(actor_user_id=call.user.user_id, api_id=call.path("api_id")))
    return _info(call, reply.api)


async def update_api(call: Call) -> web.Response:
    reply = await call.registry.UpdateApi(update_api_request(call.body, call.user, call.path("api_id")))
    return _info(call, reply.api)


async def stop_api(call: Call) -> web.Response:
    reply = await call.registry.StopApi(rs.StopApiRequest(actor_user_id=call.user.user_id, api_id=call.path("api_id")))
    return _info(call, reply.api)


async def start_api(call: Call) -> web.Response:
    reply = await call.registry.StartApi(
        rs.StartApiRequest(actor_user_id=call.user.user_id, api_id=call.path("api_id"))
    )
    return _info(call, reply.api)


async def lock_api(call: Call) -> web.Response:
    reply = await call.registry.LockApi(rs.LockApiRequest(actor_user_id=call.user.user_id, api_id=call.path("api_id")))
    return _info(call, reply.api)


async def unlock_api(call: Call) -> web.Response:
    reply = await call.registry.UnlockApi(
        rs.UnlockApiRequest(actor_user_id=call.user.user_id, api_id=call.path("api_id"))
    )
    return _info(call, reply.api)


async def delete_api(call: Call) -> web.Response:
    await call.registry.DeleteApi(rs.DeleteApiRequest(actor_user_id=call.user.user_id, api_id=call.path("api_id")))
    return web.Response(status=204)


async def add_rule(call: Call) -> web.Response:
    reply = await call.registry.AddAccessRule(
        rs.AddAccessRuleRequest(
            actor_user_id=call.user.user_id, api_id=call.path("api_id"), rule=rule_from_json(call.body)
        )
    )
    return _info(call, reply.api, status=201)


async def remove_rule(call: Call) -> web.Response:
    reply = await call.registry.RemoveAccessRule(
        rs.RemoveAccessRuleRequest(actor_user_id=call.user.user_id, api_id=call.path("api_id"), cidr=call.query["cidr"])
    )
    return _info(call, reply.api)


async def create_key(call: Call) -> web.Response:
    reply = await call.registry.CreateApiKey(
        rs.CreateApiKeyRequest(actor_user_id=call.user.user_id, api_id=call.path("api_id"))
    )
    return json({"api_key": reply.api_key.secret}, status=201)


async def get_usage(call: Call) -> web.Response:
    first, last = _day(call.query, "from"), _day(call.query, "to")
    if first and last and first > last:
        raise invalid_argument(f'"from" ({first}) is after "to" ({last})')
    reply = await call.registry.GetUsage(
        rs.GetUsageRequest(actor_user_id=call.user.user_id, api_id=call.path("api_id"), from_day=first, to_day=last)
    )
    return json(usage_json(reply.days, reply.chat_tokens))


def _day(query: dict[str, str], key: str) -> str:
    if key not in query:
        return ""
    try:
        return date.fromisoformat(query[key]).isoformat()
    except ValueError:
        raise invalid_argument(f'"{key}" is {query[key]!r}, which is not a day that exists') from None


_INFO = {200: Response("the API's info", schemas.API_ANSWER)}
_PATH = "/manage/v1/apis/{api_id}"
_API_ID = uuids("api_id")


def _action(verb: str, handler, summary: str, errors: tuple[int, ...] = (404, 409)) -> Route:
    return Route("POST", f"{_PATH}/{verb}", handler, summary, "apis", _INFO, errors=errors, path_parameters=_API_ID)


ROUTES = [
    Route(
        "POST",
        "/manage/v1/apis",
        create_api,
        "Publish a model version as an API; its key is shown once",
        "apis",
        {201: Response("the API and its first key", schemas.API_CREATED)},
        body=schemas.CREATE_API,
        errors=(404, 409, 413, 429),
    ),
    Route(
        "GET",
        "/manage/v1/apis",
        list_apis,
        "List APIs: of one account, or of every account the caller may see",
        "apis",
        {200: Response("the APIs", schemas.API_LIST)},
        query=schemas.ACCOUNT_QUERY,
    ),
    Route(
        "GET",
        _PATH,
        get_api,
        "An API's info, as the API-creation screen shows it",
        "apis",
        _INFO,
        errors=(404,),
        path_parameters=_API_ID,
    ),
    Route(
        "PATCH",
        _PATH,
        update_api,
        "Change an API's settings; a new execution type changes its URL",
        "apis",
        _INFO,
        body=schemas.UPDATE_API,
        errors=(404, 409, 413),
        path_parameters=_API_ID,
    ),
    Route(
        "DELETE",
        _PATH,
        delete_api,
        "Delete a stopped API",
        "apis",
        {204: Response("deleted")},
        errors=(404, 409),
        path_parameters=_API_ID,
    ),
    _action("stop", stop_api, "Stop an API: it refuses calls (refused while locked)"),
    _action("start", start_api, "Start a stopped API"),
    _action("lock", lock_api, "Lock an API against stop and delete"),
    _action("unlock", unlock_api, "Unlock an API (admins only)"),
    Route(
        "POST",
        f"{_PATH}/rules",
        add_rule,
        "Add an access rule (CIDR allow/deny)",
        "apis",
        {201: Response("the API's info with the new rule", schemas.API_ANSWER)},
        body=schemas.RULE,
        errors=(404, 409, 413),
        path_parameters=_API_ID,
    ),
    Route(
        "DELETE",
        f"{_PATH}/rules",
        remove_rule,
        "Remove the access rule for a CIDR",
        "apis",
        _INFO,
        query=schemas.RULE_QUERY,
        errors=(404,),
        path_parameters=_API_ID,
    ),
    Route(
        "POST",
        f"{_PATH}/keys",
        create_key,
        "Issue another key for an API; it is shown once",
        "apis",
        {201: Response("the new key", schemas.API_KEY)},
        errors=(404,),
        path_parameters=_API_ID,
    ),
    Route(
        "GET",
        f"{_PATH}/usage",
        get_usage,
        "Requests per UTC day, by status class",
        "apis",
        {200: Response("the daily counts", schemas.USAGE)},
        query=schemas.USAGE_QUERY,
        errors=(404,),
        path_parameters=_API_ID,
    ),
]
