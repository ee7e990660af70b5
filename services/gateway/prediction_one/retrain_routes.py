"""Prediction One's retraining (contract §3.12–§3.14): upload new data for a model, let it train
with the model's settings, then switch the classifiers serving that model to the new version.

A retrain key names its model (Get API Key with model_id). The switch goes through the API's
`updating` status: the old version keeps answering until the new one is loaded in Triton.
"""

from __future__ import annotations

import grpc
from aiohttp import web

from services.gateway.http_base.json_responses import json_response
from services.gateway.http_base.routing import Call
from services.gateway.prediction_one import converters
from services.gateway.prediction_one.auth import Caller, api_key_caller
from services.gateway.prediction_one.clients import CLIENTS
from services.gateway.prediction_one.contract_errors import (
    CLASSIFIER_NOT_FOUND,
    CONFIGURATION_MISSING,
    MODEL_DELETED,
    RETRAIN_JOB_NOT_FOUND,
    RETRAIN_NOT_FINISHED,
    PredictionOneError,
    bad_request,
    rpc_overrides,
)
from services.gateway.prediction_one.requests import query_text
from services.gateway.prediction_one.setting_keys import contract_message
from services.gateway.prediction_one.transfers import result_path, upload_path
from torii.v1 import apis_pb2, training_pb2
from torii.v1 import registry_service_pb2 as rs
from torii.v1 import training_registry_service_pb2 as tr

RETRAIN_EXTENSIONS = ("csv", "tsv", "zip")
MAX_FILENAME_LENGTH = 200  # the registry's longest data set name


def _retrain_caller(call: Call) -> Caller:
    """The retrain key's holder; a key whose model was deleted names none (model_number 0).
    Everything a retrain key reaches goes through its model_number: the upload retrains that
    model, and a retrain job answers only when it retrains that model (_retrain_job)."""
    caller = api_key_caller(call)
    if not caller.key.model_number:
        raise PredictionOneError(MODEL_DELETED)
    return caller


async def _base_version_id(call: Call, caller: Caller) -> str:
    with rpc_overrides({grpc.StatusCode.NOT_FOUND: MODEL_DELETED, grpc.StatusCode.INVALID_ARGUMENT: MODEL_DELETED}):
        reply = await call.request.app[CLIENTS].training.GetTrainedModel(
            tr.GetTrainedModelRequest(actor_user_id=caller.user.user_id, model_number=caller.key.model_number)
        )
    return reply.model.model_version.model_version_id


async def _retrain_job(call: Call, caller: Caller) -> training_pb2.TrainingJob:
    with rpc_overrides(
        {
            grpc.StatusCode.NOT_FOUND: RETRAIN_JOB_NOT_FOUND,
            grpc.StatusCode.INVALID_ARGUMENT: RETRAIN_JOB_NOT_FOUND,
        }
    ):
        reply = await call.request.app[CLIENTS].training.GetTrainingJob(
            tr.GetTrainingJobRequest(actor_user_id=caller.user.user_id, job_id=call.path("retrain_job_id"))
        )
    job = reply.job
    if job.kind != training_pb2.TRAINING_JOB_KIND_RETRAIN or job.base_model_version_id != await _base_version_id(
        call, caller
    ):
        raise PredictionOneError(RETRAIN_JOB_NOT_FOUND)
    return job


async def get_upload_url(call: Call) -> web.Response:
    caller = _retrain_caller(call)
    filename = query_text(call.request, "filename").replace("/", "_")
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    if extension not in RETRAIN_EXTENSIONS:
        raise PredictionOneError(bad_request(f"filename must end in .{', .'.join(RETRAIN_EXTENSIONS)}."))
    # Refused now, not at the upload, which would leave the job waiting for a file it cannot take.
    if len(filename) > MAX_FILENAME_LENGTH or any(ord(char) < 32 or ord(char) == 127 for char in filename):
        raise PredictionOneError(
            bad_request(f"filename must be at most {MAX_FILENAME_LENGTH} characters, without control characters.")
        )
    with rpc_overrides(
        {
            grpc.StatusCode.NOT_FOUND: MODEL_DELETED,
            grpc.StatusCode.FAILED_PRECONDITION: CONFIGURATION_MISSING,
        }
    ):
        reply = await call.request.app[CLIENTS].training.CreateTrainingJob(
            tr.CreateTrainingJobRequest(
                actor_user_id=caller.user.user_id,
                kind=training_pb2.TRAINING_JOB_KIND_RETRAIN,
                base_model_number=caller.key.model_number,
            )
        )
    job_id = reply.job.job_id
    url = call.request.app[CLIENTS].signer.sign(call.base_url(), upload_path(job_id, "learn", extension, filename))
    return json_response({"retrain_job_id": job_id, "upload_url": url})


async def get_status(call: Call) -> web.Response:
    caller = _retrain_caller(call)
    job = await _retrain_job(call, caller)
    body: dict[str, object] = {
        "status": converters.RETRAIN_STATUSES.get(job.status, "job_running"),
        "metadata": {"retrain_job_id": job.job_id},
    }
    if job.status == training_pb2.TRAINING_JOB_STATUS_FINISHED:
        body["model_id"] = job.model_number
        body["download_url"] = call.request.app[CLIENTS].signer.sign(call.base_url(), result_path(job.job_id))
    elif job.status in (training_pb2.TRAINING_JOB_STATUS_QUEUED, training_pb2.TRAINING_JOB_STATUS_RUNNING):
        body["progress"] = converters.progress_json(job.progress)
    if job.message:
        body["message"] = contract_message(job.message)
    return json_response(body)


async def update_model(call: Call) -> web.Response:
    caller = _retrain_caller(call)
    job = await _retrain_job(call, caller)
    if job.status != training_pb2.TRAINING_JOB_STATUS_FINISHED:
        raise PredictionOneError(RETRAIN_NOT_FINISHED)
    actor = caller.user.user_id
    listed = await call.registry.ListApis(rs.ListApisRequest(actor_user_id=actor))
    serving_base = [
        api
        for api in listed.apis
        if api.contract == apis_pb2.API_CONTRACT_PREDICTION_ONE and api.model_version_id == job.base_model_version_id
    ]
    if not serving_base:
        raise PredictionOneError(CLASSIFIER_NOT_FOUND)
    for api in serving_base:
        await call.registry.UpdateApi(
            rs.UpdateApiRequest(actor_user_id=actor, api_id=api.api_id, model_version_id=job.model_version_id)
        )
    return json_response({"metadata": {"retrain_job_id": job.job_id}})
