"""Prediction One's training API under /v1/external: keys, uploads, column info, training, results,
models and data sets (contract §3.1–§3.6)."""

from __future__ import annotations

import grpc
from aiohttp import web

from services.gateway.http_base.json_responses import json_response
from services.gateway.http_base.routing import Call
from services.gateway.prediction_one import converters
from services.gateway.prediction_one.auth import PURPOSE_NAMES, api_key_caller, secret_key_user
from services.gateway.prediction_one.clients import CLIENTS, PredictionOneClients
from services.gateway.prediction_one.contract_errors import (
    JOB_DELETED,
    MODEL_DELETED,
    MODEL_ID_REQUIRED,
    PredictionOneError,
    bad_request,
    rpc_overrides,
)
from services.gateway.prediction_one.requests import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    json_body,
    path_int,
    query_int,
    query_text,
)
from services.gateway.prediction_one.setting_keys import contract_message
from services.gateway.prediction_one.training_config import training_config
from services.gateway.prediction_one.transfers import (
    artifact_download,
    result_path,
    upload_path,
    verified,
)
from torii.v1 import trainer_service_pb2, training_pb2
from torii.v1 import training_registry_service_pb2 as tr

PREFIX = "/v1/external"
KEY_PURPOSES = {name: purpose for purpose, name in PURPOSE_NAMES.items()}  # credential_type → purpose
DATA_EXTENSIONS = ("csv", "tsv")
# Analysing a large data set reads all of it.
ANALYSIS_TIMEOUT_S = 120.0


def clients(call: Call) -> PredictionOneClients:
    return call.request.app[CLIENTS]


async def get_api_key(call: Call) -> web.Response:
    user = await secret_key_user(call)
    kind = query_text(call.request, "credential_type")
    if kind not in KEY_PURPOSES:
        raise PredictionOneError(bad_request("credential_type must be train, deploy or retrain."))
    model_number = 0
    if KEY_PURPOSES[kind] == training_pb2.KEY_PURPOSE_RETRAIN:
        if not call.request.query.get("model_id", "").strip():
            raise PredictionOneError(MODEL_ID_REQUIRED)
        model_number = query_int(call.request, "model_id", 0, minimum=1)
    with rpc_overrides({grpc.StatusCode.NOT_FOUND: MODEL_DELETED}):
        reply = await clients(call).training.IssueExternalKey(
            tr.IssueExternalKeyRequest(
                actor_user_id=user.user_id, purpose=KEY_PURPOSES[kind], model_number=model_number
            )
        )
    return json_response({"api_key": reply.api_key.secret, "end_date": converters.timestamp_text(reply.key.expires_at)})


async def get_upload_urls(call: Call) -> web.Response:
    caller = api_key_caller(call)
    extension = query_text(call.request, "extension").lower().lstrip(".")
    if extension not in DATA_EXTENSIONS:
        raise PredictionOneError(bad_request(f"extension must be one of {', '.join(DATA_EXTENSIONS)}."))
    reply = await clients(call).training.CreateTrainingJob(
        tr.CreateTrainingJobRequest(actor_user_id=caller.user.user_id, kind=training_pb2.TRAINING_JOB_KIND_TRAIN)
    )
    job_id, signer, base = reply.job.job_id, clients(call).signer, call.base_url()
    return json_response(
        {
            "learn_data_set_upload_url": signer.sign(base, upload_path(job_id, "learn", extension)),
            "eval_data_set_upload_url": signer.sign(base, upload_path(job_id, "eval", extension)),
            "column_info_upload_url": signer.sign(base, upload_path(job_id, "column_info", "csv")),
            "external_process_id": job_id,
        }
    )


async def _job_for(call: Call, job_id: str, caller_user_id: str) -> training_pb2.TrainingJob:
    with rpc_overrides({grpc.StatusCode.NOT_FOUND: JOB_DELETED, grpc.StatusCode.INVALID_ARGUMENT: JOB_DELETED}):
        reply = await clients(call).training.GetTrainingJob(
            tr.GetTrainingJobRequest(actor_user_id=caller_user_id, job_id=job_id)
        )
    return reply.job


async def get_column_info(call: Call) -> web.Response:
    caller = api_key_caller(call)
    job = await _job_for(call, query_text(call.request, "external_process_id"), caller.user.user_id)
    if not job.learn_data_set_id:
        raise PredictionOneError(bad_request("The training data has not been uploaded yet."))
    target = call.request.query.get("target", "").strip() or job.config.target_column
    reply = await clients(call).trainer.DescribeColumns(
        trainer_service_pb2.DescribeColumnsRequest(job_id=job.job_id, target_column=target),
        timeout=max(call.settings.rpc_timeout_s, ANALYSIS_TIMEOUT_S),
    )
    return json_response(converters.column_info_json(reply))


