"""JSON Schemas of the Prediction One contract, for the OpenAPI document."""

from __future__ import annotations

from services.gateway.management.schemas import obj, string

ERROR = obj(
    {
        "code": {"type": "integer", "description": "e.g. 4001000204; the HTTP status is its first three digits"},
        "error": string(description="e.g. PREDA_EXTERNAL_BAD_REQUEST"),
        "message": string(description="e.g. invalid_api_key."),
    },
    ("code", "error", "message"),
    title="PredictionOneError",
)

CREATE_MODEL = obj(
    {
        "external_process_id": string(description="from GET /v1/external/data-sets/upload-url"),
        "name": string(description="the model's name"),
        "config": obj(
            {
                "tc": string(description="target column"),
                "tt": string(enum=["binary_classification", "multi_classification", "regression"]),
                "tv": string(description="positive class (binary only)"),
                "cv": {"description": "0 auto, -1 CV with automatic k, 1 none (holdout), k >= 2 folds; string or integer"},
                "im": {"description": "imbalance correction (classification); boolean or string"},
                "tsm": {"description": "time-series mode (regression)"},
                "tsc": string(description="time column"),
                "tsu": string(enum=["year", "month", "day", "hour", "minute", "eom"]),
                "tsi": {"description": "interval; 0 = detect"},
                "tsf": {"description": "window start (time units ahead)"},
                "tst": {"description": "window end"},
                "tss": string(description="series column"),
                "tsin": {"description": "other columns are known inside the window"},
                "tsine": {"description": "exceptions to tsin: a column name or a list"},
            },
            ("tc", "tt"),
            title="PredictionOneTrainingConfig",
        ),
    },
    ("external_process_id", "name", "config"),
    title="PredictionOneCreateModel",
)
