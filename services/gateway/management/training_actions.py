"""Training from the management API (the web console's): start a job, upload its data, read its
columns, submit it; publish a trained model as a Prediction One API; retrain a model and move the
APIs serving it to the retrained version.

The same registry and trainer RPCs as Prediction One's contract routes, with the caller's session
or bearer token instead of Prediction One's keys. The registry decides whose jobs and models the
caller reaches (another account's are missing); the trainer's UploadFile does not know the caller,
so a job is read as the caller before its data is streamed to it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

from aiohttp import web
from google.protobuf import json_format

from services.gateway.errors import GatewayError, invalid_argument, payload_too_large
from services.gateway.http_base.routing import Call, Response, Route, json
from services.gateway.http_base.schema_words import uuids
from services.gateway.management import schemas, training_schemas
from services.gateway.management.converters import (
    API_TYPE,
    api_info,
    data_set_json,
    training_job_detail_json,
)
from services.gateway.management.training_schemas import COLUMN_TYPE, INT64_MAX
from torii.v1 import apis_pb2, tabular_pb2, trainer_service_pb2, training_pb2
from torii.v1 import registry_service_pb2 as rs
from torii.v1 import training_registry_service_pb2 as tr

_JOB_PATH = "/manage/v1/training-jobs/{job_id}"
_MODEL_PATH = "/manage/v1/trained-models/{model_number}"
_JOB_ID = uuids("job_id")
_MODEL_NUMBER = {"model_number": training_schemas.MODEL_NUMBER}
_CHUNK_BYTES = 1 << 20
# As Prediction One's signed upload: it runs as long as the client takes to send, then the file is checked.
_UPLOAD_TIMEOUT_S = 3600.0
# Analysing a large data set reads all of it (Prediction One's column-info waits as long).
_ANALYSIS_TIMEOUT_S = 120.0
_NUMERIC = (tabular_pb2.COLUMN_TYPE_INTEGER, tabular_pb2.COLUMN_TYPE_FLOAT)
_TEXT = (tabular_pb2.COLUMN_TYPE_STRING,)


def _conflict(message: str) -> GatewayError:
    return GatewayError(409, "FAILED_PRECONDITION", message)


def _answer(job: training_pb2.TrainingJob, status: int = 200) -> web.Response:
    return json({"job": training_job_detail_json(job, datetime.now(UTC))}, status=status)


async def _job(call: Call) -> training_pb2.TrainingJob:
    """The path's job, as the caller may see it: another account's is NOT_FOUND."""
    reply = await call.training_registry.GetTrainingJob(
        tr.GetTrainingJobRequest(actor_user_id=call.user.user_id, job_id=call.path("job_id"))
    )
    return reply.job


def _model_number(call: Call) -> int:
    text = call.path("model_number")
    number = int(text) if text.isascii() and text.isdigit() else 0
    if not 1 <= number <= INT64_MAX:
        raise GatewayError(404, "NOT_FOUND", f"there is no trained model {text!r}")
    return number


async def _trained_model(call: Call) -> tr.GetTrainedModelResponse:
    return await call.training_registry.GetTrainedModel(
        tr.GetTrainedModelRequest(actor_user_id=call.user.user_id, model_number=_model_number(call))
    )


# --- a new job and its data -----------------------------------------------------------------------


async def create_training_job(call: Call) -> web.Response:
    reply = await call.training_registry.CreateTrainingJob(
        tr.CreateTrainingJobRequest(actor_user_id=call.user.user_id, kind=training_pb2.TRAINING_JOB_KIND_TRAIN)
    )
    return _answer(reply.job, status=201)


async def _bounded_body(call: Call, limit: int) -> AsyncIterator[bytes]:
    sent = 0
    async for chunk in call.request.content.iter_chunked(_CHUNK_BYTES):
        sent += len(chunk)
        if sent > limit:
            raise payload_too_large(limit, "the data file")
        yield chunk


async def upload_data(call: Call) -> web.Response:
    job = await _job(call)
    limit = call.settings.max_upload_bytes
    length = call.request.content_length
    if length is not None and length > limit:
        raise payload_too_large(limit, "the data file")
    filename = call.query.get("filename", "data.csv")
    extension = filename.rpartition(".")[2].lower()
    if extension == "zip" and job.kind != training_pb2.TRAINING_JOB_KIND_RETRAIN:
        raise invalid_argument("a zip of train_src/ and eval_src/ is taken by a retrain only; send a .csv or .tsv")
    if job.status != training_pb2.TRAINING_JOB_STATUS_AWAITING_DATA:
        raise _conflict(f"training job {job.job_id} has its data already; start a new job for other data")
    header = trainer_service_pb2.UploadHeader(
        job_id=job.job_id, slot=training_pb2.UPLOAD_SLOT_LEARN, filename=filename, extension=extension
    )
    too_large: list[GatewayError] = []

    async def parts() -> AsyncIterator[trainer_service_pb2.UploadFileRequest]:
        yield trainer_service_pb2.UploadFileRequest(header=header)
        try:
            async for chunk in _bounded_body(call, limit):
                yield trainer_service_pb2.UploadFileRequest(chunk=chunk)
        except GatewayError as error:
            # An exception here would only cancel the call; cancelling it ourselves lets the refusal be answered.
            too_large.append(error)
            upload.cancel()

    upload = call.trainer.UploadFile(parts(), timeout=_UPLOAD_TIMEOUT_S)
    try:
        reply = await upload
    except BaseException:
        if too_large:
            raise too_large[0] from None
        raise
    body: dict[str, object] = {"job": training_job_detail_json(reply.job, datetime.now(UTC))}
    if reply.data_set.data_set_id:
        body["data_set"] = data_set_json(reply.data_set)
    return json(body)


def _require_data(job: training_pb2.TrainingJob) -> None:
    if not job.learn_data_set_id:
        raise _conflict(f"training job {job.job_id} has no data yet: PUT it to .../data first")


async def _describe(
    call: Call, job: training_pb2.TrainingJob, target: str
) -> trainer_service_pb2.DescribeColumnsResponse:
    return await call.trainer.DescribeColumns(
        trainer_service_pb2.DescribeColumnsRequest(job_id=job.job_id, target_column=target),
        timeout=max(call.settings.rpc_timeout_s, _ANALYSIS_TIMEOUT_S),
    )


def _column_json(column: trainer_service_pb2.ColumnSummary) -> dict:
    return {
        "column_id": column.column_id,
        "name": column.name,
        "type": COLUMN_TYPE.word(column.type),
        "available_types": [word for word in map(COLUMN_TYPE.word, column.available_types) if word],
        "unique_count": column.unique_count,
        "data_count": column.data_count,
        "missing_count": column.missing_count,
        "correlation": column.correlation if column.HasField("correlation") else None,
        "classes": [{"value": item.value, "count": item.count} for item in column.classes],
        "useless_reason": column.useless_reason,
    }


async def describe_columns(call: Call) -> web.Response:
    job = await _job(call)
    _require_data(job)
    reply = await _describe(call, job, call.query.get("target", ""))
    return json(
        {
            "column_names": list(reply.column_names),
            "sample_rows": list(reply.sample_rows),
            "row_count": reply.row_count,
            "columns": [_column_json(column) for column in reply.columns],
        }
    )


# --- submitting: the body is a TrainingConfig ------------------------------------------------------


def _parsed_config(body: dict) -> tabular_pb2.TrainingConfig:
    """The body's config fields parsed into the trainer's message, which so is their schema."""
    fields = {key: value for key, value in body.items() if key not in ("model_name", "target")}
    fields["target_column"] = body["target"].strip()
    if "problem_type" in fields:
        fields["problem_type"] = "PROBLEM_TYPE_" + fields["problem_type"].upper()
    try:
        config = json_format.ParseDict(fields, tabular_pb2.TrainingConfig())
    except json_format.ParseError as error:
        raise invalid_argument(f"the training config does not parse: {error}") from None
    if not config.time_series.enabled:
        config.ClearField("time_series")
    return config


def _checked(config: tabular_pb2.TrainingConfig) -> tabular_pb2.TrainingConfig:
    """The relations between fields that Prediction One's POST /models checks too (its training_config)."""
    regression = config.problem_type == tabular_pb2.PROBLEM_TYPE_REGRESSION
    if config.problem_type == tabular_pb2.PROBLEM_TYPE_BINARY_CLASSIFICATION and not config.positive_class.strip():
        raise invalid_argument("positive_class (the positive value) is required for binary_classification")
    if config.problem_type != tabular_pb2.PROBLEM_TYPE_BINARY_CLASSIFICATION:
        config.positive_class = ""
    if config.imbalance and regression:
        raise invalid_argument("imbalance (correction for rare classes) applies to classification only")
    series = config.time_series
    if series.enabled:
        if not regression:
            raise invalid_argument("time_series needs problem_type regression")
        if not series.time_column.strip():
            raise invalid_argument("time_series.time_column is required in time-series mode")
        if series.window_start < 1:
            raise invalid_argument("time_series.window_start is required in time-series mode and must be 1 or more")
        if series.window_end < series.window_start:
            raise invalid_argument("time_series.window_end must be at least time_series.window_start")
    return config


