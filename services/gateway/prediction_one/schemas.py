"""JSON Schemas of the Prediction One contract, for the OpenAPI document."""

from __future__ import annotations

from services.gateway.http_base.schema_words import INT32_MAX, PRIORITY, Schema, int32, obj, string, uuid
from services.gateway.prediction_one.requests import INT64_MAX, MAX_LIMIT
from services.gateway.prediction_one.retrain_routes import MAX_FILENAME_LENGTH, RETRAIN_EXTENSIONS
from services.gateway.prediction_one.training_config import MAX_FOLDS, TIME_UNITS

ERROR = obj(
    {
        "code": {"type": "integer", "description": "e.g. 4001000204; the HTTP status is its first three digits"},
        "error": string(description="e.g. PREDA_EXTERNAL_BAD_REQUEST"),
        "message": string(description="e.g. invalid_api_key."),
    },
    ("code", "error", "message"),
    title="PredictionOneError",
)

# --- what the handlers read themselves, described (they answer PredictionOneError when it does not hold)

# Model and data set ids are numbers (protobuf int64); jobs and classifiers are UUIDs.
NUMBER_ID = {"type": "integer", "minimum": 1, "maximum": INT64_MAX}
JOB_ID = uuid("an external_process_id or retrain_job_id")

# Each value may come as JSON's own type or as the text the source's examples send ("2" for cv).
_BOOLEAN: Schema = {
    "anyOf": [{"type": "boolean"}, string(enum=["true", "false", "True", "False", "1", "0"])],
    "description": "true or false, or their text",
}
_TEXT = string(pattern=r"\S", maxLength=200, description="not blank")
_COLUMN_NAMES: Schema = {
    "anyOf": [_TEXT, {"type": "array", "items": _TEXT, "maxItems": 1000}],
    "description": "a column name or a list of them",
}
# Which keys go together is said below (allOf) where JSON Schema can say it; the rest (tst at
# least tsf, tc naming a column of the data) the handler refuses with a message naming the key.
TRAINING_CONFIG = obj(
    {
        "tc": string(pattern=r"\S", description="target column"),
        "tt": string(enum=["binary_classification", "multi_classification", "regression"]),
        "tv": string(
            pattern=r"\S", description="positive class: required for binary_classification, ignored otherwise"
        ),
        "cv": {
            "anyOf": [
                {"type": "integer", "minimum": -1, "maximum": MAX_FOLDS},
                string(pattern=r"^\s*(-1|[0-9]|1[0-9]|20)\s*$"),
            ],
            "description": f"0 auto, -1 CV with automatic k, 1 none (holdout), 2 to {MAX_FOLDS} folds;"
            " string or integer",
        },
        "im": {**_BOOLEAN, "description": "imbalance correction: classification only"},
        "tsm": {**_BOOLEAN, "description": "time-series mode: regression only; needs tsc, tsf and tst"},
        "tsc": string(pattern=r"\S", description="time column"),
        "tsu": string(enum=list(TIME_UNITS)),
        "tsi": int32(0, "interval; 0 = detect (its decimal text is taken too)"),
        "tsf": int32(1, "window start, in time units ahead (its decimal text is taken too)"),
        "tst": int32(1, "window end, at least tsf (its decimal text is taken too)"),
        "tss": string(description="series column"),
        "tsin": {**_BOOLEAN, "description": "other columns are known inside the window"},
        "tsine": {**_COLUMN_NAMES, "description": "exceptions to tsin: a column name or a list"},
    },
    ("tc", "tt"),
    allOf=[
        {
            "if": {"properties": {"tt": {"const": "binary_classification"}}, "required": ["tt"]},
            "then": {"required": ["tv"]},
        },
        {
            "if": {"properties": {"tt": {"const": "regression"}}, "required": ["tt"]},
            "then": {"properties": {"im": {"enum": [False, "false", "False", "0"]}}},
        },
        {
            "if": {"properties": {"tsm": {"enum": [True, "true", "True", "1"]}}, "required": ["tsm"]},
            "then": {"required": ["tsc", "tsf", "tst"], "properties": {"tt": {"const": "regression"}}},
        },
    ],
    title="PredictionOneTrainingConfig",
)

CREATE_MODEL = obj(
    {
        "external_process_id": JOB_ID,
        "name": string(pattern=r"\S", maxLength=200, description="the model's name"),
        "config": TRAINING_CONFIG,
    },
    ("external_process_id", "name", "config"),
    title="PredictionOneCreateModel",
)

