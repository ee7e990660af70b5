"""The OpenAI contract's error answers: every row of §7 with its status, type, code and wording,
always the four keys, as application/json, with Retry-After where the client waits."""

from __future__ import annotations

import orjson
import pytest

from services.gateway.openai_chat import errors
from services.gateway.openai_chat.errors import OpenAIError, error_body, error_response

# (error, status, type, param, code, message)
ROWS = [
    (
        errors.invalid_request("Bad 'x'.", "x", "invalid_value"),
        400,
        "invalid_request_error",
        "x",
        "invalid_value",
        "Bad 'x'.",
    ),
    (errors.invalid_request("Bad."), 400, "invalid_request_error", None, None, "Bad."),
    (errors.malformed_json(), 400, "invalid_request_error", None, None, "The request body is not valid JSON."),
    (
        errors.unsupported_parameter("logprobs"),
        400,
        "invalid_request_error",
        "logprobs",
        "unsupported_parameter",
        "Unsupported parameter: 'logprobs' is not supported with this model.",
    ),
    (
        errors.unsupported_value("n", "2", "Only 1 is supported."),
        400,
        "invalid_request_error",
        "n",
        "unsupported_value",
        "Unsupported value: 'n' does not support 2 with this model. Only 1 is supported.",
    ),
    (
        errors.context_length_exceeded("Too long: 600 tokens, the model takes 512."),
        400,
        "invalid_request_error",
        "messages",
        "context_length_exceeded",
        "Too long: 600 tokens, the model takes 512.",
    ),
    (errors.invalid_api_key(), 401, "invalid_request_error", None, "invalid_api_key", "Authentication failed"),
    (errors.ip_not_authorized(), 401, "invalid_request_error", None, "ip_not_authorized", "IP not authorized"),
    (
        errors.insufficient_quota(),
        402,
        "insufficient_quota",
        None,
        "insufficient_quota",
        "You exceeded your current quota, please check your plan and billing details",
    ),
    (
        errors.permission_denied(),
        403,
        "permission_error",
        None,
        None,
        "The inference gateway is not enabled for your organization",
    ),
    (
        errors.permission_denied("This API is switched off"),
        403,
        "permission_error",
        None,
        None,
        "This API is switched off",
    ),
    (
        errors.model_not_found("acme/chat-small"),
        404,
        "invalid_request_error",
        "model",
        "model_not_found",
        "The model `acme/chat-small` does not exist or you do not have access to it.",
    ),
    (
        errors.not_found("/v1/chat/complete"),
        404,
        "invalid_request_error",
        None,
        None,
        "Invalid URL (/v1/chat/complete)",
    ),
    (
        errors.not_found("/v1/chat/complete", "POST"),
        404,
        "invalid_request_error",
        None,
        None,
        "Invalid URL (POST /v1/chat/complete)",
    ),
    (
        errors.method_not_allowed("GET", "/v1/chat/completions"),
        405,
        "invalid_request_error",
        None,
        None,
        "Method not allowed (GET /v1/chat/completions)",
    ),
    (
        errors.request_too_large(1048576),
        413,
        "invalid_request_error",
        None,
        None,
        "The request body is larger than 1048576 bytes.",
    ),
    (
        errors.rate_limited(3),
        429,
        "rate_limit_error",
        None,
        "rate_limit_exceeded",
        "Concurrency limit reached for requests",
    ),
    (
        errors.rate_limited(3, "Too many requests"),
        429,
        "rate_limit_error",
        None,
        "rate_limit_exceeded",
        "Too many requests",
    ),
    (
        errors.server_error(),
        500,
        "server_error",
        None,
        None,
        "The server had an error while processing your request",
    ),
    (
        errors.overloaded(5),
        503,
        "service_unavailable_error",
        None,
        "server_is_overloaded",
        "The engine is currently overloaded, please try again later",
    ),
]


@pytest.mark.parametrize(("error", "status", "kind", "param", "code", "message"), ROWS)
def test_each_row_has_its_status_type_param_code_and_words(error, status, kind, param, code, message):
    assert (error.status, error.type, error.param, error.code, error.message) == (status, kind, param, code, message)
    assert str(error) == message


@pytest.mark.parametrize(("error", "status", "kind", "param", "code", "message"), ROWS)
def test_every_body_has_exactly_the_four_keys(error, status, kind, param, code, message):
    body = error_body(error)
    assert list(body) == ["error"]
    assert body["error"] == {"message": message, "type": kind, "param": param, "code": code}


@pytest.mark.parametrize(("error", "status", "kind", "param", "code", "message"), ROWS)
def test_codes_are_strings_or_null_never_numbers(error, status, kind, param, code, message):
    # The client turns error.code into a string (§10.8); an engine's integer code must not leak.
    assert error_body(error)["error"]["code"] is None or isinstance(error_body(error)["error"]["code"], str)


def test_the_response_is_json_with_the_status_and_the_body():
    response = error_response(errors.model_not_found("m"))
    assert response.status == 404
    assert response.content_type == "application/json"
    assert orjson.loads(response.body) == {
        "error": {
            "message": "The model `m` does not exist or you do not have access to it.",
            "type": "invalid_request_error",
            "param": "model",
            "code": "model_not_found",
        }
    }
    assert "Retry-After" not in response.headers


def test_a_rate_limit_and_an_overload_say_when_to_retry():
    assert error_response(errors.rate_limited(7)).headers["Retry-After"] == "7"
    assert error_response(errors.overloaded(12)).headers["Retry-After"] == "12"


@pytest.mark.parametrize(("asked", "sent"), [(0, "1"), (-5, "1"), (1, "1"), (60, "60"), (61, "60"), (3600, "60")])
def test_retry_after_is_whole_seconds_between_1_and_60(asked, sent):
    # The client retries only when it is told to wait at most 60 s (1.x), and a 0 would retry at once.
    assert errors.rate_limited(asked).headers == {"Retry-After": sent}
    assert errors.overloaded(asked).headers == {"Retry-After": sent}


def test_a_custom_error_carries_its_headers_to_the_response():
    error = OpenAIError(429, "Slow down", "rate_limit_error", None, "rate_limit_exceeded", {"Retry-After": "2"})
    response = error_response(error)
    assert response.status == 429
    assert response.headers["Retry-After"] == "2"
    assert orjson.loads(response.body)["error"]["message"] == "Slow down"


def test_errors_do_not_share_headers():
    first, second = OpenAIError(400, "a", "invalid_request_error"), OpenAIError(400, "b", "invalid_request_error")
    first.headers["X-Test"] = "1"
    assert second.headers == {}
