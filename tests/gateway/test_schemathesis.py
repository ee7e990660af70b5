"""schemathesis over the gateway's own /openapi.json, against a real gateway, registry and trainer.

Every operation is called with the credential its description names (a bearer token, or the
Prediction One key of the right purpose in x-api-key) and with requests generated from its
description: schema-valid ones, then schema-invalid ones. None may answer a 5xx, or a status or a
body its description does not list; and a schema-valid request may be refused only for what no
JSON Schema can say (UNFORESEEABLE below), so the description and the code's checks agree.

Bounded for `make test`: a fixed number of examples per operation, derandomized (the same
requests every run), no shrinking and no example database.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from dataclasses import dataclass

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import (
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from services.gateway.auth import SESSION_COOKIE
from services.gateway.prediction_one import contract_errors as p1
from tests.gateway.conftest import bearer
from tests.prediction_one.conftest import TrainingPlatform, training_platform  # noqa: F401 - a fixture used here

MAX_EXAMPLES = 8
TIMEOUT_S = 30

# Inference reaches Triton once its key and API are real; tests/nnc and tests/prediction_one cover it.
NEEDS_TRITON = {
    "POST /v1/{execution_type}/classifiers/{api_id}/inference",
    "POST /v1/groups/{group_id}/classifiers/{classifier_id}/inference",
    # tests/e2e/test_openai_chat.py covers it with a served chat model.
    "POST /v1/chat/completions",
}
# An event stream never ends by itself: each example would wait out TIMEOUT_S.
# tests/gateway/test_api_events.py covers it.
STREAMS = {"GET /manage/v1/apis/events"}
NOT_EXERCISED = NEEDS_TRITON | STREAMS

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, positive_data_acceptance]

# Refusals of schema-valid requests that no JSON Schema can foresee: a file's content, a CIDR's
# syntax, a relation between two fields, and things that do not exist. The management API answers
# the last with 404, which schemathesis expects; Prediction One's contract answers them with 400.
_CIDR = r"is not a valid IPv4 or IPv6 CIDR|appears in two rules"
_NOT_SIGNED = r"^the URL is not a signed URL\.$|^the URL's signature does not match\.$|^the URL has expired"
_P1_GONE = "|".join(
    re.escape(failure.message)
    for failure in (p1.MODEL_DELETED, p1.JOB_DELETED, p1.CLASSIFIER_NOT_FOUND, p1.RETRAIN_JOB_NOT_FOUND)
)
# A GGUF's header is a file's content; that a GGUF takes no signature is a relation of two fields.
_MODEL_FILE = r"is not a valid ONNX model|is not a GGUF model|a GGUF chat model takes no"
UNFORESEEABLE: dict[str, str] = {
    "POST /manage/v1/models": _MODEL_FILE,
    "POST /manage/v1/models/{model_id}/versions": _MODEL_FILE,
    "POST /manage/v1/apis": _CIDR,
    "POST /manage/v1/apis/{api_id}/rules": _CIDR,
    "DELETE /manage/v1/apis/{api_id}/rules": _CIDR,
    "GET /manage/v1/apis/{api_id}/usage": r'^"from" \(.*\) is after "to"',
    "PATCH /manage/v1/credentials/{credential_id}": r"^expires_at .* is not in the future$",
    "POST /manage/v1/chat-keys": (
        r"^expires_at .* is not in the future$|^default_project .* is not one of the key's projects$"
    ),
    "GET /v1/external/api-key": f"{_P1_GONE}|^{re.escape(p1.MODEL_ID_REQUIRED.message)}$",
    "PUT /v1/external/uploads/{job_id}/{slot}/{filename}": _NOT_SIGNED,
    "GET /v1/external/results/{job_id}": _NOT_SIGNED,
    "GET /v1/external/data-sets/{data_set_id}/download": _NOT_SIGNED,
    "GET /v1/external/data-sets/column-info": _P1_GONE,
    "GET /v1/external/models/results": _P1_GONE,
    "POST /v1/external/models": rf"{_P1_GONE}|^config\.tst is required in time-series mode and must be at least tsf",
    "DELETE /v1/external/models/{model_id}": f"{_P1_GONE}|is used by a published API",
    "DELETE /v1/external/data-sets/{data_set_id}": r"^This data set may be deleted\.$",
    "POST /v1/external/classifiers": f"{_P1_GONE}|{_CIDR}",
    "GET /v1/external/classifiers/{classifier_id}": _P1_GONE,
    "PATCH /v1/external/classifiers/{classifier_id}": f"{_P1_GONE}|{_CIDR}",
    "DELETE /v1/external/classifiers/{classifier_id}": _P1_GONE,
    "GET /v1/external/retrain_jobs/{retrain_job_id}": _P1_GONE,
    "PUT /v1/external/retrain_jobs/{retrain_job_id}/update_model": _P1_GONE,
}


@dataclass
class Found:
    operation: str
    title: str
    detail: str

    def __str__(self) -> str:
        return f"{self.operation}: {self.title}\n{self.detail}"


def _message(response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):  # the management API's shape
        return str(error.get("message", ""))
    return str(body.get("message", "")) if isinstance(body, dict) else ""


def _unforeseeable(label: str, response) -> bool:
    pattern = UNFORESEEABLE.get(label)
    return response.status_code == 400 and pattern is not None and re.search(pattern, _message(response)) is not None


def _exercise(operation, base_url: str, headers: dict[str, str], mode: schemathesis.GenerationMode) -> list[Found]:
    found: dict[str, Found] = {}

    @hypothesis.settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck),
        print_blob=False,
    )
    @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
    def call(case):
        response = case.call(base_url=base_url, headers=headers, timeout=TIMEOUT_S)
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as group:
            for failure in group.exceptions:
                if isinstance(failure, RejectedPositiveData) and _unforeseeable(operation.label, response):
                    continue
                detail = f"  [{response.status_code}] {response.text[:300]}\n  {case.as_curl_command()[:600]}"
                found.setdefault(failure.title, Found(operation.label, failure.title, detail))

    try:
        call()
    except hypothesis.errors.Unsatisfiable:
        # Nothing in this operation can be made schema-invalid (a GET without parameters).
        assert mode == schemathesis.GenerationMode.NEGATIVE, operation.label
    return list(found.values())


def _run(document: dict, base_url: str, keys: dict[str, str]) -> tuple[list[Found], list[str]]:
    # An explicit config: a schemathesis.toml found on disk must not change what runs.
    schema = schemathesis.openapi.from_dict(document, config=schemathesis.Config())
    found: list[Found] = []
    tested: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    # Deletions last, so that the model the retrain key names is still there for the others.
    for operation in sorted(operations, key=lambda operation: operation.method.upper() == "DELETE"):
        if operation.label in NOT_EXERCISED:
            continue
        requirements = operation.definition.raw.get("security", [])
        headers: dict[str, str] = {}
        if requirements:
            # Any one requirement will do: use the first, with the credential it names.
            (scheme,) = requirements[0]
            definition = document["components"]["securitySchemes"][scheme]
            value = keys[scheme]
            if definition["type"] == "http":
                headers["Authorization"] = f"Bearer {value}"
            elif definition["in"] == "cookie":
                headers["Cookie"] = f"{definition['name']}={value}"
            else:
                headers[definition["name"]] = value
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            found += _exercise(operation, base_url, headers, mode)
        tested.append(operation.label)
    return found, tested


SMALL_DATA = b"x,y\n" + b"".join(f"{i % 13},{(i % 13) * 2 + (i % 3)}\n".encode() for i in range(60))


@pytest.fixture
async def credentials(training_platform: TrainingPlatform) -> dict[str, str]:
    """A credential for each security scheme the document names; a retrain key needs a model."""
    platform = training_platform
    train = await platform.api_key("train")
    process_id = await platform.upload(train, SMALL_DATA)
    await platform.train(train, process_id, {"tc": "y", "tt": "regression"})
    trained = await platform.wait_for_result(train, process_id)
    assert trained["status"] == "finished", trained
    model = trained["model_id"]
    return {
        "bearer": platform.gateway.registry.admin_token,
        "predictionOneSecretKey": await platform.secret_key(),
        "predictionOneTrainKey": train,
        "predictionOneDeployKey": await platform.api_key("deploy"),
        "predictionOneRetrainKey": await platform.api_key("retrain", model_id=str(model)),
        # No chat API here (it needs a GGUF and Triton): /v1/models must refuse it as the contract says.
        "openaiChatKey": f"{uuid.uuid4()}.{'0' * 64}",
        # Without the timestamp and access key headers: the gateway layer's 401 / 200, as documented.
        "ncpSignatureV2": "A" * 43 + "=",
        "console_session": await _console_session(platform),
    }


async def _console_session(platform: TrainingPlatform) -> str:
    """A console session of the admin, who is given a password of their own first."""
    admin = bearer(platform.gateway.registry.admin_token)
    users = await (await platform.client.get("/manage/v1/users", headers=admin)).json()
    (admin_id,) = [user["user_id"] for user in users["users"] if user["name"] == "admin"]
    password = "the admin's own password"
    response = await platform.client.put(
        f"/manage/v1/users/{admin_id}/password", json={"new_password": password}, headers=admin
    )
    assert response.status == 204, await response.text()
    response = await platform.client.post("/manage/v1/session", json={"user_name": "admin", "password": password})
    assert response.status == 200, await response.text()
    return response.cookies[SESSION_COOKIE].value


async def test_every_operation_keeps_to_its_description(training_platform, credentials):
    response = await training_platform.client.get("/openapi.json")
    document = await response.json()
    found, tested = await asyncio.to_thread(_run, document, training_platform.base_url, credentials)
    documented = {f"{method.upper()} {path}" for path, operations in document["paths"].items() for method in operations}
    assert set(tested) == documented - NOT_EXERCISED
    assert not found, f"{len(found)} disagreement(s) between the description and the gateway:\n\n" + "\n\n".join(
        map(str, found)
    )