async def _with_problem_type(
    call: Call, job: training_pb2.TrainingJob, config: tabular_pb2.TrainingConfig
) -> tabular_pb2.TrainingConfig:
    """A config without a problem type gets the one its target column suggests (the schema says how)."""
    if config.problem_type:
        return config
    described = await _describe(call, job, config.target_column)
    column = next((each for each in described.columns if each.name == config.target_column), None)
    if column is None:
        shown = ", ".join(described.column_names)
        raise invalid_argument(f"target {config.target_column!r} is not a column of the data; its columns: {shown}")
    if column.type in _NUMERIC:
        config.problem_type = tabular_pb2.PROBLEM_TYPE_REGRESSION
    elif column.type in _TEXT and column.unique_count == 2 and len(column.classes) == 2:
        config.problem_type = tabular_pb2.PROBLEM_TYPE_BINARY_CLASSIFICATION
        if not config.positive_class:
            # The rarer value is the event worth predicting; a tie takes the first in sort order.
            config.positive_class = min(column.classes, key=lambda each: (each.count, each.value)).value
    elif column.type in _TEXT:
        config.problem_type = tabular_pb2.PROBLEM_TYPE_MULTI_CLASSIFICATION
    else:
        kind = COLUMN_TYPE.word(column.type)
        raise invalid_argument(f"problem_type is required: the target {config.target_column!r} is a {kind} column")
    return config


