"""JSON Schemas of the management API: requests are validated against them and the OpenAPI
document publishes them, so what is checked and what is documented cannot differ.

A schema with a "title" becomes a named component in the OpenAPI document.
"""

from __future__ import annotations

from services.gateway.http_base.schema_words import (
    PRIORITY,
    Schema,
    int32,
    name,
    nonempty,
    obj,
    string,
    uuid,
    words,
)
from services.gateway.management.converters import (
    API_CONTRACT,
    API_STATUS,
    API_TYPE,
    CHAT_KEY_LIMIT_FIELDS,
    CREDENTIAL_KIND,
    DATA_TYPE,
    EXECUTION_TYPE,
    INSTANCE_KIND,
    KEY_PURPOSE,
    MODEL_FORMAT,
    PROBLEM_TYPE,
    ROLE,
    RULE_ACTION,
    TRAINING_JOB_KIND,
    TRAINING_JOB_STATUS,
    WEEKDAY,
)

TIMESTAMP: Schema = {"type": ["string", "null"], "format": "date-time", "description": "ISO 8601, UTC"}
# [0-9], not \d: Python's \d takes every script's digits, which no day or time is written in.
DAY: Schema = string(format="date", pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$", description="a UTC day written YYYY-MM-DD")
HH_MM: Schema = string(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="a UTC time written HH:MM")

# --- the error body -----------------------------------------------------------------------------

ERROR: Schema = obj(
    {
        "error": obj(
            {
                "code": string(description="gRPC status name, or NOT_FOUND / METHOD_NOT_ALLOWED / PAYLOAD_TOO_LARGE"),
                "message": string(description="what went wrong, for a person"),
                "request_id": string(description="the x-request-id of the failed request"),
            },
            ("code", "message", "request_id"),
        )
    },
    ("error",),
    title="Error",
)

# --- models -------------------------------------------------------------------------------------


def _tensor(title: str | None = None) -> Schema:
    extra = {"title": title} if title else {}
    return obj(
        {
            "name": nonempty("the graph's input or output name"),
            "data_type": words(DATA_TYPE),
            "shape": {
                "type": "array",
                "items": {"type": "integer", "minimum": -1, "maximum": 2**63 - 1},
                "description": "-1 marks a variable dimension",
            },
        },
        ("name", "data_type", "shape"),
        **extra,
    )


TENSOR_SPEC = _tensor("TensorSpec")
SIGNATURE: Schema = obj(
    {
        "inputs": {"type": "array", "items": TENSOR_SPEC, "minItems": 1},
        "outputs": {"type": "array", "items": TENSOR_SPEC, "minItems": 1},
    },
    ("inputs", "outputs"),
    title="Signature",
)
IMAGE_PREPROCESSING: Schema = obj(
    {
        "input_name": nonempty("the input this applies to"),
        "height": int32(1),
        "width": int32(1),
        "channels": {"type": "integer", "enum": [1, 3], "description": "1 for mono, 3 for colour"},
        "mean": {
            "type": "array",
            "items": {"type": "number"},
            "description": "per channel, of pixels scaled to [0, 1]",
        },
        "std": {"type": "array", "items": {"type": "number", "minimum": 0}, "description": "per channel"},
    },
    ("input_name", "height", "width", "channels"),
    title="ImagePreprocessing",
)
PREPROCESSING: Schema = obj(
    {"images": {"type": "array", "items": IMAGE_PREPROCESSING}}, ("images",), title="Preprocessing"
)

# signature and preprocessing are JSON parts (the document's encoding says so), checked by upload.
_VERSION_FIELDS: dict[str, Schema] = {
    "file": string(format="binary", description="the .onnx file, or the .gguf file of a chat model"),
    "format": string(enum=["onnx", "gguf"], description="default onnx; gguf: a chat model (llama.cpp), no signature"),
    "signature": SIGNATURE,  # derived from the graph when absent, checked against it when given
    "preprocessing": PREPROCESSING,
}
NEW_MODEL_FORM: Schema = obj(
    {
        "name": name("the model's name"),
        "account_id": uuid("defaults to the caller's account"),
        **_VERSION_FIELDS,
    },
    ("name", "file"),
)
NEW_VERSION_FORM: Schema = obj(_VERSION_FIELDS, ("file",))

MAX_CHAT_TEMPLATE_CHARS = 64 * 1024
CHAT_TEMPLATE: Schema = obj(
    {
        "template": string(
            minLength=1,
            maxLength=MAX_CHAT_TEMPLATE_CHARS,
            description="the Jinja template, as tokenizer_config.json has it",
        ),
        "bos_token": string(maxLength=256),
        "eos_token": string(maxLength=256),
    },
    ("template",),
    title="ChatTemplate",
)
_HUGGING_FACE_FIELDS: dict[str, Schema] = {
    "hf_model_id": string(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$",
        maxLength=200,
        description="the Hugging Face model id vLLM fetches, e.g. Qwen/Qwen2.5-0.5B-Instruct",
    ),
    "chat_template": CHAT_TEMPLATE,
}
NEW_HUGGING_FACE_MODEL: Schema = obj(
    {
        "name": name("the model's name"),
        "account_id": uuid("defaults to the caller's account"),
        **_HUGGING_FACE_FIELDS,
    },
    ("name", "hf_model_id", "chat_template"),
)
NEW_HUGGING_FACE_VERSION: Schema = obj(_HUGGING_FACE_FIELDS, ("hf_model_id", "chat_template"))

MODEL: Schema = obj(
    {"model_id": string(), "account_id": string(), "name": string(), "created_at": TIMESTAMP},
    ("model_id", "account_id", "name", "created_at"),
    title="Model",
)
MODEL_VERSION: Schema = obj(
    {
        "model_version_id": string(),
        "model_id": string(),
        "version": {"type": "integer"},
        "format": {"type": ["string", "null"], "enum": [*MODEL_FORMAT.words, None]},
        "artifact_uri": string(),
        "sha256": string(),
        "size_bytes": {"type": "integer"},
        "signature": {"anyOf": [SIGNATURE, {"type": "null"}], "description": "null for a chat model"},
        "preprocessing": PREPROCESSING,
        "chat_template": {
            "anyOf": [CHAT_TEMPLATE, {"type": "null"}],
            "description": "a Hugging Face chat model's; null for other models",
        },
        "created_at": TIMESTAMP,
    },
    ("model_version_id", "model_id", "version", "format", "artifact_uri", "sha256", "size_bytes", "signature"),
    title="ModelVersion",
)
MODEL_AND_VERSION = obj({"model": MODEL, "version": MODEL_VERSION}, ("model", "version"))
MODEL_AND_VERSIONS = obj({"model": MODEL, "versions": {"type": "array", "items": MODEL_VERSION}}, ("model", "versions"))
MODEL_LIST = obj({"models": {"type": "array", "items": MODEL}}, ("models",))

# --- published APIs -----------------------------------------------------------------------------

SCHEDULE: Schema = obj(
    {
        "always": {"type": "boolean"},
        "start_time": HH_MM,
        "end_time": HH_MM,
        "weekdays": {"type": "array", "items": words(WEEKDAY), "minItems": 1, "uniqueItems": True},
    },
    # The request checks the fields above; which of them go together is schedule_from_json's to say.
    anyOf=[
        {"required": ["always"], "maxProperties": 1, "properties": {"always": {"const": True}}},
        {"required": ["start_time", "end_time", "weekdays"], "properties": {"always": {"const": False}}},
    ],
    description='{"always": true}, or a daily UTC window {"start_time", "end_time", "weekdays"} whose start and '
    "end differ; a window ending before it starts runs past midnight",
    title="Schedule",
)
# services.policy.rules.make_rule's bounds.
RULE: Schema = obj(
    {
        "cidr": nonempty("IPv4 or IPv6 network, e.g. 203.0.113.0/24; 0.0.0.0/0 matches every address"),
        "action": words(RULE_ACTION, "default allow"),
        "priority": {**PRIORITY, "description": "lower is checked first; default 0"},
    },
    ("cidr",),
    title="AccessRule",
)
API_FIELDS: dict[str, Schema] = {
    "name": name("the API's name"),
    "model_version_id": uuid("the model version it serves"),
    "execution_type": words(EXECUTION_TYPE, "changing it changes the API's URL"),
    "instance_kind": words(INSTANCE_KIND),
    "instance_count": int32(0, "dedicated APIs only; 0 means 1"),
    "schedule": SCHEDULE,
    "public": {"type": "boolean", "description": "false suspends the API"},
}
CHAT_MODEL_ID: Schema = string(
    minLength=1,
    maxLength=128,
    pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*(/[A-Za-z0-9][A-Za-z0-9._:-]*)*$",
    description="publishes a GGUF model version as an OpenAI chat API under this model id, unique in the account",
)
CREATE_API: Schema = obj(
    {
        "account_id": uuid("defaults to the caller's account"),
        **API_FIELDS,
        "chat_model_id": CHAT_MODEL_ID,
        "api_type": words(API_TYPE, "a trial API answers a fixed number of requests in total"),
        "rules": {"type": "array", "items": RULE, "description": "absent: allow every address; [] allows none"},
    },
    ("name", "model_version_id", "api_type", "execution_type", "instance_kind"),
)
UPDATE_API: Schema = obj(API_FIELDS, minProperties=1, description="at least one field to change")
TRIAL: Schema = obj(
    {"limit": {"type": "integer"}, "used": {"type": "integer"}, "remaining": {"type": "integer"}},
    ("limit", "used", "remaining"),
)
API_INFO: Schema = obj(
    {
        "api_id": string(),
        "account_id": string(),
        "name": string(),
        "api_type": words(API_TYPE),
        "model_version_id": string(),
        "serving_model_version_id": {
            "type": ["string", "null"],
            "description": "the version Triton serves now; differs from model_version_id while updating",
        },
        "execution_type": words(EXECUTION_TYPE),
        "contract": words(API_CONTRACT),
        "chat_model_id": {"type": ["string", "null"], "description": "chat APIs: the OpenAI model id"},
        "instance_kind": {"type": ["string", "null"], "enum": [*INSTANCE_KIND.words, None]},
        "instance_count": {"type": "integer"},
        "schedule": SCHEDULE,
        "status": {"type": ["string", "null"], "enum": [*API_STATUS.words, None]},
        "status_message": string(),
        "public": {"type": "boolean"},
        "locked": {"type": "boolean"},
        "rules": {"type": "array", "items": RULE},
        "url": {"type": ["string", "null"], "description": "absolute inference URL"},
        "trial": {**TRIAL, "type": ["object", "null"], "description": "trial APIs only"},
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
    },
    ("api_id", "name", "api_type", "model_version_id", "execution_type", "status", "public", "locked", "rules", "url"),
    title="Api",
)
API_LIST = obj({"apis": {"type": "array", "items": API_INFO}}, ("apis",))
API_ANSWER = obj({"api": API_INFO}, ("api",))
API_KEY = obj({"api_key": string(description="shown once; only its hash is kept")}, ("api_key",))
API_CREATED = obj({"api": API_INFO, "api_key": API_KEY["properties"]["api_key"]}, ("api", "api_key"))
RULE_QUERY = obj({"cidr": nonempty("the rule's CIDR, as it was added")}, ("cidr",))
USAGE_QUERY = obj(
    {"from": DAY, "to": DAY}, description='inclusive UTC days, "from" not after "to"; both absent: the last 30 days'
)
USAGE: Schema = obj(
    {
        "days": {
            "type": "array",
            "items": obj(
                {
                    "day": DAY,
                    "count_2xx": {"type": "integer"},
                    "count_4xx": {"type": "integer"},
                    "count_5xx": {"type": "integer"},
                },
                ("day", "count_2xx", "count_4xx", "count_5xx"),
                title="DailyUsage",
            ),
        },
        "chat_tokens": {
            "type": "array",
            "description": "chat APIs: requests and tokens (the model's tokenizer) per day, key and project",
            "items": obj(
                {
                    "day": DAY,
                    "key_id": string(),
                    "project": string(description="empty: the key's default"),
                    "requests": {"type": "integer"},
                    "prompt_tokens": {"type": "integer"},
                    "completion_tokens": {"type": "integer"},
                },
                ("day", "key_id", "project", "requests", "prompt_tokens", "completion_tokens"),
                title="ChatTokenUsage",
            ),
        },
    },
    ("days",),
)

# --- accounts and users -------------------------------------------------------------------------

ACCOUNT: Schema = obj(
    {"account_id": string(), "name": string(), "created_at": TIMESTAMP}, ("account_id", "name"), title="Account"
)
USER: Schema = obj(
    {
        "user_id": string(),
        "account_id": string(),
        "name": string(),
        "role": {"type": ["string", "null"], "enum": [*ROLE.words, None]},
        "created_at": TIMESTAMP,
    },
    ("user_id", "account_id", "name", "role"),
    title="User",
)
CREATE_ACCOUNT = obj({"name": name("the account's name")}, ("name",))
ACCOUNT_CREATED = obj({"account": ACCOUNT}, ("account",))
CREATE_USER = obj(
    {
        "account_id": uuid("defaults to the caller's account"),
        "name": name("the user's name"),
        "role": words(ROLE, "admins manage every account and may unlock APIs"),
    },
    ("name", "role"),
)
TOKEN = string(description="a bearer token, shown once; only its hash is kept")
PASSWORD = string(minLength=1, maxLength=256)
NEW_PASSWORD = string(minLength=10, maxLength=256, description="10 to 256 characters")
SIGN_IN = obj(
    {
        "user_name": nonempty("the user's name"),
        "account_name": string(description="needed only when the name is used in several accounts"),
        "password": PASSWORD,
    },
    ("user_name", "password"),
)
CONSOLE_SESSION = obj(
    {"user": USER, "must_change_password": {"type": "boolean"}, "expires_at": TIMESTAMP},
    ("user", "must_change_password", "expires_at"),
    title="ConsoleSession",
)
CHANGE_PASSWORD = obj(
    {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, ("current_password", "new_password")
)
SET_PASSWORD = obj({"new_password": NEW_PASSWORD}, ("new_password",))
USER_CREATED = obj({"user": USER, "token": TOKEN}, ("user", "token"))
TOKEN_CREATED = obj({"token": TOKEN}, ("token",))

# --- training jobs ------------------------------------------------------------------------------

TRAINING_JOB: Schema = obj(
    {
        "job_id": string(format="uuid"),
        "model_name": string(),
        "status": string(enum=TRAINING_JOB_STATUS.words),
        "message": string(description="why it failed, or empty"),
        "created_at": TIMESTAMP,
        "finished_at": {**TIMESTAMP, "description": "null: not ended yet"},
    },
    ("job_id", "model_name", "status", "message", "created_at", "finished_at"),
    title="TrainingJob",
)
TRAINING_JOB_ANSWER = obj({"job": TRAINING_JOB}, ("job",))

# --- Prediction One's data sets, trained models and training jobs in detail ----------------------

PAGE_QUERY = obj(
    {
        "offset": string(pattern=r"^[0-9]{1,9}$", description="how many to skip; default 0"),
        "limit": string(pattern=r"^(1000|[1-9][0-9]{0,2})$", description="how many to show, 1 to 1000; default 30"),
    }
)
PAGE_INFO: Schema = obj(
    {
        "offset": {"type": "integer", "minimum": 0},
        "limit": {"type": "integer", "minimum": 1},
        "total": {"type": "integer", "minimum": 0, "description": "how many there are in all"},
    },
    ("offset", "limit", "total"),
    title="PageInfo",
)
TRAINING_PROGRESS: Schema = obj(
    {
        "phase": string(
            description="the trainer's last report: preparing, searching, cross_validation, fitting, exporting,"
            " packaging, or finished; empty before its first"
        ),
        "fold": {"type": "integer", "minimum": 0, "description": "cross-validation: the fold being fitted"},
        "percent": {"type": "number", "minimum": 0, "maximum": 100},
    },
    ("phase", "fold", "percent"),
    title="TrainingProgress",
)
TRAINING_JOB_DETAIL: Schema = obj(
    {
        **TRAINING_JOB["properties"],
        "kind": string(enum=TRAINING_JOB_KIND.words, description="retrain: a new version of a trained model"),
        "progress": TRAINING_PROGRESS,
        "updated_at": TIMESTAMP,
        "started_at": {**TIMESTAMP, "description": "the latest start by a trainer; null: not started yet"},
        "elapsed_seconds": {
            "type": ["number", "null"],
            "minimum": 0,
            "description": "from started_at to finished_at, or to now while running; null while awaiting data or"
            " queued",
        },
        "model_number": {
            "type": ["integer", "null"],
            "description": "the trained model it made (Prediction One's model_id); null: none, or deleted",
        },
        "model_version_id": {"type": ["string", "null"], "description": "that model version, to publish as an API"},
        "result_available": {
            "type": "boolean",
            "description": "GET .../result answers its result zip (finished, and the model it made is kept)",
        },
    },
    (
        *TRAINING_JOB["required"],
        "kind",
        "progress",
        "started_at",
        "elapsed_seconds",
        "model_number",
        "model_version_id",
        "result_available",
    ),
    title="TrainingJobDetail",
)
TRAINING_JOB_DETAIL_ANSWER = obj({"job": TRAINING_JOB_DETAIL}, ("job",))
TRAINING_JOB_LIST = obj({"jobs": {"type": "array", "items": TRAINING_JOB_DETAIL}, "page": PAGE_INFO}, ("jobs", "page"))
DATA_SET: Schema = obj(
    {
        "data_set_id": {"type": "integer", "minimum": 1, "description": "Prediction One's data_set_id"},
        "account_id": string(format="uuid"),
        "owner_user_id": string(format="uuid"),
        "name": string(description="the uploaded file's name"),
        "extension": string(description="csv or tsv"),
        "column_count": {"type": "integer", "minimum": 0},
        "data_count": {"type": "integer", "minimum": 0, "description": "rows of data"},
        "size_bytes": {"type": "integer", "minimum": 0},
        "sha256": string(),
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
    },
    ("data_set_id", "account_id", "owner_user_id", "name", "extension", "column_count", "data_count", "size_bytes"),
    title="DataSet",
)
DATA_SET_LIST = obj({"data_sets": {"type": "array", "items": DATA_SET}, "page": PAGE_INFO}, ("data_sets", "page"))
TRAINED_MODEL: Schema = obj(
    {
        "model_number": {"type": "integer", "minimum": 1, "description": "Prediction One's model_id"},
        "model_version_id": string(format="uuid", description="to publish as an API"),
        "model_id": string(format="uuid", description="the model (GET /manage/v1/models/{model_id})"),
        "model_name": string(),
        "version": {"type": "integer", "minimum": 1},
        "owner_user_id": string(description="who trained it"),
        "problem_type": {"type": ["string", "null"], "enum": [*PROBLEM_TYPE.words, None]},
        "target_column": string(),
        "in_use": {"type": "boolean", "description": "a published API serves it or asks for it"},
        "created_at": TIMESTAMP,
        "updated_at": TIMESTAMP,
    },
    ("model_number", "model_version_id", "model_id", "model_name", "version", "problem_type", "in_use"),
    title="TrainedModel",
)
TRAINED_MODEL_LIST = obj(
    {"trained_models": {"type": "array", "items": TRAINED_MODEL}, "page": PAGE_INFO}, ("trained_models", "page")
)
USER_LIST = obj({"users": {"type": "array", "items": USER}}, ("users",))
ACCOUNT_QUERY = obj({"account_id": uuid("defaults to the caller's account")})

# --- credentials --------------------------------------------------------------------------------

CREDENTIAL: Schema = obj(
    {
        "credential_id": string(),
        "kind": {
            "type": ["string", "null"],
            "enum": [*CREDENTIAL_KIND.words, None],
            "description": "bearer_token: a user's (the management API, Prediction One's secret key); "
            "api_key: a published API's; prediction_one_key: issued by Get API Key for one purpose; "
            "chat_key: an account's key for its chat APIs (/manage/v1/chat-keys)",
        },
        "user_id": {"type": ["string", "null"], "description": "bearer tokens and Prediction One keys: the user"},
        "api_id": {"type": ["string", "null"], "description": "API keys: the API (chat keys: see their api_ids)"},
        "account_id": string(),
        "purpose": {
            "type": ["string", "null"],
            "enum": [*KEY_PURPOSE.words, None],
            "description": "Prediction One keys",
        },
        "created_at": TIMESTAMP,
        "expires_at": {**TIMESTAMP, "description": "null: it does not expire"},
        "last_used_at": {**TIMESTAMP, "description": "null: not used yet; recorded at most once a minute"},
        "bootstrap": {"type": "boolean", "description": "the token `make run` prints, replaced at each start"},
    },
    ("credential_id", "kind", "user_id", "api_id", "account_id", "purpose", "expires_at", "last_used_at"),
    title="Credential",
)
CREDENTIAL_ANSWER = obj({"credential": CREDENTIAL}, ("credential",))
CREDENTIAL_LIST = obj({"credentials": {"type": "array", "items": CREDENTIAL}}, ("credentials",))
CREDENTIAL_QUERY = obj(
    {
        "account_id": uuid("defaults to the caller's account"),
        "user_id": uuid("only this user's bearer tokens and Prediction One keys; a member may name only itself"),
    }
)
CREDENTIAL_EXPIRY = obj(
    {
        "expires_at": {
            "type": ["string", "null"],
            "format": "date-time",
            "maxLength": 64,
            "description": "RFC 3339 with a time zone, in the future; null: it no longer expires "
            "(refused for Prediction One keys)",
        }
    },
    ("expires_at",),
)

# --- chat keys ----------------------------------------------------------------------------------

# The registry's bounds (services/registry/domain/chat_keys.py), so that what is valid here is taken there.
_LIMIT: Schema = {"type": ["integer", "null"], "minimum": 0, "maximum": 10**12}
CHAT_KEY_LIMITS: Schema = obj(
    {
        "requests_per_minute": {**_LIMIT, "description": "requests admitted in any 60 seconds"},
        "tokens_per_minute": {
            **_LIMIT,
            "description": "prompt and completion tokens in any 60 seconds; a request reserves its prompt "
            "and its token cap when admitted",
        },
        "max_in_flight": {**_LIMIT, "description": "requests running at once"},
        "tokens_per_day": {**_LIMIT, "description": "prompt and completion tokens per UTC day"},
        "tokens_per_month": {**_LIMIT, "description": "prompt and completion tokens per UTC calendar month"},
    },
    description="each applies to every project of the key separately; null, absent or 0: no limit; {} lifts them all",
    title="ChatKeyLimits",
)
_PROJECT_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._:-]*(/[A-Za-z0-9][A-Za-z0-9._:-]*)*"
PROJECT: Schema = string(
    minLength=1,
    maxLength=200,
    pattern=f"^{_PROJECT_PATTERN}$",
    description="an OpenAI-Project value: at most 200 letters, digits and . _ : - in parts separated by single "
    "slashes (e.g. team/project)",
)
_CHAT_KEY_FIELDS: dict[str, Schema] = {
    "name": name("the key's name"),
    "api_ids": {
        "type": "array",
        "items": uuid(),
        "minItems": 1,
        "maxItems": 100,
        "uniqueItems": True,
        "description": "the chat APIs of the key's account it may call; /v1/models lists exactly these",
    },
    "limits": CHAT_KEY_LIMITS,
    "projects": {
        "type": "array",
        "items": PROJECT,
        "maxItems": 50,
        "uniqueItems": True,
        "description": "the OpenAI-Project values it may send, each a usage and limit bucket of its own",
    },
    "default_project": {
        "type": ["string", "null"],
        "maxLength": 200,
        "pattern": f"^({_PROJECT_PATTERN})?$",
        "description": "the bucket of a request without OpenAI-Project: one of projects; null or empty: none",
    },
}
CREATE_CHAT_KEY: Schema = obj(
    {
        "account_id": uuid("defaults to the caller's account"),
        **_CHAT_KEY_FIELDS,
        "expires_at": {
            **CREDENTIAL_EXPIRY["properties"]["expires_at"],
            "description": "RFC 3339 with a time zone, in the future; absent or null: it does not expire "
            "(PATCH /manage/v1/credentials/{credential_id} changes it later)",
        },
    },
    ("name", "api_ids"),
)
UPDATE_CHAT_KEY: Schema = obj(
    _CHAT_KEY_FIELDS,
    minProperties=1,
    # Documents (and steers generated requests by) what converters.update_chat_key_request checks.
    dependentRequired={"default_project": ["projects"]},
    description="at least one field; limits replaces all five (absent ones become none); projects replaces the "
    "projects and the default, and default_project is taken only with projects",
)
CHAT_KEY: Schema = obj(
    {
        "key_id": string(description="also its credential_id in /manage/v1/credentials"),
        "account_id": string(),
        "name": string(),
        "api_ids": {"type": "array", "items": string()},
        "limits": obj(
            {field: {"type": ["integer", "null"], "description": "null: no limit"} for field in CHAT_KEY_LIMIT_FIELDS},
            CHAT_KEY_LIMIT_FIELDS,
        ),
        "projects": {"type": "array", "items": string()},
        "default_project": {"type": ["string", "null"], "description": "null: none"},
        "created_at": TIMESTAMP,
        "expires_at": {**TIMESTAMP, "description": "null: it does not expire"},
        "rotated_at": {**TIMESTAMP, "description": "when its secret was last replaced; null: never"},
    },
    (
        "key_id",
        "account_id",
        "name",
        "api_ids",
        "limits",
        "projects",
        "default_project",
        "created_at",
        "expires_at",
        "rotated_at",
    ),
    title="ChatKey",
)
_CHAT_KEY_SECRET = string(description="the key, for Authorization: Bearer; shown once, only its hash is kept")
CHAT_KEY_ANSWER = obj({"chat_key": CHAT_KEY}, ("chat_key",))
CHAT_KEY_ISSUED = obj({"chat_key": CHAT_KEY, "api_key": _CHAT_KEY_SECRET}, ("chat_key", "api_key"))
CHAT_KEY_LIST = obj({"chat_keys": {"type": "array", "items": CHAT_KEY}}, ("chat_keys",))
CHAT_KEY_USAGE_QUERY = obj(
    {"from_day": DAY, "to_day": DAY},
    description='inclusive UTC days, "from_day" not after "to_day", at most 366 of them; '
    'absent "to_day": today (UTC); absent "from_day": the 30 days that end on "to_day"',
)
CHAT_KEY_USAGE: Schema = obj(
    {
        "usage": {
            "type": "array",
            "description": "requests and tokens (the model's tokenizer) per UTC day, API and project",
            "items": obj(
                {
                    "day": DAY,
                    "api_id": string(),
                    "project": string(description="the bucket the requests counted in; empty: none"),
                    "requests": {"type": "integer"},
                    "prompt_tokens": {"type": "integer"},
                    "completion_tokens": {"type": "integer"},
                },
                ("day", "api_id", "project", "requests", "prompt_tokens", "completion_tokens"),
                title="ChatKeyDailyUsage",
            ),
        }
    },
    ("usage",),
)

# --- health -------------------------------------------------------------------------------------

HEALTH = obj({"status": string(enum=["ok"])}, ("status",))
READY = obj({"status": string(enum=["ready"])}, ("status",))
