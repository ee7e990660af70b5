"""The OpenAPI document and the router come from one table: check they agree both ways."""

from __future__ import annotations

from aiohttp import web

from services.gateway.app import create_app
from services.gateway.errors import error_body
from services.gateway.keys import OPENAPI_DOCUMENT
from services.gateway.management.schemas import ERROR
from services.gateway.management.validation import problems
from services.gateway.routes import ROUTES
from services.gateway.settings import GatewaySettings

_METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}


def _router_operations(app: web.Application) -> set[tuple[str, str]]:
    return {
        (route.method.upper(), route.resource.canonical)
        for route in app.router.routes()
        if route.method != "HEAD" and route.resource is not None
    }


def _document_operations(document: dict) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method in _METHODS
    }


async def test_router_and_document_describe_the_same_routes(gateway):
    response = await gateway.client.get("/openapi.json")
    assert response.status == 200
    document = await response.json()
    app = gateway.client.server.app
    from_router = _router_operations(app)
    from_document = _document_operations(document)
    assert from_router - from_document == set()
    assert from_document - from_router == set()
    assert ("POST", "/manage/v1/models") in from_router
    assert len(from_router) == len(ROUTES)


def _document(tmp_path) -> dict:
    # The factory builds the document without touching the registry.
    return create_app(GatewaySettings(data_dir=tmp_path))[OPENAPI_DOCUMENT]


def test_every_operation_documents_its_errors_and_bodies(tmp_path):
    doc = _document(tmp_path)
    assert doc["openapi"].startswith("3.1")
    for path, operations in doc["paths"].items():
        # Contract routes answer in their contract's own error shape.
        if path.startswith(("/v1/external/", "/v1/groups/")):
            shape = "PredictionOneError"
        elif path.startswith("/v1/"):
            shape = "NncError"
        else:
            shape = "Error"
        error_ref = {"$ref": "#/components/schemas/" + shape}
        for method, operation in operations.items():
            responses = operation["responses"]
            assert responses["default"]["content"]["application/json"]["schema"] == error_ref, (method, path)
            if operation.get("security"):
                assert responses["401"]["content"]["application/json"]["schema"] == error_ref
            for name in [p["name"] for p in operation["parameters"] if p["in"] == "path"]:
                assert "{" + name + "}" in path
    assert doc["paths"]["/manage/v1/apis"]["post"]["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "name",
        "model_version_id",
        "api_type",
        "execution_type",
        "instance_kind",
    ]
    upload = doc["paths"]["/manage/v1/models"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload["properties"]["file"]["format"] == "binary"
    assert "413" in doc["paths"]["/manage/v1/models"]["post"]["responses"]


def test_every_ref_resolves(tmp_path):
    doc = _document(tmp_path)
    refs: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                refs.append(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/")
        assert ref.removeprefix("#/components/schemas/") in doc["components"]["schemas"]


def test_the_error_schema_accepts_a_real_error_body():
    assert problems(error_body("NOT_FOUND", "gone", "id-1"), ERROR) == []
    assert problems({"error": {"code": "X"}}, ERROR) != []
