"""Prediction One inference: POST the classifier's URL with x-api-key and a base64 CSV (`pr`),
get base64 CSV predictions and, with `ar`, the reasons.

The gateway only reads the CSV into the model's input tensors and writes the CSV answers; the
model (preprocessing, LightGBM and its TreeSHAP reasons) runs inside Triton with dynamic
batching. A time-series model's inputs are windows over the rows sent (services.tabular.forecast):
the gateway looks up each window's lags among those rows, and the model does the rest. The checks
every contract shares come first (serving.admission).
"""

from __future__ import annotations

import asyncio
import base64
import binascii

from aiohttp import web

from services.gateway.http_base.inference_bodies import BodyRefused, read_json
from services.gateway.http_base.json_responses import json_response
from services.gateway.http_base.peers import caller_address
from services.gateway.prediction_one.contract_errors import (
    FAILURE_BY_REFUSAL,
    INFERENCE_FAILED,
    INVALID_REQUEST,
    NO_SUCH_CLASSIFIER,
    NOT_RUNNING,
    PredictionOneError,
    error_response,
)
from services.gateway.prediction_one.forecast_csv import forecast_analysis, forecast_valid
from services.gateway.prediction_one.prediction_csv import Options, prediction_analysis, prediction_valid
from services.gateway.serving import admission
from services.gateway.serving.catalog import Endpoint
from services.gateway.serving.inference_runtime import InferenceRuntime
from services.gateway.serving.refusals import Refused
from services.gateway.serving.schema_cache import tabular_schema
from services.runtime.logging import get_logger, request_id_var
from services.tabular.csv_text import TableError, decode_table
from services.tabular.forecast import Forecast, ForecastError, forecast_windows, is_time_series
from services.tabular.schema import CONTRIBUTIONS_OUTPUT, PREDICTION_OUTPUT, PROBABILITIES_OUTPUT
from services.tabular.tensors import MissingColumnsError, input_tensors
from torii.v1 import apis_pb2

log = get_logger("prediction_one")

API_KEY_HEADER = "x-api-key"
MAX_ROWS = 10_000
_INLINE_DECODE_BYTES = 64 * 1024
_STATUS_NAMES = {value: name.removeprefix("API_STATUS_").lower() for name, value in apis_pb2.ApiStatus.items()}
_REQUIRED = ("pr", "ar", "ad", "nc")
_KNOWN = (*_REQUIRED, "nr", "pc")


def _contract_error(refused: Refused, endpoint: Endpoint) -> PredictionOneError:
    failure = FAILURE_BY_REFUSAL[refused.refusal]
    if failure is not NOT_RUNNING:
        return PredictionOneError(failure)
    status = _STATUS_NAMES.get(endpoint.api.status, "unknown")
    if not endpoint.api.public:
        status = "stopped"
    return PredictionOneError(failure, f"status is not running (status: {status})")


def _invalid(detail: str) -> PredictionOneError:
    return PredictionOneError(INVALID_REQUEST, f"{INVALID_REQUEST.message}: {detail}")


async def infer(request: web.Request, runtime: InferenceRuntime, endpoint: Endpoint | None) -> web.Response:
    """The request's answer, its failures in the contract's shape (http_base.inference_outcomes counts it)."""
    try:
        if endpoint is None or endpoint.api.contract != apis_pb2.API_CONTRACT_PREDICTION_ONE:
            raise PredictionOneError(NO_SUCH_CLASSIFIER)
        try:
            response = await _answer(request, runtime, endpoint)
        except Refused as refused:
            raise _contract_error(refused, endpoint) from None
    except PredictionOneError as error:
        log.info("inference_refused", path=request.path, code=error.failure.code, message=error.message)
        response = error_response(error.failure, error.message)
    except asyncio.CancelledError:
        raise
    except Exception:  # noqa: BLE001 - logged with its traceback, answered in the contract's shape
        log.exception("inference_crashed", path=request.path)
        response = error_response(INFERENCE_FAILED)
    return response


async def _read_inputs(request: web.Request, limit: int) -> dict[str, object]:
    try:
        body = await read_json(request, limit)
    except BodyRefused as refused:
        raise _invalid(refused.message) from None
    inputs = body.get("inputs") if isinstance(body, dict) else None
    if not isinstance(inputs, list):
        raise _invalid('the body must be {"inputs": [{"name", "type", "data"}, ...]}')
    values: dict[str, object] = {}
    for item in inputs:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or "data" not in item:
            raise _invalid('each input needs "name" and "data"')
        name = item["name"]
        if name not in _KNOWN:
            raise _invalid(f"unknown input {name!r}; known: {', '.join(_KNOWN)}")
        if name in values:
            raise _invalid(f"input {name!r} appears twice")
        values[name] = item["data"]
    missing = [name for name in _REQUIRED if name not in values]
    if missing:
        raise _invalid(f"missing inputs: {', '.join(missing)}")
    return values


