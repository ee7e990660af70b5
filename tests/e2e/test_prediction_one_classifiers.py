"""Classifier lifecycle and the inference errors of the Prediction One contract, over HTTP
against the real registry, trainer, scheduler and Triton."""

from __future__ import annotations

import asyncio

from services.gateway.app_keys import RUNTIME
from services.gateway.serving.triton_pool import TritonPool
from services.runtime.service_auth import triton_headers
from tests.e2e.prediction_one_client import churn_rows, csv_base64, infer, publish, train, wait_for_classifier
from tests.polling import eventually
from tests.prediction_one.conftest import PREFIX
from tests.service_token import SERVICE_TOKEN

FLAGS = {"ar": False, "ad": False, "nc": False}


async def _patch(p1, classifier_id: str, key: str, **body):
    response = await p1.training.client.patch(
        f"{PREFIX}/classifiers/{classifier_id}", json=body, headers={"x-api-key": key}
    )
    return response.status, await response.json()


async def test_stop_lock_unlock_and_delete_follow_the_api_screen_rules(prediction_one):
    p1 = prediction_one
    model_id, _ = await train(p1)
    classifier, deploy = await publish(p1, model_id)
    classifier_id = classifier["classifier_id"]
    assert classifier["active"] and classifier["is_editable"] and classifier["model_id"] == model_id
    assert classifier["url"].endswith(f"/classifiers/{classifier_id}/inference")
    listed = await (await p1.training.client.get(f"{PREFIX}/classifiers", headers={"x-api-key": deploy})).json()
    assert [item["classifier_id"] for item in listed["classifiers"]] == [classifier_id]

    train_key = await p1.training.api_key("train")
    in_use = await p1.training.client.delete(f"{PREFIX}/models/{model_id}", headers={"x-api-key": train_key})
    assert in_use.status == 400 and (await in_use.json())["code"] == 4001000204
    delete = await p1.training.client.delete(f"{PREFIX}/classifiers/{classifier_id}", headers={"x-api-key": deploy})
    refused = await delete.json()
    assert delete.status == 400 and refused["code"] == 4001000204 and "stop" in refused["message"]

    status, body = await _patch(p1, classifier_id, deploy, is_editable=False)
    assert status == 200 and body["classifier"]["is_editable"] is False
    status, body = await _patch(p1, classifier_id, deploy, active=False)
    assert status == 400 and "locked" in body["message"]
    header, rows = churn_rows(1)
    status, body = await infer(p1, classifier, {"pr": csv_base64(header, rows), **FLAGS})
    assert status == 200, "a locked classifier still serves"

    status, body = await _patch(p1, classifier_id, deploy, is_editable=True, active=False)
    assert status == 200, body  # the admin's keys may unlock
    assert body["classifier"]["status"] == "terminated" and body["classifier"]["active"] is False
    await wait_for_classifier(p1, classifier_id, deploy, "terminated")
    status, body = await infer(p1, classifier, {"pr": csv_base64(header, rows), **FLAGS})
    assert status == 503 and body == {
        "code": 5031030101,
        "error": "SERVICE_UNAVAILABLE_ERROR",
        "message": "status is not running (status: stopped)",
    }
    delete = await p1.training.client.delete(f"{PREFIX}/classifiers/{classifier_id}", headers={"x-api-key": deploy})
    assert delete.status == 204
    status, body = await eventually(  # the gateway's catalog hears of the deletion through the registry's watch
        lambda: infer(p1, classifier, {"pr": csv_base64(header, rows), **FLAGS}),
        lambda answer: answer[0] != 503,
        timeout_s=10,
        what="the gateway to stop answering the deleted classifier as stopped",
    )
    assert status == 400 and body["code"] == 4001030101 and body["error"] == "NOT_FOUND_CLASSIFIER"
    gone = await p1.training.client.get(f"{PREFIX}/classifiers/{classifier_id}", headers={"x-api-key": deploy})
    assert (await gone.json())["message"] == "Not found classifier."


async def test_keys_and_source_addresses_are_checked(prediction_one):
    p1 = prediction_one
    model_id, _ = await train(p1)
    classifier, deploy = await publish(p1, model_id)
    header, rows = churn_rows(1)
    pr = csv_base64(header, rows)
    status, body = await infer(p1, classifier, {"pr": pr, **FLAGS}, key="wrong-key")
    assert status == 403 and body["message"] == "Invalid API key" and body["code"] == 4031030201
    other, _ = await publish(p1, model_id)
    status, body = await infer(p1, classifier, {"pr": pr, **FLAGS}, key=other["api_key"])
    assert status == 403 and body["message"] == "Invalid classifier id" and body["code"] == 4031030201
    status, body = await _patch(
        p1, classifier["classifier_id"], deploy, rules=[{"source": "10.0.0.0/8", "order": "allow", "priority": 0}]
    )
    assert status == 200 and body["classifier"]["rules"] == [{"source": "10.0.0.0/8", "order": "allow", "priority": 0}]
    status, body = await eventually(
        lambda: infer(p1, classifier, {"pr": pr, **FLAGS}),
        lambda answer: answer[0] == 403,
        timeout_s=10,
        what="the gateway to apply the classifier's new source rule",
    )
    assert status == 403 and body["message"] == "Not allowed source ip"
    status, body = await _patch(
        p1, classifier["classifier_id"], deploy, rules=[{"source": "not-a-cidr", "order": "allow"}]
    )
    assert status == 400 and body["code"] == 4001000204


