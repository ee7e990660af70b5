"""The Data Forest contract (NAVER Cloud's AI Workspaces API, shared/contracts/dataforest.md):
everything under /api/v2/, signed with NCP access keys, in JSON or XML, every failure in one of
its two error layers (§7, §8.3, §8.4).

Every operation of §4: accounts/getList and the AI workspace operations, whose workspaces the
scheduler's workspace runner runs as containers.
"""

from __future__ import annotations

from aiohttp import web

from services.gateway.dataforest import accounts, docker_images, errors, workspaces
from services.gateway.dataforest.exchange import answers_in_xml
from services.gateway.dataforest.wire import data_forest_error, gateway_error
from services.gateway.http_base.contract import Contract
from services.gateway.http_base.routing import Response, Route, SecurityScheme
from services.gateway.http_base.schema_words import obj, string
from services.gateway.http_base.unreadable_requests import Unreadable
from services.runtime.logging import get_logger

log = get_logger("dataforest")

_TAG = "Data Forest"
_SIGNED = (
    SecurityScheme(
        "ncpSignatureV2",
        {
            "type": "apiKey",
            "in": "header",
            "name": "x-ncp-apigw-signature-v2",
            "description": "Base64 HMAC-SHA256 of `METHOD target\\ntimestamp\\naccessKey` under the secret key, with"
            " x-ncp-apigw-timestamp (epoch ms, within 5 minutes) and x-ncp-iam-access-key",
        },
    ),
)
# One schema for both layers (§7): the Data Forest layer sends message and success, the API
# Gateway layer (signatures, unknown paths, sizes) sends error.
ERROR = obj(
    {
        "message": string(),
        "success": {"type": "boolean"},
        "error": obj({"errorCode": string(), "message": string()}, ("errorCode", "message")),
    },
    title="DataForestError",
)
_ACCOUNT = obj(
    {
        "id": string(),
        "name": string(),
        "principal": string(),
        "status": string(),
        "createdAt": string(),
        "disabled": {"type": "boolean"},
    }
)
_ACCOUNT_LIST = obj(
    {
        "contents": {"type": "array", "items": _ACCOUNT},
        "message": string(),
        "success": {"type": "boolean"},
        "total": {"type": "integer"},
    },
    ("contents", "success", "total"),
)
_IMAGE_LIST = obj(
    {
        "dockerImages": {"type": "object", "additionalProperties": {"type": "array", "items": string()}},
        "message": string(),
        "success": {"type": "boolean"},
    },
    ("dockerImages", "success"),
)
_CHANGED = obj({"id": string(), "success": {"type": "boolean"}}, ("id", "success"))
_READ = {"message": string(), "success": {"type": "boolean"}}
_CONFIGURATION = obj(
    {
        "data": {"type": "object"},
        "docker": obj(
            {
                "args": string(),
                "command": string(),
                "env": {"type": "object", "additionalProperties": string()},
                "exposeTcpPorts": {"type": "array", "items": {"type": "integer"}},
                "image": string(),
                "workdir": string(),
            }
        ),
        "name": string(),
        "queueName": string(),
        "resource": obj(
            {
                "cpuCount": {"type": "integer"},
                "gpuCount": {"type": "integer"},
                "gpuModel": string(),
                "memoryMb": {"type": "integer"},
            }
        ),
        "userPackageUri": string(),
    },
    title="AiAppTypeSpec",
)
_WORKSPACE_ITEM = obj(
    {
        "accountName": string(),
        "createdAt": string(),
        "description": string(),
        "disabled": {"type": "boolean"},
        "id": string(),
        "imageVersion": string(),
        "modifiedAt": string(),
        "name": string(),
    }
)
_CONFIGURATION_RECORD = obj({"configuration": _CONFIGURATION, "createdAt": string(), "modifiedAt": string()})
_RECORDS = {"type": "array", "items": _CONFIGURATION_RECORD}
_BY_ID = obj({"id": string()}, ("id",))


def _route(path: str, handler, summary: str, answer, body) -> Route:
    return Route(
        "POST",
        path,
        handler,
        summary,
        _TAG,
        {200: Response("the answer (XML when Accept asks for it alone)", answer)},
        authenticated=False,
        contract_body=body,
        error_schema=ERROR,
        errors=(400, 401, 403, 404, 413, 500, 503),
        security=_SIGNED,
    )


