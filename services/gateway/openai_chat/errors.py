"""The OpenAI contract's error answers: one exception and a constructor per row of the contract's §7.

Every failure answers `{"error": {"message", "type", "param", "code"}}`, all four keys present
(null where empty), as `application/json`. The `openai` client picks its exception class by the
HTTP status and shows `message`; `code` stays a string or null (§10.8). Messages are Torii's own
or OpenAI's wording: never a parser's or an engine's text, which would leak internals and change
with their versions.

A 429 and a 503 carry `Retry-After` in whole seconds, clamped to 1..60: the client obeys it only
up to 60 s (1.x) or 120 s (newer) and gives up on anything longer (§8, §10.8).
"""

from __future__ import annotations

from aiohttp import web

from services.gateway.http_base.json_responses import json_response

INVALID_REQUEST_ERROR = "invalid_request_error"
MAX_RETRY_AFTER_S = 60


class OpenAIError(Exception):
    """One failure as the contract words it; `headers` go on the HTTP answer (Retry-After)."""

    def __init__(
        self,
        status: int,
        message: str,
        type: str,
        param: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.headers = headers or {}


def error_body(error: OpenAIError) -> dict[str, dict[str, str | None]]:
    return {"error": {"message": error.message, "type": error.type, "param": error.param, "code": error.code}}


def error_response(error: OpenAIError) -> web.Response:
    response = json_response(error_body(error), error.status)
    response.headers.update(error.headers)
    return response


def retry_after(seconds: int) -> dict[str, str]:
    return {"Retry-After": str(min(max(int(seconds), 1), MAX_RETRY_AFTER_S))}


# 400


def invalid_request(message: str, param: str | None = None, code: str | None = None) -> OpenAIError:
    return OpenAIError(400, message, INVALID_REQUEST_ERROR, param, code)


def malformed_json() -> OpenAIError:
    """A body that is not JSON (§10.4): Torii's own words, no parser text."""
    return invalid_request("The request body is not valid JSON.")


def unsupported_parameter(param: str) -> OpenAIError:
    """A field the engine cannot serve, worded as OpenAI words it (§3)."""
    return invalid_request(
        f"Unsupported parameter: '{param}' is not supported with this model.", param, "unsupported_parameter"
    )


def unsupported_value(param: str, value: str, supported: str) -> OpenAIError:
    """A field the engine serves, but not with this value; `value` is shown as given (quote
    strings yourself), `supported` says what is, e.g. "Only 1 is supported." (OpenAI's wording
    for a value a model refuses, code `unsupported_value`)."""
    return invalid_request(
        f"Unsupported value: '{param}' does not support {value} with this model. {supported}",
        param,
        "unsupported_value",
    )


def context_length_exceeded(message: str) -> OpenAIError:
    return invalid_request(message, "messages", "context_length_exceeded")


# 401, 402, 403


def invalid_api_key() -> OpenAIError:
    return OpenAIError(401, "Authentication failed", INVALID_REQUEST_ERROR, None, "invalid_api_key")


def ip_not_authorized() -> OpenAIError:
    return OpenAIError(401, "IP not authorized", INVALID_REQUEST_ERROR, None, "ip_not_authorized")


def insufficient_quota() -> OpenAIError:
    # 402, not OpenAI's 429: the client retries a 429, and a spent quota does not come back.
    return OpenAIError(
        402,
        "You exceeded your current quota, please check your plan and billing details",
        "insufficient_quota",
        None,
        "insufficient_quota",
    )


def permission_denied(message: str = "The inference gateway is not enabled for your organization") -> OpenAIError:
    return OpenAIError(403, message, "permission_error", None, None)


# 404, 405, 413


def model_not_found(model_id: str) -> OpenAIError:
    return OpenAIError(
        404,
        f"The model `{model_id}` does not exist or you do not have access to it.",
        INVALID_REQUEST_ERROR,
        "model",
        "model_not_found",
    )


def not_found(path: str, method: str | None = None) -> OpenAIError:
    """No route at this path; OpenAI's own words for it are "Invalid URL (POST /v1/…)"."""
    where = f"{method} {path}" if method else path
    return OpenAIError(404, f"Invalid URL ({where})", INVALID_REQUEST_ERROR, None, None)


def method_not_allowed(method: str, path: str) -> OpenAIError:
    """The route exists but not for this method; the caller adds the Allow header (RFC 9110)."""
    return OpenAIError(405, f"Method not allowed ({method} {path})", INVALID_REQUEST_ERROR, None, None)


def request_too_large(limit_bytes: int) -> OpenAIError:
    return OpenAIError(413, f"The request body is larger than {limit_bytes} bytes.", INVALID_REQUEST_ERROR, None, None)


# 429, 500, 503


def rate_limited(retry_after_s: int, message: str = "Concurrency limit reached for requests") -> OpenAIError:
    return OpenAIError(429, message, "rate_limit_error", None, "rate_limit_exceeded", retry_after(retry_after_s))


def request_too_large_for_limit(limit_tokens: int) -> OpenAIError:
    """A request whose prompt and cap are more than the key's tokens per minute: waiting does not help."""
    return OpenAIError(
        429,
        f"Request too large for this key's tokens per minute (limit {limit_tokens}): reduce the input or"
        " max_tokens to run it",
        "rate_limit_error",
        None,
        "rate_limit_exceeded",
        {"x-should-retry": "false"},
    )


def server_error() -> OpenAIError:
    return OpenAIError(500, "The server had an error while processing your request", "server_error", None, None)


def overloaded(retry_after_s: int) -> OpenAIError:
    return OpenAIError(
        503,
        "The engine is currently overloaded, please try again later",
        "service_unavailable_error",
        None,
        "server_is_overloaded",
        retry_after(retry_after_s),
    )
