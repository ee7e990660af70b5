"""The Prediction One routes in the gateway's route table."""

from __future__ import annotations

from services.gateway.prediction_one import classifier_routes as classifiers
from services.gateway.prediction_one import inference, schemas, training_routes as training, transfers
from services.gateway.prediction_one import retrain_routes as retrain
from services.gateway.routing import Call
from services.gateway.routing import Response, Route

PREFIXES = ("/v1/external/", "/v1/groups/")
"""Every path under these answers in the Prediction One contract's error shape."""

_TAG = "prediction-one"


async def classifier_inference(call: Call):
    return await inference.infer(call.request)

_OK = {200: Response("as the Prediction One contract describes")}
_ERRORS = (400, 500)


def _route(method: str, path: str, handler, summary: str, **extra) -> Route:
    return Route(
        method,
        path,
        handler,
        summary,
        _TAG,
        extra.pop("responses", _OK),
        authenticated=False,
        errors=_ERRORS,
        error_schema=schemas.ERROR,
        **extra,
    )


ROUTES = [
    _route("GET", "/v1/external/api-key", training.get_api_key,
           "Get API Key: x-api-key is the secret key; ?credential_type=train|deploy|retrain[&model_id=]"),
    _route("GET", "/v1/external/data-sets/upload-url", training.get_upload_urls,
           "Train Data Upload: signed PUT URLs for the training, evaluation and column-info files; ?extension=csv|tsv"),
    _route("PUT", transfers.UPLOAD_PREFIX + "/{job_id}/{slot}/{filename}", transfers.put_upload,
           "Upload a file to a signed URL (no key): the raw bytes are the body"),
    _route("GET", "/v1/external/data-sets/column-info", training.get_column_info,
           "Train Data Set Info: column statistics; ?external_process_id="),
    _route("POST", "/v1/external/models", training.create_model, "Create Model: start training",
           contract_body=schemas.CREATE_MODEL),
    _route("GET", "/v1/external/models/results", training.get_results,
           "Train Status Check: queued, running (with progress), finished (with result_url and model_id) or failed"),
    _route("GET", transfers.RESULT_PREFIX + "/{job_id}", training.download_result,
           "The result zip at a signed result_url (no key)"),
    _route("GET", "/v1/external/models", training.list_models, "Get Models; ?offset=0&limit=30"),
    _route("DELETE", "/v1/external/models/{model_id}", training.delete_model,
           "Delete Model: refused while a classifier uses it", responses={204: Response("deleted")}),
    _route("GET", "/v1/external/data-sets", training.list_data_sets, "Get Data Sets; ?offset=0&limit=30"),
    _route("DELETE", "/v1/external/data-sets/{data_set_id}", training.delete_data_set, "Delete Data Set",
           responses={204: Response("deleted")}),
    _route("GET", "/v1/external/data-sets/{data_set_id}/download", training.download_data_set,
           "A data set's file at its signed download_url (no key)"),
    _route("POST", "/v1/external/classifiers", classifiers.create_classifier,
           "Create Classifier: publish a model_id; optional rules and api_type (formal or trial)"),
    _route("GET", "/v1/external/classifiers", classifiers.list_classifiers, "Get Classifiers"),
    _route("GET", "/v1/external/classifiers/{classifier_id}", classifiers.get_classifier, "Get one classifier"),
    _route("PATCH", "/v1/external/classifiers/{classifier_id}", classifiers.update_classifier,
           "Update Classifier: rules, active (stop/start), is_editable (lock/unlock; unlock is for admins)"),
    _route("DELETE", "/v1/external/classifiers/{classifier_id}", classifiers.delete_classifier,
           "Delete Classifier: only a stopped, unlocked one", responses={204: Response("deleted")}),
    _route("POST", "/v1/groups/{group_id}/classifiers/{classifier_id}/inference", classifier_inference,
           "Inference: x-api-key is the classifier's key; inputs pr (base64 CSV), ar, ad, nc, nr, pc"),
    _route("GET", "/v1/external/retrain_jobs/upload_url", retrain.get_upload_url,
           "Retrain Data Upload: a signed PUT URL for new data (csv, tsv, or a zip of train_src/ and eval_src/)"),
    _route("GET", "/v1/external/retrain_jobs/{retrain_job_id}", retrain.get_status,
           "Retrain Status Check: job_waiting_for_upload, job_running, "
           "job_finished (with model_id and download_url) or job_failed"),
    _route("PUT", "/v1/external/retrain_jobs/{retrain_job_id}/update_model", retrain.update_model,
           "Retrain Model Switch: the classifiers serving the model move to the retrained version"),
]