ROUTES = (
    _route(
        "/api/v2/accounts/getList",
        accounts.get_account_list,
        "Data Forest: the accounts the access key may use",
        _ACCOUNT_LIST,
        obj({}),
    ),
    _route(
        "/api/v2/aiworkspaces/getDockerImageList",
        docker_images.get_docker_image_list,
        "Data Forest: the images workspaces may run, by type",
        _IMAGE_LIST,
        obj({"search": obj({"typeName": string()})}),
    ),
    _route(
        "/api/v2/aiworkspaces/create",
        workspaces.create,
        "Data Forest: create an AI workspace (its container starts once placed)",
        _CHANGED,
        obj(
            {"accountId": string(), "name": string(), "description": string(), "configuration": _CONFIGURATION},
            ("accountId", "name", "configuration"),
        ),
    ),
    _route(
        "/api/v2/aiworkspaces/setConfiguration",
        workspaces.set_configuration,
        "Data Forest: give a workspace a new configuration (its container is replaced)",
        _CHANGED,
        obj({"id": string(), "configuration": _CONFIGURATION}, ("id", "configuration")),
    ),
    _route(
        "/api/v2/aiworkspaces/delete",
        workspaces.delete,
        "Data Forest: delete a workspace and its container",
        _CHANGED,
        _BY_ID,
    ),
    _route(
        "/api/v2/aiworkspaces/getList",
        workspaces.get_list,
        "Data Forest: the account's workspaces",
        obj({"contents": {"type": "array", "items": _WORKSPACE_ITEM}, "total": {"type": "integer"}, **_READ}),
        obj({"search": obj({"accountId": string()})}),
    ),
    _route(
        "/api/v2/aiworkspaces/getDetail",
        workspaces.get_detail,
        "Data Forest: one workspace, its configuration and (a Torii extension) its container's state",
        obj(
            {
                "id": string(),
                "name": string(),
                "accountId": string(),
                "accountName": string(),
                "description": string(),
                "imageVersion": string(),
                "createdAt": string(),
                "modifiedAt": string(),
                "contents": _RECORDS,
                "runtime": {"type": "object"},
                **_READ,
            }
        ),
        _BY_ID,
    ),
    _route(
        "/api/v2/aiworkspaces/getConfigurationList",
        workspaces.get_configuration_list,
        "Data Forest: every configuration a workspace has had, oldest first",
        obj({"contents": _RECORDS, "total": {"type": "integer"}, **_READ}),
        _BY_ID,
    ),
    _route(
        "/api/v2/aiworkspaces/checkAvailableName",
        workspaces.check_available_name,
        "Data Forest: whether a workspace name is free in the account",
        obj({"availableName": {"type": "boolean"}, **_READ}),
        obj({"accountId": string(), "name": string()}, ("accountId", "name")),
    ),
)


def _gateway_answer(request: web.Request, error: errors.GatewayLayerError) -> web.Response:
    data, content_type = gateway_error(error.code, error.message, xml=answers_in_xml(request))
    return web.Response(status=error.status, body=data, headers={"Content-Type": content_type})


def _data_forest_answer(request: web.Request, error: errors.DataForestError) -> web.Response:
    data, content_type = data_forest_error(error.message, xml=answers_in_xml(request))
    return web.Response(status=error.status, body=data, headers={"Content-Type": content_type})


def failure(request: web.Request, error: Exception) -> web.Response:
    if isinstance(error, errors.GatewayLayerError):
        log.info("dataforest_refused", path=request.path, status=error.status, code=error.code)
        return _gateway_answer(request, error)
    if isinstance(error, errors.DataForestError):
        log.info("dataforest_refused", path=request.path, status=error.status, message=error.message)
        return _data_forest_answer(request, error)
    log.exception("dataforest_crashed", path=request.path)
    return _data_forest_answer(request, errors.unexpected_error())


def http_error(request: web.Request, error: web.HTTPException) -> web.Response:
    if error.status == 413:
        return _gateway_answer(request, errors.entity_too_large())
    # An unknown operation, or a known one by another method (every operation is a POST).
    return _gateway_answer(request, errors.not_found_exception())


def unreadable(what: Unreadable, request_id: str) -> web.Response:
    error = errors.unexpected_gateway_error() if what is Unreadable.INTERNAL else errors.bad_request()
    data, content_type = gateway_error(error.code, error.message, xml=False)
    return web.Response(status=error.status, body=data, headers={"Content-Type": content_type})


CONTRACT = Contract(
    name="dataforest",
    prefixes=("/api/v2/",),
    routes=ROUTES,
    failure=failure,
    http_error=http_error,
    unreadable=unreadable,
)
