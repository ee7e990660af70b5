"""Prediction One's classifiers (contract §3.7–§3.10): published APIs, seen in the contract's words.

A classifier is the same published API an NNC client would call, created with the Prediction One
contract (its URL is /v1/groups/{account}/classifiers/{id}/inference) and run serverless on CPU.
The API-creation screen's rules hold as for every API: delete only when stopped, a locked API
refuses stop, edits and rule changes, and only an admin unlocks.
"""

from __future__ import annotations

import grpc
from aiohttp import web

from services.gateway.app_keys import RUNTIME
from services.gateway.http_base.json_responses import json_response
from services.gateway.http_base.routing import Call
from services.gateway.prediction_one.auth import api_key_caller
from services.gateway.prediction_one.classifiers import API_TYPES, classifier_json, model_numbers, rules_from_contract
from services.gateway.prediction_one.clients import CLIENTS
from services.gateway.prediction_one.contract_errors import (
    CLASSIFIER_NOT_FOUND,
    MODEL_DELETED,
    MODEL_ID_REQUIRED,
    PredictionOneError,
    bad_request,
    rpc_overrides,
)
from services.gateway.prediction_one.requests import INT64_MAX, json_body, whole_number
from torii.v1 import apis_pb2
from torii.v1 import registry_service_pb2 as rs
from torii.v1 import training_registry_service_pb2 as tr

_PATCH_KEYS = ("rules", "active", "is_editable")


def _deployer(call: Call) -> str:
    return api_key_caller(call).user.user_id


async def _classifier(call: Call, actor: str) -> apis_pb2.PublishedApi:
    with rpc_overrides(
        {
            grpc.StatusCode.NOT_FOUND: CLASSIFIER_NOT_FOUND,
            grpc.StatusCode.INVALID_ARGUMENT: CLASSIFIER_NOT_FOUND,
        }
    ):
        reply = await call.registry.GetApi(rs.GetApiRequest(actor_user_id=actor, api_id=call.path("classifier_id")))
    if reply.api.contract != apis_pb2.API_CONTRACT_PREDICTION_ONE:
        raise PredictionOneError(CLASSIFIER_NOT_FOUND)
    return reply.api


async def _shown(call: Call, api: apis_pb2.PublishedApi, api_key: str | None = None) -> dict:
    numbers = await model_numbers(call.request.app[RUNTIME].catalog, [api])
    return classifier_json(api, numbers[api.model_version_id], call.base_url(), api_key)


async def create_classifier(call: Call) -> web.Response:
    actor = _deployer(call)
    body = await json_body(call.request, call.settings.max_json_bytes)
    model_number = whole_number(body.get("model_id"))
    if model_number is None:
        raise PredictionOneError(MODEL_ID_REQUIRED)
    if not 1 <= model_number <= INT64_MAX:
        raise PredictionOneError(MODEL_DELETED)
    api_type = str(body.get("api_type", "formal")).strip().lower()
    if api_type not in API_TYPES:
        raise PredictionOneError(bad_request("api_type must be formal or trial."))
    with rpc_overrides({grpc.StatusCode.NOT_FOUND: MODEL_DELETED, grpc.StatusCode.INVALID_ARGUMENT: MODEL_DELETED}):
        model = await call.request.app[CLIENTS].training.GetTrainedModel(
            tr.GetTrainedModelRequest(actor_user_id=actor, model_number=model_number)
        )
    if model.model.config.time_series.enabled and not model.model.model_version.preprocessing.tabular.HasField(
        "time_series"
    ):
        # Versions stored before forecasts were served lack the window layout a forecast needs.
        raise PredictionOneError(bad_request("This time-series model cannot forecast: train it again to publish it."))
    request = rs.CreateApiRequest(
        actor_user_id=actor,
        name=f"{model.model.model_name} (model {model_number})",
        model_version_id=model.model.model_version.model_version_id,
        api_type=API_TYPES[api_type],
        execution_type=apis_pb2.EXECUTION_TYPE_SERVERLESS,
        contract=apis_pb2.API_CONTRACT_PREDICTION_ONE,
    )
    if "rules" in body:
        request.rules.extend(rules_from_contract(body["rules"]))
        request.rules_given = True
    reply = await call.registry.CreateApi(request)
    shown = await _shown(call, reply.api, reply.api_key.secret)
    return json_response(
        {
            "classifier_id": shown["classifier_id"],
            "api_key": shown["api_key"],
            "version": shown["version"],
            "classifier": shown,
        }
    )


async def list_classifiers(call: Call) -> web.Response:
    actor = _deployer(call)
    reply = await call.registry.ListApis(rs.ListApisRequest(actor_user_id=actor))
    apis = [api for api in reply.apis if api.contract == apis_pb2.API_CONTRACT_PREDICTION_ONE]
    numbers = await model_numbers(call.request.app[RUNTIME].catalog, apis)
    base = call.base_url()
    return json_response({"classifiers": [classifier_json(api, numbers[api.model_version_id], base) for api in apis]})


async def get_classifier(call: Call) -> web.Response:
    actor = _deployer(call)
    return json_response({"classifier": await _shown(call, await _classifier(call, actor))})


def _flag(body: dict, key: str) -> bool | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise PredictionOneError(bad_request(f"{key} must be true or false."))
    return value


async def update_classifier(call: Call) -> web.Response:
    actor = _deployer(call)
    body = await json_body(call.request, call.settings.max_json_bytes)
    unknown = sorted(set(body) - set(_PATCH_KEYS))
    if unknown:
        raise PredictionOneError(bad_request(f"Unknown keys: {', '.join(unknown)}; known: {', '.join(_PATCH_KEYS)}."))
    active, editable = _flag(body, "active"), _flag(body, "is_editable")
    rules = rules_from_contract(body["rules"]) if "rules" in body else None
    api = await _classifier(call, actor)
    registry, api_id = call.registry, api.api_id
    # Unlock first and lock last, so one PATCH can unlock, change and stop, or change and lock.
    if editable is True and api.locked:
        api = (await registry.UnlockApi(rs.UnlockApiRequest(actor_user_id=actor, api_id=api_id))).api
    if rules is not None:
        api = (
            await registry.UpdateApi(
                rs.UpdateApiRequest(actor_user_id=actor, api_id=api_id, rules=rules, rules_given=True)
            )
        ).api
    if active is False:
        api = (await registry.StopApi(rs.StopApiRequest(actor_user_id=actor, api_id=api_id))).api
    elif active is True:
        api = (await registry.StartApi(rs.StartApiRequest(actor_user_id=actor, api_id=api_id))).api
    if editable is False and not api.locked:
        api = (await registry.LockApi(rs.LockApiRequest(actor_user_id=actor, api_id=api_id))).api
    return json_response({"classifier": await _shown(call, api)})


async def delete_classifier(call: Call) -> web.Response:
    actor = _deployer(call)
    api = await _classifier(call, actor)
    await call.registry.DeleteApi(rs.DeleteApiRequest(actor_user_id=actor, api_id=api.api_id))
    return web.Response(status=204)