RULE = obj(
    {
        "source": string(
            minLength=1,
            maxLength=200,
            description="an IPv4 or IPv6 network, e.g. 203.0.113.0/24; 0.0.0.0/0 is every address",
        ),
        "order": string(enum=["allow", "deny"], description="default allow"),
        "priority": {
            "anyOf": [PRIORITY, string(pattern=r"^\s*-?[0-9]{1,6}\s*$")],
            "description": "lower is checked first; default 0; -1000000 to 1000000, as a number or its text",
        },
    },
    ("source",),
    title="PredictionOneRule",
)
RULES = {"type": "array", "items": RULE, "maxItems": 100, "description": "each network once"}
CREATE_CLASSIFIER = obj(
    {
        "model_id": {
            "anyOf": [NUMBER_ID, string(pattern=r"^\s*0*[1-9][0-9]{0,17}\s*$")],
            "description": "from Get Models",
        },
        "api_type": string(
            enum=["formal", "trial"], description="default formal; a trial answers a fixed number of calls"
        ),
        "rules": RULES,
    },
    ("model_id",),
    title="PredictionOneCreateClassifier",
)
UPDATE_CLASSIFIER = obj(
    {
        "rules": RULES,
        "active": {"type": ["boolean", "null"], "description": "false stops the classifier, true starts it"},
        "is_editable": {"type": ["boolean", "null"], "description": "false locks it; true unlocks it (admins only)"},
    },
    title="PredictionOneUpdateClassifier",
)

# --- query strings and path parameters

API_KEY_QUERY = obj(
    {
        "credential_type": string(enum=["train", "deploy", "retrain"]),
        "model_id": {**NUMBER_ID, "description": "the model a retrain key retrains: required with retrain"},
    },
    ("credential_type",),
)
UPLOAD_URL_QUERY = obj({"extension": string(enum=["csv", "tsv"], description="of the files to upload")}, ("extension",))
PROCESS_QUERY = obj({"external_process_id": JOB_ID}, ("external_process_id",))
COLUMN_INFO_QUERY = obj(
    {"external_process_id": JOB_ID, "target": string(description="the target column; default the training's")},
    ("external_process_id",),
)
PAGE_QUERY = obj(
    {
        "offset": {"type": "integer", "minimum": 0, "maximum": INT32_MAX, "description": "default 0"},
        "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "description": "default 30"},
    }
)
SIGNED_URL_QUERY = obj(
    {
        "expires": {"type": "integer", "description": "when the URL stops working, in Unix seconds"},
        "signature": string(pattern="^[0-9a-f]{64}$", description="HMAC-SHA256 of the path and expires, in hex"),
    },
    ("expires", "signature"),
)
RETRAIN_UPLOAD_QUERY = obj(
    {
        "filename": string(
            maxLength=MAX_FILENAME_LENGTH,
            pattern=rf"^[^\x00-\x1f\x7f]*\.({'|'.join(RETRAIN_EXTENSIONS)})$",
            description="the file's name: .csv, .tsv, or a .zip of train_src/ and eval_src/; no control characters",
        )
    },
    ("filename",),
)
UPLOAD_PATH = {
    "job_id": JOB_ID,
    "slot": string(enum=["learn", "eval", "column_info"]),
    "filename": string(minLength=1, description="the file's name, as the signed URL gives it"),
}

# --- answers

_TIME: Schema = {"type": ["string", "null"], "description": "ISO 8601 in UTC, e.g. 2030-01-31T09:00:00Z"}
_INTEGER: Schema = {"type": "integer"}
_URL = string(description="absolute; signed where it carries no key")
PROGRESS = obj(
    {"phase": string(), "fold": _INTEGER, "percent": {"type": "number"}},
    ("phase", "fold", "percent"),
    title="PredictionOneProgress",
)
PAGE = obj(
    {"offset": _INTEGER, "limit": _INTEGER, "total": _INTEGER}, ("offset", "limit", "total"), title="PredictionOnePage"
)