async def test_a_trial_classifier_answers_exactly_100_requests(prediction_one):
    p1 = prediction_one
    model_id, _ = await train(p1)
    classifier, _ = await publish(p1, model_id, api_type="trial")
    assert classifier["api_type"] == "trial" and classifier["trial_limit"] == 100
    header, rows = churn_rows(1)
    pr = csv_base64(header, rows)
    answers = await asyncio.gather(*(infer(p1, classifier, {"pr": pr, **FLAGS}) for _ in range(110)))
    statuses = [status for status, _ in answers]
    assert statuses.count(200) == 100 and statuses.count(429) == 10


async def test_management_keys_are_checked(prediction_one):
    p1 = prediction_one
    client = p1.training.client
    response = await client.get(f"{PREFIX}/classifiers")
    assert (await response.json()) == {
        "code": 4001000204,
        "error": "PREDA_EXTERNAL_BAD_REQUEST",
        "message": "invalid_api_key.",
    }
    response = await client.get(f"{PREFIX}/classifiers", headers={"x-api-key": "nobody.nothing"})
    assert (await response.json())["message"] == "Not_found_credential."
    train_key = await p1.training.api_key("train")
    response = await client.get(f"{PREFIX}/classifiers", headers={"x-api-key": train_key})
    assert (await response.json())["message"] == "Not_found_credential."
    response = await client.get(
        f"{PREFIX}/api-key",
        params={"credential_type": "retrain"},
        headers={"x-api-key": await p1.training.secret_key()},
    )
    assert (await response.json())["message"] == "Model id is required."
    response = await client.get(
        f"{PREFIX}/api-key",
        params={"credential_type": "retrain", "model_id": "999"},
        headers={"x-api-key": await p1.training.secret_key()},
    )
    assert (await response.json())["message"] == "This model may be deleted."


async def test_bad_fields_are_refused_before_anything_changes(prediction_one):
    p1 = prediction_one
    model_id, _ = await train(p1)
    classifier, deploy = await publish(p1, model_id)
    classifier_id = classifier["classifier_id"]
    client = p1.training.client

    async def create(**body):
        response = await client.post(f"{PREFIX}/classifiers", json=body, headers={"x-api-key": deploy})
        return response.status, await response.json()

    # Not a number, or beyond int64: the contract's messages, never a crash.
    assert (await create(model_id="²"))[1]["message"] == "Model id is required."
    for number in (2**63, 10**30, 0):
        status, body = await create(model_id=number)
        assert status == 400 and body["message"] == "This model may be deleted.", (number, body)
    big_priority = [{"source": "0.0.0.0/0", "order": "allow", "priority": 2**31}]
    status, body = await create(model_id=model_id, rules=big_priority)
    assert status == 400 and "priority must be between -1000000 and 1000000" in body["message"], body

    status, body = await _patch(p1, classifier_id, deploy, is_editable=False)
    assert status == 200 and body["classifier"]["is_editable"] is False
    bad_rules = (
        [{"source": "10.0.0.1/8", "order": "allow", "priority": 0}],
        [{"source": "0.0.0.0/0", "order": "allow", "priority": 0}] * 2,
        big_priority,
    )
    for rules in bad_rules:
        status, body = await _patch(p1, classifier_id, deploy, is_editable=True, active=False, rules=rules)
        assert status == 400 and body["code"] == 4001000204, body
    response = await client.get(f"{PREFIX}/classifiers/{classifier_id}", headers={"x-api-key": deploy})
    unchanged = (await response.json())["classifier"]
    assert unchanged["is_editable"] is False and unchanged["active"] is True
    assert unchanged["rules"] == classifier["rules"]
    train_key = await p1.training.api_key("train")
    for method, path in (("DELETE", f"{PREFIX}/models/{2**63}"), ("GET", f"{PREFIX}/models?offset={2**63}")):
        response = await client.request(method, path, headers={"x-api-key": train_key})
        body = await response.json()
        assert response.status == 400 and "must be between" in body["message"], (path, body)


async def test_a_trial_classifier_call_that_fails_on_the_platforms_side_gives_its_reservation_back(prediction_one):
    p1 = prediction_one
    model_id, _ = await train(p1)
    classifier, deploy = await publish(p1, model_id, api_type="trial")
    runtime = p1.platform.client.app[RUNTIME]
    working = runtime.triton
    # A Triton nobody listens on: every call fails on the platform's side.
    runtime.triton = TritonPool(["127.0.0.1:1"], triton_headers(SERVICE_TOKEN))
    try:
        header, rows = churn_rows(1)
        for _ in range(3):
            status, body = await infer(p1, classifier, {"pr": csv_base64(header, rows), **FLAGS})
            assert status >= 500, body
    finally:
        await runtime.triton.close()
        runtime.triton = working
    response = await p1.training.client.get(
        f"{PREFIX}/classifiers/{classifier['classifier_id']}", headers={"x-api-key": deploy}
    )
    assert (await response.json())["classifier"]["trial_used"] == 0