async def submit_training_job(call: Call) -> web.Response:
    config = _parsed_config(call.body)
    job = await _job(call)
    if job.kind == training_pb2.TRAINING_JOB_KIND_RETRAIN:
        raise _conflict(f"training job {job.job_id} is a retrain: it starts when its data is uploaded")
    _require_data(job)
    config = _checked(await _with_problem_type(call, job, config))
    reply = await call.training_registry.SubmitTrainingJob(
        tr.SubmitTrainingJobRequest(
            actor_user_id=call.user.user_id,
            job_id=job.job_id,
            model_name=call.body["model_name"].strip(),
            config=config,
        )
    )
    return _answer(reply.job)


# --- publishing and retraining a trained model -----------------------------------------------------


async def publish_classifier(call: Call) -> web.Response:
    model = (await _trained_model(call)).model
    version = model.model_version
    if model.config.time_series.enabled and not version.preprocessing.tabular.HasField("time_series"):
        # Versions stored before forecasts were served lack the window layout a forecast needs.
        raise _conflict(f"time-series model {version.number} cannot forecast: train it again to publish it")
    reply = await call.registry.CreateApi(
        rs.CreateApiRequest(
            actor_user_id=call.user.user_id,
            name=f"{model.model_name} (model {version.number})",
            model_version_id=version.model_version_id,
            api_type=API_TYPE.value(call.body.get("api_type", "formal")),
            execution_type=apis_pb2.EXECUTION_TYPE_SERVERLESS,
            contract=apis_pb2.API_CONTRACT_PREDICTION_ONE,
        )
    )
    return json({"api": api_info(reply.api, call.base_url()), "api_key": reply.api_key.secret}, status=201)


async def retrain_model(call: Call) -> web.Response:
    reply = await call.training_registry.CreateTrainingJob(
        tr.CreateTrainingJobRequest(
            actor_user_id=call.user.user_id,
            kind=training_pb2.TRAINING_JOB_KIND_RETRAIN,
            base_model_number=_model_number(call),
        )
    )
    return _answer(reply.job, status=201)


