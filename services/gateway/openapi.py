"""The OpenAPI 3.1 document, built from the same route table as the router."""

from __future__ import annotations

import re
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from aiohttp import web

from services.gateway.keys import OPENAPI_DOCUMENT
from services.gateway.management import schemas
from services.gateway.routing import Call, Response, Route, json

_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


def build_document(routes: Iterable[Route], version: str = "0.1.0") -> dict[str, Any]:
    components: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    tags: list[str] = []
    for route in routes:
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, components)
        if route.tag not in tags:
            tags.append(route.tag)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Torii gateway",
            "version": version,
            "description": "Management API of Torii, a self-hosted model platform, plus health probes. "
            "Every error answers with the Error schema.",
        },
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _operation(route: Route, components: dict[str, Any]) -> dict[str, Any]:
    path_names = _PATH_PARAMETER.findall(route.path)
    operation: dict[str, Any] = {
        "operationId": route.handler.__name__,
        "summary": route.summary,
        "tags": [route.tag],
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in path_names
        ],
        "responses": {},
    }
    if route.query is not None:
        required = set(route.query.get("required", ()))
        for name, schema in route.query["properties"].items():
            operation["parameters"].append(
                {"name": name, "in": "query", "required": name in required, "schema": _hoist(schema, components)}
            )
    json_body = route.body if route.body is not None else route.contract_body
    if json_body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _hoist(json_body, components)}},
        }
    if route.form is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": _hoist(route.form, components),
                    "encoding": {"file": {"contentType": "application/octet-stream"}},
                }
            },
        }
    if route.authenticated:
        operation["security"] = [{"bearer": []}]
    for status, response in sorted(route.responses.items()):
        operation["responses"][str(status)] = _response(response, components)
    error = Response("", route.error_schema or schemas.ERROR)
    for status in sorted(_error_statuses(route, bool(path_names))):
        operation["responses"][str(status)] = _response(Response(HTTPStatus(status).phrase, error.schema), components)
    operation["responses"]["default"] = _response(Response("any other failure", error.schema), components)
    return operation


def _error_statuses(route: Route, has_path_parameters: bool) -> set[int]:
    statuses = set(route.errors)
    if route.body is not None or route.form is not None or route.query is not None:
        statuses.add(400)
    if route.authenticated:
        # Every authenticated route asks the registry, which may refuse or be away.
        statuses |= {401, 403, 503, 504}
    if has_path_parameters:
        statuses.add(404)
    if route.body is not None or route.form is not None:
        statuses.add(413)
    return statuses


def _response(response: Response, components: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"description": response.description}
    if response.schema is not None:
        out["content"] = {"application/json": {"schema": _hoist(response.schema, components)}}
    return out


def _hoist(schema: Any, components: dict[str, Any]) -> Any:
    """A copy of schema in which every titled sub-schema is a $ref to components/schemas."""
    if isinstance(schema, list):
        return [_hoist(item, components) for item in schema]
    if not isinstance(schema, dict):
        return schema
    copy = {key: _hoist(value, components) for key, value in schema.items()}
    title = schema.get("title")
    if not isinstance(title, str) or "properties" not in schema:
        return copy
    if components.setdefault(title, copy) != copy:
        raise ValueError(f"two different schemas are titled {title!r}")
    return {"$ref": f"#/components/schemas/{title}"}


async def openapi_json(call: Call) -> web.Response:
    return json(call.request.app[OPENAPI_DOCUMENT])


ROUTES = [
    Route(
        "GET",
        "/openapi.json",
        openapi_json,
        "This document",
        "meta",
        {200: Response("the OpenAPI document", {"type": "object"})},
        authenticated=False,
    ),
]
