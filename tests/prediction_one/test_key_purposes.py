"""Each Prediction One key reaches exactly the routes of its purpose, through the real gateway,
registry and trainer: a train key trains, a deploy key publishes (and lists the models it may
publish), a retrain key retrains its own model and nothing else; the secret key only issues keys.
Any other use answers the contract's wrong-key error, `Not_found_credential.`."""

from __future__ import annotations

from services.gateway.prediction_one import routes as prediction_one_routes
from tests.prediction_one.conftest import PREFIX, TrainingPlatform

WRONG_KEY = {"code": 4001000204, "error": "PREDA_EXTERNAL_BAD_REQUEST", "message": "Not_found_credential."}
NO_SUCH_ID = "00000000-0000-0000-0000-000000000000"
SMALL = b"x,y\n" + b"".join(f"{i % 13},{(i % 13) * 2 + (i % 3)}\n".encode() for i in range(60))

# Which key each route takes: the contract's purposes, and where it is silent the least the
# holder of a purpose needs (a deploy key lists models to pick one to publish).
# (method, path, request options) → the keys it admits.
KEYS_BY_ROUTE = [
    ("GET", "/api-key", {"params": {"credential_type": "train"}}, {"secret"}),
    ("GET", "/data-sets/upload-url", {"params": {"extension": "csv"}}, {"train"}),
    ("GET", "/data-sets/column-info", {"params": {"external_process_id": NO_SUCH_ID}}, {"train"}),
    ("POST", "/models", {"json": {}}, {"train"}),
    ("GET", "/models/results", {"params": {"external_process_id": NO_SUCH_ID}}, {"train"}),
    ("GET", "/models", {}, {"train", "deploy"}),
    ("DELETE", "/models/{model_id}", {}, {"train"}),
    ("GET", "/data-sets", {}, {"train"}),
    ("DELETE", "/data-sets/{data_set_id}", {}, {"train"}),
    ("POST", "/classifiers", {"json": {"model_id": 987654}}, {"deploy"}),
    ("GET", "/classifiers", {}, {"deploy"}),
    ("GET", "/classifiers/{classifier_id}", {}, {"deploy"}),
    ("PATCH", "/classifiers/{classifier_id}", {"json": {}}, {"deploy"}),
    ("DELETE", "/classifiers/{classifier_id}", {}, {"deploy"}),
    ("GET", "/retrain_jobs/upload_url", {"params": {"filename": "more.csv"}}, {"retrain"}),
    ("GET", "/retrain_jobs/{retrain_job_id}", {}, {"retrain"}),
    ("PUT", "/retrain_jobs/{retrain_job_id}/update_model", {}, {"retrain"}),
]
# Routes that take no management key: signed URLs, and the classifier's own key at inference.
KEYLESS = {
    ("PUT", "/uploads/{job_id}/{slot}/{filename}"),
    ("GET", "/results/{job_id}"),
    ("GET", "/data-sets/{data_set_id}/download"),
    ("POST", "/v1/groups/{group_id}/classifiers/{classifier_id}/inference"),
}
PATH_VALUES = {"model_id": "987654", "data_set_id": "987654", "classifier_id": NO_SUCH_ID, "retrain_job_id": NO_SUCH_ID}


async def _trained_model(platform: TrainingPlatform, train_key: str) -> int:
    process_id = await platform.upload(train_key, SMALL)
    await platform.train(train_key, process_id, {"tc": "y", "tt": "regression"})
    result = await platform.wait_for_result(train_key, process_id)
    assert result["status"] == "finished", result
    return result["model_id"]


async def _call(platform: TrainingPlatform, method: str, path: str, options: dict, key: str):
    response = await platform.client.request(
        method, PREFIX + path.format(**PATH_VALUES), headers={"x-api-key": key}, **options
    )
    return response.status, await response.json()