async def apply_retrained(call: Call) -> web.Response:
    """Prediction One's update_model: each API serving the base version moves to the retrained one,
    through `updating`, so the old version answers until the new one is loaded."""
    job = await _job(call)
    if job.kind != training_pb2.TRAINING_JOB_KIND_RETRAIN:
        raise _conflict(f"training job {job.job_id} is not a retrain: publish its model instead")
    if job.status != training_pb2.TRAINING_JOB_STATUS_FINISHED or not job.model_version_id:
        raise _conflict(f"retrain job {job.job_id} has not finished")
    actor = call.user.user_id
    listed = await call.registry.ListApis(rs.ListApisRequest(actor_user_id=actor))
    moved = []
    for api in listed.apis:
        if api.contract == apis_pb2.API_CONTRACT_PREDICTION_ONE and api.model_version_id == job.base_model_version_id:
            updated = await call.registry.UpdateApi(
                rs.UpdateApiRequest(actor_user_id=actor, api_id=api.api_id, model_version_id=job.model_version_id)
            )
            moved.append(api_info(updated.api, call.base_url()))
    return json({"apis": moved})


_JOB = {200: Response("the job", schemas.TRAINING_JOB_DETAIL_ANSWER)}
_NEW_JOB = {201: Response("the job, awaiting its data", schemas.TRAINING_JOB_DETAIL_ANSWER)}
_TRAINING = "training"

ROUTES = [
    Route(
        "POST",
        "/manage/v1/training-jobs",
        create_training_job,
        "Start a training job: it awaits its data (PUT .../data), then its settings (POST .../submit)",
        _TRAINING,
        _NEW_JOB,
    ),
    Route(
        "PUT",
        f"{_JOB_PATH}/data",
        upload_data,
        "Upload a job's data as the raw body, streamed to the trainer; a retrain job starts training with it."
        " A body over the upload limit is 413 and not kept",
        _TRAINING,
        {200: Response("the job and the data set stored", training_schemas.DATA_ANSWER)},
        query=training_schemas.DATA_QUERY,
        raw_body="text/csv",
        errors=(404, 409, 413),
        path_parameters=_JOB_ID,
    ),
    Route(
        "GET",
        f"{_JOB_PATH}/columns",
        describe_columns,
        "The columns of a job's data as the trainer reads them (names, detected types, counts), to choose a target",
        _TRAINING,
        {200: Response("the columns", training_schemas.COLUMNS)},
        query=training_schemas.COLUMNS_QUERY,
        errors=(404, 409),
        path_parameters=_JOB_ID,
    ),
    Route(
        "POST",
        f"{_JOB_PATH}/submit",
        submit_training_job,
        "Queue a job whose data is uploaded, with its model name and training settings (a TrainingConfig)",
        _TRAINING,
        _JOB,
        body=training_schemas.SUBMIT,
        errors=(404, 409, 413),
        path_parameters=_JOB_ID,
    ),
    Route(
        "POST",
        f"{_JOB_PATH}/apply",
        apply_retrained,
        "Move the Prediction One APIs serving a finished retrain's base model to the retrained version",
        _TRAINING,
        {200: Response("the APIs moved (none: no API served the base model)", training_schemas.APPLIED)},
        errors=(404, 409),
        path_parameters=_JOB_ID,
    ),
    Route(
        "POST",
        f"{_MODEL_PATH}/classifier",
        publish_classifier,
        "Publish a trained model as a Prediction One API (serverless, CPU); its key is shown once",
        _TRAINING,
        {201: Response("the API and its first key", schemas.API_CREATED)},
        body=training_schemas.NEW_CLASSIFIER,
        errors=(404, 409, 413, 429),
        path_parameters=_MODEL_NUMBER,
    ),
    Route(
        "POST",
        f"{_MODEL_PATH}/retrain",
        retrain_model,
        "Start a retrain of a trained model with its settings: it trains once its new data is uploaded",
        _TRAINING,
        _NEW_JOB,
        errors=(404, 409),
        path_parameters=_MODEL_NUMBER,
    ),
]
