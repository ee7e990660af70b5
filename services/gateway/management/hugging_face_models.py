"""Chat models given as a Hugging Face model id: nothing is uploaded, vLLM fetches the weights on
the GPU Triton that serves them; the model's chat template comes along, since Triton's vLLM
backend takes a prompt and the gateway renders each request's messages into one."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from services.gateway.http_base.routing import Call, Response, Route, json
from services.gateway.http_base.schema_words import uuids
from services.gateway.management import schemas
from services.gateway.management.converters import model_json, version_json
from torii.v1 import models_pb2
from torii.v1 import registry_service_pb2 as rs

HF_URI_PREFIX = "hf://"


def _version_spec(body: dict[str, Any]) -> rs.ModelVersionSpec:
    template = body["chat_template"]
    return rs.ModelVersionSpec(
        format=models_pb2.MODEL_FORMAT_HF_MODEL,
        artifact_uri=HF_URI_PREFIX + body["hf_model_id"],
        preprocessing=models_pb2.Preprocessing(
            chat_template=models_pb2.ChatTemplate(
                template=template["template"],
                bos_token=template.get("bos_token", ""),
                eos_token=template.get("eos_token", ""),
            )
        ),
    )


async def create_hugging_face_model(call: Call) -> web.Response:
    created = await call.registry.CreateModel(
        rs.CreateModelRequest(
            actor_user_id=call.user.user_id,
            account_id=call.account_id(call.body.get("account_id")),
            name=call.body["name"],
            first_version=_version_spec(call.body),
        )
    )
    return json({"model": model_json(created.model), "version": version_json(created.model_version)}, status=201)


async def create_hugging_face_version(call: Call) -> web.Response:
    model_id = call.path("model_id")
    found = await call.registry.GetModel(rs.GetModelRequest(actor_user_id=call.user.user_id, model_id=model_id))
    version = await call.registry.CreateModelVersion(
        rs.CreateModelVersionRequest(
            actor_user_id=call.user.user_id, model_id=model_id, version=_version_spec(call.body)
        )
    )
    return json({"model": model_json(found.model), "version": version_json(version.model_version)}, status=201)


ROUTES = [
    Route(
        "POST",
        "/manage/v1/models/hugging-face",
        create_hugging_face_model,
        "Register a Hugging Face chat model (served by Triton's vLLM backend on a GPU Triton): creates the"
        " model and its version 1",
        "models",
        {201: Response("the model and its first version", schemas.MODEL_AND_VERSION)},
        body=schemas.NEW_HUGGING_FACE_MODEL,
        errors=(404, 413),
    ),
    Route(
        "POST",
        "/manage/v1/models/{model_id}/versions/hugging-face",
        create_hugging_face_version,
        "Register a Hugging Face chat model as the model's next version",
        "models",
        {201: Response("the model and the new version", schemas.MODEL_AND_VERSION)},
        body=schemas.NEW_HUGGING_FACE_VERSION,
        errors=(404, 413),
        path_parameters=uuids("model_id"),
    ),
]
