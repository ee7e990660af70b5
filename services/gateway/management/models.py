"""Models and their versions: uploads of ONNX files, listing, and a model with its versions."""

from __future__ import annotations

from aiohttp import web

from services.gateway.http_base.routing import Call, Response, Route, json
from services.gateway.http_base.schema_words import uuids
from services.gateway.management import schemas
from services.gateway.management.converters import model_json, version_json
from services.gateway.management.upload import Upload, model_upload
from torii.v1 import registry_service_pb2 as rs


def _version_spec(upload: Upload) -> rs.ModelVersionSpec:
    return rs.ModelVersionSpec(
        format=upload.format,
        artifact_uri=upload.artifact.uri,
        sha256=upload.artifact.sha256,
        size_bytes=upload.artifact.size_bytes,
        signature=upload.signature,
        preprocessing=upload.preprocessing,
    )


async def create_model(call: Call) -> web.Response:
    async with model_upload(call, schemas.NEW_MODEL_FORM) as upload:
        created = await call.registry.CreateModel(
            rs.CreateModelRequest(
                actor_user_id=call.user.user_id,
                account_id=call.account_id(upload.fields.get("account_id")),
                name=upload.fields["name"],
                first_version=_version_spec(upload),
            )
        )
    return json({"model": model_json(created.model), "version": version_json(created.model_version)}, status=201)


async def create_model_version(call: Call) -> web.Response:
    model_id = call.path("model_id")
    # Refuse an unknown or foreign model before a large file is streamed for nothing.
    found = await call.registry.GetModel(rs.GetModelRequest(actor_user_id=call.user.user_id, model_id=model_id))
    async with model_upload(call, schemas.NEW_VERSION_FORM) as upload:
        version = await call.registry.CreateModelVersion(
            rs.CreateModelVersionRequest(
                actor_user_id=call.user.user_id, model_id=model_id, version=_version_spec(upload)
            )
        )
    return json({"model": model_json(found.model), "version": version_json(version.model_version)}, status=201)


async def list_models(call: Call) -> web.Response:
    reply = await call.registry.ListModels(
        rs.ListModelsRequest(actor_user_id=call.user.user_id, account_id=call.account_id(call.query.get("account_id")))
    )
    return json({"models": [model_json(model) for model in reply.models]})


async def get_model(call: Call) -> web.Response:
    reply = await call.registry.GetModel(
        rs.GetModelRequest(actor_user_id=call.user.user_id, model_id=call.path("model_id"))
    )
    return json({"model": model_json(reply.model), "versions": [version_json(v) for v in reply.versions]})


_UPLOAD_ERRORS = (404, 409, 413)

ROUTES = [
    Route(
        "POST",
        "/manage/v1/models",
        create_model,
        "Upload an ONNX model (or a GGUF chat model): creates the model and its version 1",
        "models",
        {201: Response("the model and its first version", schemas.MODEL_AND_VERSION)},
        form=schemas.NEW_MODEL_FORM,
        errors=_UPLOAD_ERRORS,
    ),
    Route(
        "GET",
        "/manage/v1/models",
        list_models,
        "List an account's models",
        "models",
        {200: Response("the models", schemas.MODEL_LIST)},
        query=schemas.ACCOUNT_QUERY,
    ),
    Route(
        "GET",
        "/manage/v1/models/{model_id}",
        get_model,
        "A model with its versions and their signatures",
        "models",
        {200: Response("the model and its versions", schemas.MODEL_AND_VERSIONS)},
        path_parameters=uuids("model_id"),
    ),
    Route(
        "POST",
        "/manage/v1/models/{model_id}/versions",
        create_model_version,
        "Upload an ONNX file (or a GGUF chat model) as the model's next version",
        "models",
        {201: Response("the model and the new version", schemas.MODEL_AND_VERSION)},
        form=schemas.NEW_VERSION_FORM,
        errors=_UPLOAD_ERRORS,
        path_parameters=uuids("model_id"),
    ),
]