API_KEY = obj({"api_key": string(), "end_date": _TIME}, ("api_key", "end_date"))
UPLOAD_URLS = obj(
    {
        "learn_data_set_upload_url": _URL,
        "eval_data_set_upload_url": _URL,
        "column_info_upload_url": _URL,
        "external_process_id": string(format="uuid"),
    },
    ("learn_data_set_upload_url", "eval_data_set_upload_url", "column_info_upload_url", "external_process_id"),
)
UPLOADED = obj(
    {
        "external_process_id": string(format="uuid"),
        "file": string(enum=["learn", "eval", "column_info"]),
        "data_set_id": _INTEGER,
        "column_count": _INTEGER,
        "data_count": _INTEGER,
    },
    ("external_process_id", "file"),
    description="data_set_id and the counts: once a data file is stored",
)
COLUMN_INFO = obj(
    {
        "raw_column_names": {"type": "array", "items": string()},
        "raw_training_data": {"type": "array", "items": obj({"row_data": string()}, ("row_data",))},
        "training_data_columns": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["column_id", "name", "initial_data_type", "available_data_types"],
                "description": "statistics of one column (contract §3.3)",
            },
        },
        "useless_column_list": {"type": "array", "items": string()},
        "trainingdata_row_count": _INTEGER,
    },
    ("raw_column_names", "raw_training_data", "training_data_columns", "useless_column_list", "trainingdata_row_count"),
)
PROCESS = obj({"external_process_id": string(format="uuid")}, ("external_process_id",))
JOB_STATUS = obj(
    {
        "status": string(enum=["uploading", "queued", "running", "finished", "failed", "cancelled", "unknown"]),
        "created_datetime": _TIME,
        "updated_datetime": _TIME,
        "result_url": {**_URL, "description": "finished: the result zip"},
        "model_id": {**_INTEGER, "description": "finished: the trained model"},
        "progress": PROGRESS,
        "message": string(description="why it failed, or what it is doing"),
    },
    ("status", "created_datetime", "updated_datetime"),
)
TRAINED_MODEL = obj(
    {
        "model_id": _INTEGER,
        "owner_user_id": string(),
        "target_type": string(),
        "name": string(),
        "version": string(),
        "config": {"type": "object", "description": "the training config, in Create Model's keys"},
        "is_api_option": {"type": "boolean", "description": "a classifier serves it"},
        "updated_date": _TIME,
        "created_date": _TIME,
    },
    (
        "model_id",
        "owner_user_id",
        "target_type",
        "name",
        "version",
        "config",
        "is_api_option",
        "updated_date",
        "created_date",
    ),
    title="PredictionOneModel",
)
MODEL_LIST = obj({"models": {"type": "array", "items": TRAINED_MODEL}, "metadata": PAGE}, ("models", "metadata"))
DATA_SET = obj(
    {
        "data_set_id": _INTEGER,
        "owner_user_id": string(),
        "name": {"type": ["string", "null"]},
        "extension": string(),
        "column_count": _INTEGER,
        "data_count": _INTEGER,
        "data_size": _INTEGER,
        "download_url": _URL,
        "updated_date": _TIME,
        "created_date": _TIME,
    },
    (
        "data_set_id",
        "owner_user_id",
        "name",
        "extension",
        "column_count",
        "data_count",
        "data_size",
        "download_url",
        "updated_date",
        "created_date",
    ),
    title="PredictionOneDataSet",
)
DATA_SET_LIST = obj({"data_sets": {"type": "array", "items": DATA_SET}, "metadata": PAGE}, ("data_sets", "metadata"))
CLASSIFIER = obj(
    {
        "classifier_id": string(format="uuid"),
        "api_key": {"type": ["string", "null"], "description": "shown once, when it is created"},
        "version": string(description="the model_id it serves, as text"),
        "create_datetime": _TIME,
        "update_datetime": _TIME,
        "model_id": _INTEGER,
        "status": string(enum=["building", "updating", "running", "terminated", "terminating", "failed"]),
        "url": _URL,
        "active": {"type": "boolean"},
        "is_editable": {"type": "boolean"},
        "rules": {"type": "array", "items": RULE},
        "api_type": string(enum=["formal", "trial"]),
        "trial_limit": _INTEGER,
        "trial_used": _INTEGER,
        "status_message": string(),
    },
    (
        "classifier_id",
        "api_key",
        "version",
        "create_datetime",
        "update_datetime",
        "model_id",
        "status",
        "url",
        "active",
        "is_editable",
        "rules",
        "api_type",
        "trial_limit",
        "trial_used",
        "status_message",
    ),
    title="PredictionOneClassifier",
)
CLASSIFIER_CREATED = obj(
    {"classifier_id": string(format="uuid"), "api_key": string(), "version": string(), "classifier": CLASSIFIER},
    ("classifier_id", "api_key", "version", "classifier"),
)
ONE_CLASSIFIER = obj({"classifier": CLASSIFIER}, ("classifier",))
CLASSIFIER_LIST = obj({"classifiers": {"type": "array", "items": CLASSIFIER}}, ("classifiers",))
_RETRAIN_METADATA = obj(
    {"retrain_job_id": string(format="uuid")}, ("retrain_job_id",), title="PredictionOneRetrainMetadata"
)
RETRAIN_UPLOAD = obj({"retrain_job_id": string(format="uuid"), "upload_url": _URL}, ("retrain_job_id", "upload_url"))
RETRAIN_STATUS = obj(
    {
        "status": string(enum=["job_waiting_for_upload", "job_running", "job_finished", "job_failed"]),
        "metadata": _RETRAIN_METADATA,
        "model_id": {**_INTEGER, "description": "job_finished: the retrained model"},
        "download_url": {**_URL, "description": "job_finished: the result zip"},
        "progress": PROGRESS,
        "message": string(),
    },
    ("status", "metadata"),
)
RETRAIN_SWITCHED = obj({"metadata": _RETRAIN_METADATA}, ("metadata",))
INFERENCE_REQUEST = obj(
    {
        "inputs": {
            "type": "array",
            "items": obj(
                {"name": string(enum=["pr", "ar", "ad", "nc", "nr", "pc"]), "type": string(), "data": {}},
                ("name", "data"),
            ),
            "description": "pr: base64 of the CSV rows; ar, ad, nc: true or false; nr, pc optional",
        }
    },
    ("inputs",),
    title="PredictionOneInferenceRequest",
)
INFERENCE_RESPONSE = obj(
    {
        "version": string(),
        "outputs": {
            "type": "array",
            "items": obj({"name": string(), "data": string(description="base64 of a CSV file")}, ("name", "data")),
        },
    },
    ("version", "outputs"),
    title="PredictionOneInferenceResponse",
)
