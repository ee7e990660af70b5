"""The Data Forest contract (NAVER Cloud's AI Workspaces API, shared/contracts/dataforest.md):
everything under /api/v2/, signed with NCP access keys, in JSON or XML, every failure in one of
its two error layers (§7, §8.3, §8.4).

Built so far: accounts/getList and aiworkspaces/getDockerImageList. The workspace operations
(create, delete, getList, getDetail, getConfigurationList, setConfiguration, checkAvailableName)
come with the workspace runner; until then they are unknown operations (§8.4: 404 / 300).
"""

from __future__ import annotations

from aiohttp import web

from services.gateway.dataforest import accounts, docker_images, errors
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
