"""Training jobs, whichever contract started them: their owner (or an admin) can stop one."""

from __future__ import annotations

from aiohttp import web

from services.gateway.http_base.routing import Call, Response, Route, json
from services.gateway.http_base.schema_words import uuids
from services.gateway.management import schemas
from services.gateway.management.converters import training_job_json
from torii.v1 import training_registry_service_pb2 as tr


async def cancel_training_job(call: Call) -> web.Response:
    reply = await call.training_registry.CancelTrainingJob(
        tr.CancelTrainingJobRequest(actor_user_id=call.user.user_id, job_id=call.path("job_id"))
    )
    return json({"job": training_job_json(reply.job)})


ROUTES = [
    Route(
        "POST",
        "/manage/v1/training-jobs/{job_id}/cancel",
        cancel_training_job,
        "Cancel a queued or running training job (a Prediction One external_process_id, for one):"
        " a running job's worker is stopped within moments; a job already ended is 409",
        "training",
        {200: Response("the cancelled job", schemas.TRAINING_JOB_ANSWER)},
        errors=(404, 409),
        path_parameters=uuids("job_id"),
    ),
]
