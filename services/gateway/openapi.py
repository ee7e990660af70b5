"""The OpenAPI 3.1 document, built from the same route table as the router."""

from __future__ import annotations

import re
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from aiohttp import web

from services.gateway.app_keys import OPENAPI_DOCUMENT
from services.gateway.http_base.routing import Call, Response, Route, SecurityScheme, json
from services.gateway.http_base.validation import Schema
from services.gateway.management import schemas
from services.gateway.management.sessions import CONSOLE_SESSION_SCHEME

# aiohttp's {name} or {name:regex} (a parameter that may hold "/"); OpenAPI writes both {name}.
_PATH_PARAMETER = re.compile(r"\{(\w+)(?::[^}]*)?\}")


_BEARER = SecurityScheme("bearer", {"type": "http", "scheme": "bearer", "description": "a user's bearer token"})


def build_document(routes: Iterable[Route], version: str = "0.1.0") -> dict[str, Any]:
    components: dict[str, Any] = {}
    security_schemes: dict[str, Any] = {}
    paths: dict[str, dict[str, Any]] = {}
    tags: list[str] = []
    for route in routes:
        paths.setdefault(_PATH_PARAMETER.sub(r"{\1}", route.path), {})[route.method.lower()] = _operation(
            route, components, security_schemes
        )
        if route.tag not in tags:
            tags.append(route.tag)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Torii gateway",
            "version": version,
            "description": "Torii, a self-hosted model platform: its management API (/manage/v1, a bearer "
            "token), the Prediction One contract (/v1/external and /v1/groups, keys in x-api-key), NNC "
            "inference (/v1/{execution_type}/classifiers), OpenAI chat (/v1/chat/completions and /v1/models, "
            "the key as a bearer token) and health probes. Each contract answers its errors in its own "
            "shape: Error, PredictionOneError, NncError or OpenAIError.",
        },
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": security_schemes},
    }


def _security(route: Route, security_schemes: dict[str, Any]) -> list[dict[str, list]]:
    """The route's credentials as OpenAPI requirements (any one of them), their schemes registered."""
    schemes = (_BEARER, CONSOLE_SESSION_SCHEME) if route.authenticated else route.security
    for scheme in schemes:
        if security_schemes.setdefault(scheme.name, scheme.scheme) != scheme.scheme:
            raise ValueError(f"two different security schemes are named {scheme.name!r}")
    return [{scheme.name: []} for scheme in schemes]


def _operation(route: Route, components: dict[str, Any], security_schemes: dict[str, Any]) -> dict[str, Any]:
    path_names = _PATH_PARAMETER.findall(route.path)
    unknown = set(route.path_parameters) - set(path_names)
    if unknown:
        raise ValueError(f"{route.method} {route.path} describes path parameters it does not have: {sorted(unknown)}")
    operation: dict[str, Any] = {
        "operationId": route.handler.__name__,
        "summary": route.summary,
        "tags": [route.tag],
        "parameters": [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": _hoist(route.path_parameters.get(name, {"type": "string"}), components),
            }
            for name in path_names
        ],
        "responses": {},
    }
    query = route.query if route.query is not None else route.contract_query
    if query is not None:
        required = set(query.get("required", ()))
        for name, schema in query["properties"].items():
            operation["parameters"].append(
                {"name": name, "in": "query", "required": name in required, "schema": _hoist(schema, components)}
            )
    json_body = route.body if route.body is not None else route.contract_body
    if json_body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _hoist(json_body, components)}},
        }
    if route.raw_body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {route.raw_body: {"schema": {"type": "string", "format": "binary"}}},
        }
    if route.form is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": _hoist(route.form, components),
                    "encoding": _form_encoding(route.form),
                }
            },
        }
    security = _security(route, security_schemes)
    if security:
        operation["security"] = security
    for status, response in sorted(route.responses.items()):
        operation["responses"][str(status)] = _response(response, components)
    error_schema, media_type = route.error_schema or schemas.ERROR, route.error_media_type
    for status in sorted(_error_statuses(route, bool(path_names))):
        operation["responses"][str(status)] = _response(
            Response(HTTPStatus(status).phrase, error_schema, media_type), components
        )
    operation["responses"]["default"] = _response(Response("any other failure", error_schema, media_type), components)
    return operation


def _form_encoding(form: Schema) -> dict[str, Any]:
    """The file goes as bytes, and a field that is an object as JSON."""
    encoding = {"file": {"contentType": "application/octet-stream"}}
    for name, schema in form["properties"].items():
        if schema.get("type") == "object":
            encoding[name] = {"contentType": "application/json"}
    return encoding


def _error_statuses(route: Route, has_path_parameters: bool) -> set[int]:
    statuses = set(route.errors)
    if route.body is not None or route.form is not None or route.query is not None:
        statuses.add(400)
    if route.authenticated:
        # Every authenticated route asks the registry, which may refuse or be away.
        statuses |= {401, 403, 503, 504}
    if has_path_parameters and route.error_schema is None:
        # The management API answers an unknown id with 404; a contract says for itself (errors).
        statuses.add(404)
    if route.body is not None or route.form is not None:
        statuses.add(413)
    return statuses


def _response(response: Response, components: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"description": response.description}
    if response.schema is not None:
        out["content"] = {response.media_type: {"schema": _hoist(response.schema, components)}}
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