async def create_model(call: Call) -> web.Response:
    caller = api_key_caller(call)
    body = await json_body(call.request, call.settings.max_json_bytes)
    job_id = body.get("external_process_id")
    if not isinstance(job_id, str) or not job_id.strip():
        raise PredictionOneError(bad_request("external_process_id is required."))
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise PredictionOneError(bad_request("name (the model's name) is required."))
    config = training_config(body.get("config"))
    job = await _job_for(call, job_id, caller.user.user_id)
    if job.kind == training_pb2.TRAINING_JOB_KIND_RETRAIN:
        raise PredictionOneError(
            bad_request("external_process_id names a retrain job: it starts when its file is uploaded.")
        )
    reply = await clients(call).training.SubmitTrainingJob(
        tr.SubmitTrainingJobRequest(
            actor_user_id=caller.user.user_id, job_id=job_id, model_name=name.strip(), config=config
        )
    )
    return json_response({"external_process_id": reply.job.job_id})


def _require_model(job: training_pb2.TrainingJob) -> None:
    """A finished job whose model was deleted is gone with it, result zip included (§3.6)."""
    if not job.model_number:
        raise PredictionOneError(MODEL_DELETED)


def _job_status_json(call: Call, job: training_pb2.TrainingJob) -> dict:
    body: dict[str, object] = {
        "status": converters.JOB_STATUSES.get(job.status, "unknown"),
        "created_datetime": converters.timestamp_text(job.created_at),
        "updated_datetime": converters.timestamp_text(job.updated_at),
    }
    if job.status == training_pb2.TRAINING_JOB_STATUS_FINISHED:
        _require_model(job)
        body["result_url"] = clients(call).signer.sign(call.base_url(), result_path(job.job_id))
        body["model_id"] = job.model_number
    elif job.status in (training_pb2.TRAINING_JOB_STATUS_RUNNING, training_pb2.TRAINING_JOB_STATUS_QUEUED):
        body["progress"] = converters.progress_json(job.progress)
    if job.message:
        body["message"] = contract_message(job.message)
    return body


async def get_results(call: Call) -> web.Response:
    caller = api_key_caller(call)
    job = await _job_for(call, query_text(call.request, "external_process_id"), caller.user.user_id)
    return json_response(_job_status_json(call, job))


async def download_result(call: Call) -> web.StreamResponse:
    verified(call, clients(call).signer)
    reply = await clients(call).training.GetTrainingJob(tr.GetTrainingJobRequest(job_id=call.path("job_id")))
    if not reply.job.result_uri:
        raise PredictionOneError(bad_request("The training has no result yet."))
    _require_model(reply.job)
    return await artifact_download(call, reply.job.result_uri, f"result_{reply.job.job_id}.zip", "application/zip")


def _page(call: Call) -> tr.Page:
    return tr.Page(
        offset=query_int(call.request, "offset", 0, maximum=2**31 - 1),  # Page.offset is int32
        limit=query_int(call.request, "limit", DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT),
    )


async def list_models(call: Call) -> web.Response:
    caller = api_key_caller(call)
    reply = await clients(call).training.ListTrainedModels(
        tr.ListTrainedModelsRequest(actor_user_id=caller.user.user_id, page=_page(call))
    )
    return json_response(
        {
            "models": [converters.trained_model_json(model) for model in reply.models],
            "metadata": converters.page_json(reply.page),
        }
    )


async def delete_model(call: Call) -> web.Response:
    caller = api_key_caller(call)
    number = path_int(call.request, "model_id", "model_id")
    with rpc_overrides({grpc.StatusCode.NOT_FOUND: MODEL_DELETED}):
        await clients(call).trainer.RemoveTrainedModel(
            trainer_service_pb2.RemoveTrainedModelRequest(actor_user_id=caller.user.user_id, model_number=number)
        )
    return web.Response(status=204)


async def list_data_sets(call: Call) -> web.Response:
    caller = api_key_caller(call)
    reply = await clients(call).training.ListDataSets(
        tr.ListDataSetsRequest(actor_user_id=caller.user.user_id, page=_page(call))
    )
    signer, base = clients(call).signer, call.base_url()
    data_sets = [
        converters.data_set_json(data_set, signer.sign(base, f"{PREFIX}/data-sets/{data_set.data_set_id}/download"))
        for data_set in reply.data_sets
    ]
    return json_response({"data_sets": data_sets, "metadata": converters.page_json(reply.page)})


async def delete_data_set(call: Call) -> web.Response:
    caller = api_key_caller(call)
    number = path_int(call.request, "data_set_id", "data_set_id")
    with rpc_overrides({grpc.StatusCode.NOT_FOUND: bad_request("This data set may be deleted.")}):
        await clients(call).trainer.RemoveDataSet(
            trainer_service_pb2.RemoveDataSetRequest(actor_user_id=caller.user.user_id, data_set_id=number)
        )
    return web.Response(status=204)


async def download_data_set(call: Call) -> web.StreamResponse:
    verified(call, clients(call).signer)
    number = path_int(call.request, "data_set_id", "data_set_id")
    with rpc_overrides({grpc.StatusCode.NOT_FOUND: bad_request("This data set may be deleted.")}):
        reply = await clients(call).training.GetDataSet(tr.GetDataSetRequest(data_set_id=number))
    data_set = reply.data_set
    name = data_set.name or f"data_set_{data_set.data_set_id}.{data_set.extension}"
    return await artifact_download(call, data_set.artifact_uri, name, "text/csv")
