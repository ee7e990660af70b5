"""The OpenAPI document and the router come from one table: check they agree both ways."""

from __future__ import annotations

from aiohttp import web

from services.gateway.app import ROUTES, create_app
from services.gateway.app_keys import OPENAPI_DOCUMENT
from services.gateway.errors import error_body
from services.gateway.http_base.validation import problems
from services.gateway.management.schemas import ERROR
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
        elif path.startswith(("/v1/chat/", "/v1/models")):
            shape = "OpenAIError"
        elif path.startswith("/api/v2/"):
            shape = "DataForestError"
        elif path.startswith("/v1/"):
            shape = "NncError"
        elif path.startswith("/console"):
            shape = "HTML"
        else:
            shape = "Error"
        # The web console answers its failures as HTML pages.
        media_type, error_schema = (
            ("text/html", {"type": "string"})
            if shape == "HTML"
            else ("application/json", {"$ref": "#/components/schemas/" + shape})
        )
        for method, operation in operations.items():
            responses = operation["responses"]
            assert responses["default"]["content"][media_type]["schema"] == error_schema, (method, path)
            if {"bearer": []} in operation.get("security", []):
                assert responses["401"]["content"][media_type]["schema"] == error_schema
            for name in [p["name"] for p in operation["parameters"] if p["in"] == "path"]:
                assert "{" + name + "}" in path
    assert doc["paths"]["/manage/v1/apis"]["post"]["requestBody"]["content"]["application/json"]["schema"][
        "required"
    ] == [
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


def _parameters(operation: dict, where: str) -> dict[str, dict]:
    return {p["name"]: p for p in operation["parameters"] if p["in"] == where}


def test_ids_are_declared_as_the_code_reads_them(tmp_path):
    """The registry takes only UUIDs as ids (400 for other text); Prediction One's model and data
    set ids are numbers; Data Forest workspace ids are base62. A schema-valid request must not be
    refused for its id's spelling."""
    doc = _document(tmp_path)
    for path, operations in doc["paths"].items():
        if not path.startswith(("/manage/", "/v1/external/", "/v1/groups/")):
            continue  # NNC inference answers any unknown api_id with 404, whatever its spelling
        for method, operation in operations.items():
            for name, parameter in _parameters(operation, "path").items():
                if name in ("model_id", "data_set_id") and path.startswith("/v1/external/"):
                    assert parameter["schema"]["type"] == "integer", (method, path, name)
                    assert parameter["schema"]["minimum"] == 1
                elif name == "workspace_id":
                    assert parameter["schema"]["pattern"] == "^[0-9A-Za-z]{1,22}$", (method, path, name)
                elif name.endswith("_id"):
                    assert parameter["schema"]["type"] == "string", (method, path, name)
                    assert parameter["schema"]["format"] == "uuid", (method, path, name)
            if path.startswith("/manage/"):
                for name, parameter in _parameters(operation, "query").items():
                    if name.endswith("_id"):
                        assert parameter["schema"]["format"] == "uuid", (method, path, name)
    body = doc["paths"]["/manage/v1/apis"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["model_version_id"]["format"] == "uuid"
    assert body["properties"]["account_id"]["format"] == "uuid"


def test_prediction_one_keys_go_in_x_api_key_and_signed_urls_take_none(tmp_path):
    doc = _document(tmp_path)
    schemes = doc["components"]["securitySchemes"]
    for path, operations in doc["paths"].items():
        if not path.startswith(("/v1/external/", "/v1/groups/")):
            continue
        for method, operation in operations.items():
            query = _parameters(operation, "query")
            if path.startswith(("/v1/external/uploads/", "/v1/external/results/")) or path.endswith("/download"):
                assert "security" not in operation, (method, path)
                assert query["expires"]["required"] and query["signature"]["required"], (method, path)
                continue
            assert operation["security"], (method, path)
            for requirement in operation["security"]:
                (name,) = requirement
                assert schemes[name]["type"] == "apiKey" and schemes[name]["in"] == "header"
                assert schemes[name]["name"] == "x-api-key"
    api_key = doc["paths"]["/v1/external/api-key"]["get"]
    assert api_key["security"] == [{"predictionOneSecretKey": []}]
    assert doc["paths"]["/v1/external/models"]["get"]["security"] == [
        {"predictionOneTrainKey": []},
        {"predictionOneDeployKey": []},
    ]


def test_prediction_one_query_parameters_and_bodies_are_described(tmp_path):
    doc = _document(tmp_path)
    paths = doc["paths"]
    api_key = _parameters(paths["/v1/external/api-key"]["get"], "query")
    assert api_key["credential_type"]["required"]
    assert api_key["credential_type"]["schema"]["enum"] == ["train", "deploy", "retrain"]
    assert api_key["model_id"]["schema"]["type"] == "integer"
    assert _parameters(paths["/v1/external/data-sets/upload-url"]["get"], "query")["extension"]["required"]
    for path in ("/v1/external/data-sets/column-info", "/v1/external/models/results"):
        parameter = _parameters(paths[path]["get"], "query")["external_process_id"]
        assert parameter["required"] and parameter["schema"]["format"] == "uuid"
    for path in ("/v1/external/models", "/v1/external/data-sets"):
        page = _parameters(paths[path]["get"], "query")
        assert page["limit"]["schema"]["minimum"] == 1 and page["limit"]["schema"]["maximum"] == 1000
        assert page["offset"]["schema"]["minimum"] == 0 and page["offset"]["schema"]["maximum"] == 2**31 - 1
    filename = _parameters(paths["/v1/external/retrain_jobs/upload_url"]["get"], "query")["filename"]
    assert filename["required"] and filename["schema"]["maxLength"] == 200
    for method, path in (("post", "/v1/external/classifiers"), ("patch", "/v1/external/classifiers/{classifier_id}")):
        assert "application/json" in paths[path][method]["requestBody"]["content"], (method, path)
    upload = paths["/v1/external/uploads/{job_id}/{slot}/{filename}"]["put"]
    assert "application/octet-stream" in upload["requestBody"]["content"]
    assert _parameters(upload, "path")["slot"]["schema"]["enum"] == ["learn", "eval", "column_info"]
    config = doc["components"]["schemas"]["PredictionOneTrainingConfig"]
    assert config["properties"]["cv"]["anyOf"][0] == {"type": "integer", "minimum": -1, "maximum": 20}
