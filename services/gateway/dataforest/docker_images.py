"""aiworkspaces/getDockerImageList (§4): the images workspaces may run, by type, from the list the
operator configures (TORII_DATAFOREST_IMAGES). `search.typeName` names one type (`tensorflow`,
`pytorch`, or a type the operator added); without it every type is listed."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from services.gateway.app_keys import SETTINGS
from services.gateway.dataforest import errors
from services.gateway.dataforest.exchange import Operation, answer, read_call
from services.gateway.http_base.routing import Call

OPERATION = Operation("GetAiWorkspaceDockerImageListRequest", "GetAiWorkspaceDockerImageListResponse")
DOCUMENTED_TYPES = ("tensorflow", "pytorch")


async def get_docker_image_list(routed: Call) -> web.Response:
    request = routed.request
    call = await read_call(request, OPERATION)
    images: dict[str, list[str]] = request.app[SETTINGS].dataforest_images
    type_name = _type_name(call.body, sorted({*DOCUMENTED_TYPES, *images}))
    chosen = {type_name: images.get(type_name, [])} if type_name is not None else images
    return answer(call, {"dockerImages": chosen, "message": "success", "success": True}, OPERATION)


def _type_name(body: dict[str, Any], known: list[str]) -> str | None:
    search = body.get("search")
    if search is None:
        return None
    if not isinstance(search, dict):
        raise errors.invalid_parameter("search", search, "must be an object")
    type_name = search.get("typeName")
    if type_name is None:
        return None
    if type_name not in known:
        raise errors.invalid_parameter("search.typeName", type_name, f'must match "{"|".join(known)}"')
    return str(type_name)
