"""The Prediction One routes in the gateway's route table."""

from __future__ import annotations

from services.gateway.http_base.inference_outcomes import counted_inference
from services.gateway.http_base.routing import Response, Route
from services.gateway.http_base.schema_words import uuid, uuids
from services.gateway.prediction_one import classifier_routes as classifiers
from services.gateway.prediction_one import inference, schemas, transfers
from services.gateway.prediction_one import retrain_routes as retrain
from services.gateway.prediction_one import training_routes as training
from services.gateway.prediction_one.auth import (
    CLASSIFIER_KEY,
    DEPLOY,
    RETRAIN,
    SECRET_KEY,
    SIGNED_URL,
    TRAIN,
    KeyRule,
    api_key,
    guarded,
)

"""Every path under these answers in the Prediction One contract's error shape."""

_TAG = "prediction-one"


classifier_inference = counted_inference(inference.infer, "classifier_inference")


def _ok(description: str, schema) -> dict[int, Response]:
    return {200: Response(description, schema)}


_FILE = {"type": "string", "format": "binary"}
_DELETED = {204: Response("deleted")}
_ERRORS = (400, 500, 503)


def _route(method: str, path: str, handler, summary: str, *, keys: KeyRule, **extra) -> Route:
    """A route and the key it takes (`keys`, checked before the handler runs: see auth.guarded)."""
    if keys is SIGNED_URL:
        extra["contract_query"] = schemas.SIGNED_URL_QUERY
    return Route(
        method,
        path,
        guarded(keys, handler),
        summary,
        _TAG,
        extra.pop("responses"),
        authenticated=False,
        errors=extra.pop("errors", _ERRORS),
        error_schema=schemas.ERROR,
        security=keys.schemes,
        **extra,
    )


# The key each route takes. Where the contract is silent (its open point 6), a key reaches what
# its holder needs and no more: a deploy key lists models to publish one (flow step 6) but not
# data sets; a retrain key reaches only the retrain routes, and there only its own model.
TRAIN_KEY = api_key(TRAIN)
DEPLOY_KEY = api_key(DEPLOY)
RETRAIN_KEY = api_key(RETRAIN)
TRAIN_OR_DEPLOY_KEY = api_key(TRAIN, DEPLOY)
_CLASSIFIER_ID = uuids("classifier_id")
_RETRAIN_JOB_ID = {"retrain_job_id": schemas.JOB_ID}

