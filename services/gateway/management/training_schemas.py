"""JSON Schemas of the management API's training actions: start a job, upload its data, read its
columns, submit it, publish a trained model, retrain it and move its APIs to the new version.

The submit body is the trainer's TrainingConfig (protos/torii/v1/tabular.proto) by its proto field
names, with the target column called `target`; the handler parses it into that message.
"""

from __future__ import annotations

from services.gateway.http_base.schema_words import Schema, int32, name, nonempty, obj, string, words
from services.gateway.management import schemas
from services.gateway.management.converters import PROBLEM_TYPE, EnumWords
from torii.v1 import tabular_pb2

COLUMN_TYPE = EnumWords(tabular_pb2.ColumnType, "COLUMN_TYPE_")
TIME_UNITS = ("year", "month", "day", "hour", "minute", "eom")
MAX_FOLDS = 20
"""The trainer's largest explicit fold count (services.trainer.learning.config.MAX_FOLDS)."""
INT64_MAX = 2**63 - 1

MODEL_NUMBER: Schema = {
    "type": "integer",
    "minimum": 1,
    "maximum": INT64_MAX,
    "description": "a trained model's number (Prediction One's model_id)",
}
DATA_QUERY = obj(
    {
        "filename": string(
            pattern=r"^[^/\\\x00-\x1f\x7f]{1,196}\.(csv|tsv|zip)$",
            description="the data set's name, ending in .csv or .tsv (a retrain also takes a .zip of train_src/"
            " and eval_src/); default data.csv",
        )
    }
)
DATA_ANSWER = obj(
    {
        "job": schemas.TRAINING_JOB_DETAIL,
        "data_set": schemas.DATA_SET,  # the data set it stored; absent for a column-types file
    },
    ("job",),
)
COLUMNS_QUERY = obj({"target": nonempty("correlations are computed against this column")})
COLUMN: Schema = obj(
    {
        "column_id": {"type": "integer"},
        "name": string(),
        "type": {"type": ["string", "null"], "enum": [*COLUMN_TYPE.words, None], "description": "as detected"},
        "available_types": {"type": "array", "items": string(enum=COLUMN_TYPE.words)},
        "unique_count": {"type": "integer", "minimum": 0},
        "data_count": {"type": "integer", "minimum": 0},
        "missing_count": {"type": "integer", "minimum": 0},
        "correlation": {"type": ["number", "null"], "description": "with the target, when one is named"},
        "classes": {
            "type": "array",
            "description": "text columns: the most frequent values",
            "items": obj({"value": string(), "count": {"type": "integer"}}, ("value", "count")),
        },
        "useless_reason": string(description="why it is not used for learning; empty when it is"),
    },
    ("column_id", "name", "type", "available_types", "unique_count", "data_count", "missing_count", "classes"),
    title="ColumnDescription",
)
COLUMNS = obj(
    {
        "column_names": {"type": "array", "items": string()},
        "sample_rows": {"type": "array", "items": string(), "description": "the first rows, each a CSV line"},
        "row_count": {"type": "integer", "minimum": 0},
        "columns": {"type": "array", "items": COLUMN},
    },
    ("column_names", "sample_rows", "row_count", "columns"),
)
TIME_SERIES: Schema = obj(
    {
        "enabled": {"type": "boolean"},
        "time_column": string(maxLength=200),
        "time_unit": string(enum=["", *TIME_UNITS], description="empty: detected"),
        "interval": int32(0, "0: detected"),
        "window_start": int32(description="forecast from this many time units ahead; 1 or more"),
        "window_end": int32(description="to this many; at least window_start"),
        "series_column": string(maxLength=200, description="empty: the whole table is one series"),
        "others_known": {"type": "boolean"},
        "known_exceptions": {"type": "array", "items": string(maxLength=200)},
    },
    description="time-series mode (regression only): enabled, time_column and the window are needed",
)
SUBMIT = obj(
    {
        "model_name": name("the model's name"),
        "target": nonempty("the column to predict"),
        "problem_type": words(
            PROBLEM_TYPE,
            "absent: regression for a numeric target; for a text target binary classification (the rarer value"
            " positive) when it has two values, else multi-class",
        ),
        "positive_class": string(maxLength=200, description="binary classification: the positive value"),
        "cv": {
            "type": "integer",
            "minimum": -1,
            "maximum": MAX_FOLDS,
            "description": f"0 auto (default); -1 cross-validation, automatic k; 1 one holdout; 2 to {MAX_FOLDS} folds",
        },
        "imbalance": {"type": "boolean", "description": "classification only: correct for rare classes"},
        "time_series": TIME_SERIES,
    },
    ("model_name", "target"),
    title="SubmitTraining",
)
NEW_CLASSIFIER = obj(
    {"api_type": string(enum=["formal", "trial"], description="default formal; a trial API answers a limited count")}
)
APPLIED = obj(
    {"apis": {"type": "array", "items": schemas.API_INFO, "description": "the APIs moved to the retrained model"}},
    ("apis",),
)
