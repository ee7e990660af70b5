"""A JSON number is read as JSON Schema reads it: 5.0 is the integer 5, so it meets an integer
field's checks and bounds instead of being refused for its spelling (schemathesis sends such
numbers for integer fields); a number too large for a float is refused, not read as infinity."""

from __future__ import annotations

import pytest

from services.gateway.errors import GatewayError
from services.gateway.http_base.validation import parse_json_text
from tests.gateway.helpers import error_of, published_api
from tests.prediction_one.conftest import PREFIX, TrainingPlatform, training_platform  # noqa: F401 - a fixture

NO_SUCH_JOB = "00000000-0000-4000-8000-000000000000"


def test_a_whole_number_with_a_fraction_or_exponent_is_an_integer():
    assert parse_json_text('{"a": 5.0, "b": 2e3, "c": 0.5, "d": -0.0}', "body") == {"a": 5, "b": 2000, "c": 0.5, "d": 0}
    assert isinstance(parse_json_text("5.0", "body"), int)


def test_a_number_too_large_for_a_float_is_refused():
    with pytest.raises(GatewayError) as refused:
        parse_json_text('{"mean": [1e400]}', "the body")
    assert refused.value.status == 400
    assert "not valid JSON" in refused.value.message


async def test_management_integer_fields_take_whole_numbers_written_with_a_fraction(gateway):
    info = await published_api(gateway)
    response = await gateway.client.post(
        f"/manage/v1/apis/{info['api_id']}/rules",
        json={"cidr": "203.0.113.0/24", "action": "deny", "priority": 5.0},
        headers=gateway.admin,
    )
    body = await response.json()
    assert response.status == 201, body
    assert {"cidr": "203.0.113.0/24", "action": "deny", "priority": 5} in body["api"]["rules"]
    # The bounds still hold for such a number.
    response = await gateway.client.post(
        f"/manage/v1/apis/{info['api_id']}/rules",
        json={"cidr": "198.51.100.0/24", "priority": 2e6},
        headers=gateway.admin,
    )
    assert '"priority" must be at most 1000000' in await error_of(response, 400, "INVALID_ARGUMENT")


async def test_prediction_one_integer_fields_take_whole_numbers_written_with_a_fraction(training_platform):
    platform: TrainingPlatform = training_platform
    deploy = {"x-api-key": await platform.api_key("deploy")}
    response = await platform.client.post(f"{PREFIX}/classifiers", json={"model_id": 987654.0}, headers=deploy)
    # Read as model 987654, which does not exist, rather than as no model id at all.
    assert (await response.json())["message"] == "This model may be deleted."
    train = {"x-api-key": await platform.api_key("train")}
    body = {"external_process_id": NO_SUCH_JOB, "name": "m", "config": {"tc": "y", "tt": "regression", "cv": 2.0}}
    response = await platform.client.post(f"{PREFIX}/models", json=body, headers=train)
    # The config is good; the job is what is missing.
    assert (await response.json())["message"] == "This job may be deleted."
