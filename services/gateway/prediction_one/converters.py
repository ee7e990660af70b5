"""Torii's messages in the Prediction One contract's words (field names, codes, date format)."""

from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from services.gateway.prediction_one.training_config import PROBLEM_TYPE_NAMES, config_to_contract
from services.tabular.column_types import TIME_UNIT_CODES
from services.tabular.proto_codec import COLUMN_TYPES_FROM_PROTO
from torii.v1 import trainer_service_pb2, training_pb2
from torii.v1 import training_registry_service_pb2 as tr

# Contract §3.3 leaves the codes open: ColumnType.code (the desktop CLI's order of type names).
DATA_TYPE_CODES = {
    proto: column_type.code for proto, column_type in COLUMN_TYPES_FROM_PROTO.items() if column_type.code is not None
}

JOB_STATUSES = {
    training_pb2.TRAINING_JOB_STATUS_AWAITING_DATA: "uploading",
    training_pb2.TRAINING_JOB_STATUS_QUEUED: "queued",
    training_pb2.TRAINING_JOB_STATUS_RUNNING: "running",
    training_pb2.TRAINING_JOB_STATUS_FINISHED: "finished",
    training_pb2.TRAINING_JOB_STATUS_FAILED: "failed",
    training_pb2.TRAINING_JOB_STATUS_CANCELLED: "cancelled",
}
# Retrain status check (§3.13) has its own words.
RETRAIN_STATUSES = {
    training_pb2.TRAINING_JOB_STATUS_AWAITING_DATA: "job_waiting_for_upload",
    training_pb2.TRAINING_JOB_STATUS_QUEUED: "job_running",
    training_pb2.TRAINING_JOB_STATUS_RUNNING: "job_running",
    training_pb2.TRAINING_JOB_STATUS_FINISHED: "job_finished",
    training_pb2.TRAINING_JOB_STATUS_FAILED: "job_failed",
    training_pb2.TRAINING_JOB_STATUS_CANCELLED: "job_failed",
}


def timestamp_text(stamp: Timestamp) -> str | None:
    """ISO 8601 in UTC with a Z (the contract leaves the format open)."""
    if not stamp.seconds and not stamp.nanos:
        return None
    return stamp.ToDatetime().strftime("%Y-%m-%dT%H:%M:%SZ")


def progress_json(progress: training_pb2.TrainingProgress) -> dict:
    return {"phase": progress.phase, "fold": progress.fold, "percent": round(progress.percent, 1)}


def column_json(column: trainer_service_pb2.ColumnSummary) -> dict:
    numeric = column.numeric if column.HasField("numeric") else None
    dates = column.dates if column.HasField("dates") else None
    body: dict[str, object] = {
        "column_id": column.column_id,
        "name": column.name,
        "initial_data_type": DATA_TYPE_CODES.get(column.type),
        "available_data_types": [DATA_TYPE_CODES[kind] for kind in column.available_types if kind in DATA_TYPE_CODES],
        "unique_count": column.unique_count,
        "data_count": column.data_count,
        "missing_count": column.missing_count,
        "cor_score": column.correlation if column.HasField("correlation") else None,
        "classify_value": [{"name": item.value, "value": item.count} for item in column.classes] or [None],
        "numerical_value": [
            {
                "max_value": numeric.max,
                "min_value": numeric.min,
                "avg_value": numeric.mean,
                "median_value": numeric.median,
            }
        ]
        if numeric is not None
        else [None],
        "range_pick_info": None,
    }
    if numeric is not None:
        body["range_pick_info"] = {
            "numeric": {"max_val": numeric.max, "min_val": numeric.min, "initial_threshold": numeric.median},
            "date": None,
        }
    elif dates is not None:
        body["range_pick_info"] = {
            "numeric": None,
            "date": {
                "max_epoc_sec": dates.max_epoch_seconds,
                "min_epoc_sec": dates.min_epoch_seconds,
                "initial_threshold_epoc_sec": dates.median_epoch_seconds,
                "time_unit_id": TIME_UNIT_CODES.get(dates.time_unit),
            },
        }
    return body


def column_info_json(reply: trainer_service_pb2.DescribeColumnsResponse) -> dict:
    return {
        "raw_column_names": list(reply.column_names),
        "raw_training_data": [{"row_data": row} for row in reply.sample_rows],
        "training_data_columns": [column_json(column) for column in reply.columns],
        "useless_column_list": [column.name for column in reply.columns if column.useless_reason],
        "trainingdata_row_count": reply.row_count,
    }


def trained_model_json(model: tr.TrainedModel) -> dict:
    version = model.model_version
    return {
        "model_id": version.number,
        "owner_user_id": model.owner_user_id,
        "target_type": PROBLEM_TYPE_NAMES.get(model.problem_type, ""),
        "name": model.model_name,
        "version": str(version.version),
        "config": config_to_contract(model.config),
        "is_api_option": model.in_use,
        "updated_date": timestamp_text(model.updated_at),
        "created_date": timestamp_text(version.created_at),
    }


def data_set_json(data_set: training_pb2.DataSet, download_url: str) -> dict:
    return {
        "data_set_id": data_set.data_set_id,
        "owner_user_id": data_set.owner_user_id,
        "name": data_set.name or None,
        "extension": data_set.extension,
        "column_count": data_set.column_count,
        "data_count": data_set.data_count,
        "data_size": data_set.size_bytes,
        "download_url": download_url,
        "updated_date": timestamp_text(data_set.updated_at),
        "created_date": timestamp_text(data_set.created_at),
    }


def page_json(page: tr.PageInfo) -> dict:
    return {"offset": page.offset, "limit": page.limit, "total": page.total}