def test_the_table_above_names_every_prediction_one_route():
    declared = {(method, PREFIX + path) for method, path, _, _ in KEYS_BY_ROUTE}
    keyless = {(method, path if path.startswith("/v1/groups") else PREFIX + path) for method, path in KEYLESS}
    assert {(route.method, route.path) for route in prediction_one_routes.ROUTES} == declared | keyless


async def test_each_key_reaches_the_routes_of_its_purpose_and_no_other(training_platform):
    platform = training_platform
    train_key = await platform.api_key("train")
    model = await _trained_model(platform, train_key)
    keys = {
        "secret": await platform.secret_key(),
        "train": train_key,
        "deploy": await platform.api_key("deploy"),
        "retrain": await platform.api_key("retrain", model_id=str(model)),
    }
    for method, path, options, allowed in KEYS_BY_ROUTE:
        for purpose, key in keys.items():
            status, body = await _call(platform, method, path, options, key)
            if purpose in allowed:
                # Past the key check: the route answers for itself (here often "no such id").
                assert status < 500 and body.get("message") != WRONG_KEY["message"], (method, path, purpose, body)
            else:
                assert (status, body) == (400, WRONG_KEY), (method, path, purpose, body)

    # The routes a key is for really work with it.
    for purpose, path in (
        ("train", "/data-sets"),
        ("train", "/models"),
        ("deploy", "/models"),
        ("deploy", "/classifiers"),
    ):
        status, body = await _call(platform, "GET", path, {}, keys[purpose])
        assert status == 200, (purpose, path, body)
    status, listed = await _call(platform, "GET", "/models", {}, keys["deploy"])
    assert [entry["model_id"] for entry in listed["models"]] == [model]


async def test_a_deploy_key_cannot_list_data_sets_or_their_download_urls(training_platform):
    platform = training_platform
    train_key = await platform.api_key("train")
    await platform.upload(train_key, SMALL)
    status, as_trainer = await _call(platform, "GET", "/data-sets", {}, train_key)
    assert status == 200 and len(as_trainer["data_sets"]) == 1 and as_trainer["data_sets"][0]["download_url"]

    status, body = await _call(platform, "GET", "/data-sets", {}, await platform.api_key("deploy"))
    assert (status, body) == (400, WRONG_KEY)


async def test_a_retrain_key_reaches_only_its_own_model(training_platform):
    platform = training_platform
    train_key = await platform.api_key("train")
    model_a, model_b = await _trained_model(platform, train_key), await _trained_model(platform, train_key)
    key_a = await platform.api_key("retrain", model_id=str(model_a))
    key_b = await platform.api_key("retrain", model_id=str(model_b))
    upload = {"params": {"filename": "more.csv"}}
    status, job_a = await _call(platform, "GET", "/retrain_jobs/upload_url", upload, key_a)
    assert status == 200, job_a
    status, job_b = await _call(platform, "GET", "/retrain_jobs/upload_url", upload, key_b)
    assert status == 200, job_b

    status, own = await _call(platform, "GET", f"/retrain_jobs/{job_a['retrain_job_id']}", {}, key_a)
    assert status == 200 and own["status"] == "job_waiting_for_upload", own
    # Model B's retrain job is no business of model A's key, whether read or switched.
    for method, path in (("GET", "/retrain_jobs/{}"), ("PUT", "/retrain_jobs/{}/update_model")):
        status, body = await _call(platform, method, path.format(job_b["retrain_job_id"]), {}, key_a)
        assert (status, body["message"]) == (400, "Not found retrain job."), (method, body)
    # Nor are the account's other models, or their data.
    for path in ("/models", "/data-sets"):
        status, body = await _call(platform, "GET", path, {}, key_a)
        assert (status, body) == (400, WRONG_KEY), (path, body)
    status, body = await _call(platform, "DELETE", f"/models/{model_b}", {}, key_a)
    assert (status, body) == (400, WRONG_KEY), body
    status, still = await _call(platform, "GET", "/models", {}, train_key)
    assert sorted(entry["model_id"] for entry in still["models"]) == sorted([model_a, model_b])
