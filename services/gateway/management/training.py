"""Prediction One's training in the management API's words, for the web console: data sets, trained
models, training jobs with their progress, and a finished job's result zip.

The registry decides what the caller sees (its account's, an admin every account's) and answers
another account's ids as missing. The result zip streams from the trainer as Prediction One's
signed result URL streams it (services.gateway.http_base.artifact_streams).
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from services.gateway.errors import GatewayError
from services.gateway.http_base.artifact_streams import stream_artifact
from services.gateway.http_base.routing import Call, Response, Route, json
from services.gateway.http_base.schema_words import uuids
from services.gateway.management import schemas
from services.gateway.management.converters import (
    data_set_json,
    page_info_json,
    trained_model_json,
    training_job_detail_json,
)
from torii.v1 import training_pb2
from torii.v1 import training_registry_service_pb2 as tr

_JOB_PATH = "/manage/v1/training-jobs/{job_id}"
_JOB_ID = uuids("job_id")


def _page(call: Call) -> tr.Page:
    # The schema bounds both; an absent limit is 0, which the registry reads as its default.
    return tr.Page(offset=int(call.query.get("offset", "0")), limit=int(call.query.get("limit", "0")))


async def list_data_sets(call: Call) -> web.Response:
    reply = await call.training_registry.ListDataSets(
        tr.ListDataSetsRequest(actor_user_id=call.user.user_id, page=_page(call))
    )
    return json({"data_sets": [data_set_json(d) for d in reply.data_sets], "page": page_info_json(reply.page)})


async def list_trained_models(call: Call) -> web.Response:
    reply = await call.training_registry.ListTrainedModels(
        tr.ListTrainedModelsRequest(actor_user_id=call.user.user_id, page=_page(call))
    )
    return json({"trained_models": [trained_model_json(m) for m in reply.models], "page": page_info_json(reply.page)})


async def list_training_jobs(call: Call) -> web.Response:
    reply = await call.training_registry.ListTrainingJobs(
        tr.ListTrainingJobsRequest(actor_user_id=call.user.user_id, page=_page(call))
    )
    now = datetime.now(UTC)
    return json({"jobs": [training_job_detail_json(j, now) for j in reply.jobs], "page": page_info_json(reply.page)})


async def _job(call: Call) -> training_pb2.TrainingJob:
    reply = await call.training_registry.GetTrainingJob(
        tr.GetTrainingJobRequest(actor_user_id=call.user.user_id, job_id=call.path("job_id"))
    )
    return reply.job


async def get_training_job(call: Call) -> web.Response:
    return json({"job": training_job_detail_json(await _job(call), datetime.now(UTC))})


def _require_result(job: training_pb2.TrainingJob) -> None:
    if job.status != training_pb2.TRAINING_JOB_STATUS_FINISHED or not job.result_uri:
        raise GatewayError(409, "FAILED_PRECONDITION", f"training job {job.job_id} has no result: it has not finished")
    if not job.model_number:
        # Deleting a trained model deletes the result zip that came with it.
        raise GatewayError(404, "NOT_FOUND", f"the model training job {job.job_id} made was deleted, and its result")


async def download_result(call: Call) -> web.StreamResponse:
    job = await _job(call)
    _require_result(job)
    return await stream_artifact(
        call.request,
        call.trainer,
        job.result_uri,
        filename=f"result_{job.job_id}.zip",
        content_type="application/zip",
        gone=GatewayError(404, "NOT_FOUND", f"the result of training job {job.job_id} is no longer stored"),
    )


ROUTES = [
    Route(
        "GET",
        "/manage/v1/data-sets",
        list_data_sets,
        "List Prediction One's uploaded data sets: the caller's account's (an admin's: every account's), newest first",
        "training",
        {200: Response("a page of data sets", schemas.DATA_SET_LIST)},
        query=schemas.PAGE_QUERY,
    ),
    Route(
        "GET",
        "/manage/v1/trained-models",
        list_trained_models,
        "List the model versions training made: the caller's account's (an admin's: every account's), newest first",
        "training",
        {200: Response("a page of trained models", schemas.TRAINED_MODEL_LIST)},
        query=schemas.PAGE_QUERY,
    ),
    Route(
        "GET",
        "/manage/v1/training-jobs",
        list_training_jobs,
        "List training jobs with their progress: the caller's account's (an admin's: every account's), newest first",
        "training",
        {200: Response("a page of training jobs", schemas.TRAINING_JOB_LIST)},
        query=schemas.PAGE_QUERY,
    ),
    Route(
        "GET",
        _JOB_PATH,
        get_training_job,
        "A training job (a Prediction One external_process_id, for one): status, progress and elapsed time",
        "training",
        {200: Response("the job", schemas.TRAINING_JOB_DETAIL_ANSWER)},
        errors=(404,),
        path_parameters=_JOB_ID,
    ),
    Route(
        "GET",
        f"{_JOB_PATH}/result",
        download_result,
        "A finished training job's result zip (report, metrics, evaluation data, model); 409 until it has"
        " finished, 404 once the model it made is deleted",
        "training",
        {200: Response("the result zip", {"type": "string", "format": "binary"}, "application/zip")},
        errors=(404, 409),
        path_parameters=_JOB_ID,
    ),
]