def _boolean(values: dict[str, object], name: str) -> bool:
    value = values.get(name, False)
    if value is None and name not in _REQUIRED:  # an optional flag sent as null is not set
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise _invalid(f"{name} must be true or false")


def _options(values: dict[str, object], header: tuple[str, ...]) -> Options:
    pin = values.get("pc") or ""
    if not isinstance(pin, str):
        raise _invalid("pc must be a column name")
    if pin and pin not in header:
        raise _invalid(f"pc names {pin!r}, which is not a column of pr")
    return Options(
        reasons=_boolean(values, "ar"),
        add_inputs=_boolean(values, "ad"),
        no_class=_boolean(values, "nc"),
        no_row_numbers=_boolean(values, "nr"),
        pin_column=pin,
    )


async def _table(data: object):
    if not isinstance(data, str):
        raise _invalid("pr must be a base64 string of a CSV file")
    try:
        raw = base64.b64decode("".join(data.split()), validate=True)
    except (binascii.Error, ValueError):
        raise _invalid("pr is not valid base64") from None
    try:
        # A large pr takes seconds to read: off the event loop, which serves every other request.
        table = decode_table(raw) if len(raw) <= _INLINE_DECODE_BYTES else await asyncio.to_thread(decode_table, raw)
    except TableError as error:
        raise _invalid(f"pr: {error}") from None
    if not table.rows:
        raise _invalid("pr has a header row but no data rows")
    if len(table.rows) > MAX_ROWS:
        raise _invalid(f"pr has {len(table.rows)} rows; send at most {MAX_ROWS} per request")
    return table


async def _answer(request: web.Request, runtime: InferenceRuntime, endpoint: Endpoint) -> web.Response:
    api = endpoint.api
    address = caller_address(request, runtime.trusted_proxies)
    now = runtime.clock()
    admission.check_caller(runtime, endpoint, address, request.headers.get(API_KEY_HEADER, ""), now)
    admission.check_enabled(endpoint, now)
    values = await _read_inputs(request, runtime.max_body_bytes)
    table = await _table(values["pr"])
    options = _options(values, table.header)
    version = await admission.serving_version(runtime, api)
    schema = tabular_schema(version)
    if schema is None:
        raise PredictionOneError(INFERENCE_FAILED, "the classifier's model is not a tabular model")
    forecast = None
    try:
        if is_time_series(schema):
            forecast = forecast_windows(schema, table.header, table.rows)
            tensors = forecast.tensors
        else:
            tensors = input_tensors(schema.columns, table.header, table.rows)
    except (MissingColumnsError, ForecastError) as error:
        raise _invalid(str(error)) from None
    answer_name = PROBABILITIES_OUTPUT if schema.problem_type.is_classification else PREDICTION_OUTPUT
    wanted = [answer_name, CONTRIBUTIONS_OUTPUT] if options.reasons else [answer_name]
    async with runtime.trial_quota.reservation(endpoint):
        outputs = await admission.run_model(runtime, endpoint, version, tensors, request_id_var.get(), outputs=wanted)
    files = _files(schema, options, table, forecast, outputs, answer_name)
    return json_response(
        {
            "version": str(version.number),
            "outputs": [{"name": name, "data": base64.b64encode(data).decode("ascii")} for name, data in files],
        }
    )


def _files(
    schema, options: Options, table, forecast: Forecast | None, outputs, answer_name: str
) -> list[tuple[str, bytes]]:
    header, rows = table.header, table.rows
    if forecast is not None:
        files = [
            ("prediction_valid.csv", forecast_valid(schema, options, header, rows, forecast, outputs[answer_name]))
        ]
        if options.reasons:
            analysis = forecast_analysis(schema, options, header, rows, forecast, outputs[CONTRIBUTIONS_OUTPUT])
            files.append(("prediction_analysis.csv", analysis))
        return files
    files = [("prediction_valid.csv", prediction_valid(schema, options, header, rows, outputs[answer_name]))]
    if options.reasons:
        files.append(
            (
                "prediction_analysis.csv",
                prediction_analysis(schema, options, header, rows, outputs[CONTRIBUTIONS_OUTPUT]),
            )
        )
    return files