ROUTES = [
    _route(
        "GET",
        "/v1/external/api-key",
        training.get_api_key,
        "Get API Key: x-api-key is the secret key; ?credential_type=train|deploy|retrain[&model_id=]",
        keys=SECRET_KEY,
        contract_query=schemas.API_KEY_QUERY,
        responses=_ok("the key", schemas.API_KEY),
    ),
    _route(
        "GET",
        "/v1/external/data-sets/upload-url",
        training.get_upload_urls,
        "Train Data Upload: signed PUT URLs for the training, evaluation and column-info files; ?extension=csv|tsv",
        keys=TRAIN_KEY,
        contract_query=schemas.UPLOAD_URL_QUERY,
        responses=_ok("the URLs", schemas.UPLOAD_URLS),
    ),
    _route(
        "PUT",
        transfers.UPLOAD_PREFIX + "/{job_id}/{slot}/{filename}",
        transfers.put_upload,
        "Upload a file to a signed URL (no key): the raw bytes are the body",
        keys=SIGNED_URL,
        path_parameters=schemas.UPLOAD_PATH,
        raw_body="application/octet-stream",
        responses=_ok("stored", schemas.UPLOADED),
    ),
    _route(
        "GET",
        "/v1/external/data-sets/column-info",
        training.get_column_info,
        "Train Data Set Info: column statistics; ?external_process_id=",
        keys=TRAIN_KEY,
        contract_query=schemas.COLUMN_INFO_QUERY,
        responses=_ok("the columns", schemas.COLUMN_INFO),
    ),
    _route(
        "POST",
        "/v1/external/models",
        training.create_model,
        "Create Model: start training",
        keys=TRAIN_KEY,
        contract_body=schemas.CREATE_MODEL,
        responses=_ok("queued", schemas.PROCESS),
    ),
    _route(
        "GET",
        "/v1/external/models/results",
        training.get_results,
        "Train Status Check: queued, running (with progress), finished (with result_url and model_id) or failed",
        keys=TRAIN_KEY,
        contract_query=schemas.PROCESS_QUERY,
        responses=_ok("the job", schemas.JOB_STATUS),
    ),
    _route(
        "GET",
        transfers.RESULT_PREFIX + "/{job_id}",
        training.download_result,
        "The result zip at a signed result_url (no key)",
        keys=SIGNED_URL,
        path_parameters={"job_id": schemas.JOB_ID},
        responses={200: Response("the zip", _FILE, "application/zip")},
    ),
    _route(
        "GET",
        "/v1/external/models",
        training.list_models,
        "Get Models; ?offset=0&limit=30",
        keys=TRAIN_OR_DEPLOY_KEY,
        contract_query=schemas.PAGE_QUERY,
        responses=_ok("a page of models", schemas.MODEL_LIST),
    ),
    _route(
        "DELETE",
        "/v1/external/models/{model_id}",
        training.delete_model,
        "Delete Model: refused while a classifier uses it",
        keys=TRAIN_KEY,
        responses=_DELETED,
        path_parameters={"model_id": schemas.NUMBER_ID},
    ),
    _route(
        "GET",
        "/v1/external/data-sets",
        training.list_data_sets,
        "Get Data Sets; ?offset=0&limit=30",
        keys=TRAIN_KEY,
        contract_query=schemas.PAGE_QUERY,
        responses=_ok("a page of data sets", schemas.DATA_SET_LIST),
    ),
    _route(
        "DELETE",
        "/v1/external/data-sets/{data_set_id}",
        training.delete_data_set,
        "Delete Data Set",
        keys=TRAIN_KEY,
        responses=_DELETED,
        path_parameters={"data_set_id": schemas.NUMBER_ID},
    ),
    _route(
        "GET",
        "/v1/external/data-sets/{data_set_id}/download",
        training.download_data_set,
        "A data set's file at its signed download_url (no key)",
        keys=SIGNED_URL,
        path_parameters={"data_set_id": schemas.NUMBER_ID},
        responses={200: Response("the file", _FILE, "text/csv")},
    ),
    _route(
        "POST",
        "/v1/external/classifiers",
        classifiers.create_classifier,
        "Create Classifier: publish a model_id; optional rules and api_type (formal or trial)",
        keys=DEPLOY_KEY,
        contract_body=schemas.CREATE_CLASSIFIER,
        responses=_ok("the classifier and its key", schemas.CLASSIFIER_CREATED),
    ),
    _route(
        "GET",
        "/v1/external/classifiers",
        classifiers.list_classifiers,
        "Get Classifiers",
        keys=DEPLOY_KEY,
        responses=_ok("the classifiers", schemas.CLASSIFIER_LIST),
    ),
    _route(
        "GET",
        "/v1/external/classifiers/{classifier_id}",
        classifiers.get_classifier,
        "Get one classifier",
        keys=DEPLOY_KEY,
        path_parameters=_CLASSIFIER_ID,
        responses=_ok("the classifier", schemas.ONE_CLASSIFIER),
    ),
    _route(
        "PATCH",
        "/v1/external/classifiers/{classifier_id}",
        classifiers.update_classifier,
        "Update Classifier: rules, active (stop/start), is_editable (lock/unlock; unlock is for admins)",
        keys=DEPLOY_KEY,
        path_parameters=_CLASSIFIER_ID,
        contract_body=schemas.UPDATE_CLASSIFIER,
        responses=_ok("the classifier", schemas.ONE_CLASSIFIER),
    ),
    _route(
        "DELETE",
        "/v1/external/classifiers/{classifier_id}",
        classifiers.delete_classifier,
        "Delete Classifier: only a stopped, unlocked one",
        keys=DEPLOY_KEY,
        responses=_DELETED,
        path_parameters=_CLASSIFIER_ID,
    ),
    _route(
        "POST",
        "/v1/groups/{group_id}/classifiers/{classifier_id}/inference",
        classifier_inference,
        "Inference: x-api-key is the classifier's key; inputs pr (base64 CSV), ar, ad, nc, nr, pc",
        keys=CLASSIFIER_KEY,
        path_parameters={"group_id": uuid(), **_CLASSIFIER_ID},
        contract_body=schemas.INFERENCE_REQUEST,
        responses=_ok("the predictions", schemas.INFERENCE_RESPONSE),
        errors=(400, 403, 429, 500, 503, 504),
    ),
    _route(
        "GET",
        "/v1/external/retrain_jobs/upload_url",
        retrain.get_upload_url,
        "Retrain Data Upload: a signed PUT URL for new data (csv, tsv, or a zip of train_src/ and eval_src/)",
        keys=RETRAIN_KEY,
        contract_query=schemas.RETRAIN_UPLOAD_QUERY,
        responses=_ok("the URL", schemas.RETRAIN_UPLOAD),
    ),
    _route(
        "GET",
        "/v1/external/retrain_jobs/{retrain_job_id}",
        retrain.get_status,
        "Retrain Status Check: job_waiting_for_upload, job_running, "
        "job_finished (with model_id and download_url) or job_failed",
        keys=RETRAIN_KEY,
        path_parameters=_RETRAIN_JOB_ID,
        responses=_ok("the job", schemas.RETRAIN_STATUS),
    ),
    _route(
        "PUT",
        "/v1/external/retrain_jobs/{retrain_job_id}/update_model",
        retrain.update_model,
        "Retrain Model Switch: the classifiers serving the model move to the retrained version",
        keys=RETRAIN_KEY,
        path_parameters=_RETRAIN_JOB_ID,
        responses=_ok("switched", schemas.RETRAIN_SWITCHED),
    ),
]
