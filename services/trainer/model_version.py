"""The registry's record of an exported tabular model: its tensors and its tabular schema."""

from __future__ import annotations

from services.tabular.column_types import ColumnType
from services.tabular.proto_codec import schema_to_proto
from services.tabular.schema import (
    CONTRIBUTIONS_OUTPUT,
    PREDICTION_OUTPUT,
    PROBABILITIES_OUTPUT,
    TabularSchema,
)
from services.trainer.artifacts import StoredFile
from torii.v1 import models_pb2, tabular_pb2
from torii.v1 import registry_service_pb2 as rs

_INPUT_DATA_TYPES = {
    ColumnType.INTEGER: models_pb2.DATA_TYPE_FP32,
    ColumnType.FLOAT: models_pb2.DATA_TYPE_FP32,
    ColumnType.DATE: models_pb2.DATA_TYPE_FP64,
    ColumnType.STRING: models_pb2.DATA_TYPE_STRING,
    ColumnType.TEXT: models_pb2.DATA_TYPE_STRING,
}


def signature_of(schema: TabularSchema) -> models_pb2.Signature:
    inputs = [
        models_pb2.TensorSpec(name=column.input_name, data_type=_INPUT_DATA_TYPES[column.type], shape=[-1, 1])
        for column in schema.columns
    ]
    if schema.problem_type.is_classification:
        answer = models_pb2.TensorSpec(
            name=PROBABILITIES_OUTPUT, data_type=models_pb2.DATA_TYPE_FP32, shape=[-1, len(schema.class_labels)]
        )
    else:
        answer = models_pb2.TensorSpec(name=PREDICTION_OUTPUT, data_type=models_pb2.DATA_TYPE_FP32, shape=[-1, 1])
    contributions = models_pb2.TensorSpec(
        name=CONTRIBUTIONS_OUTPUT, data_type=models_pb2.DATA_TYPE_FP32, shape=[-1, len(schema.columns) + 1]
    )
    return models_pb2.Signature(inputs=inputs, outputs=[answer, contributions])


def model_version_spec(
    model: StoredFile, schema: TabularSchema, training: tabular_pb2.TrainingConfig
) -> rs.ModelVersionSpec:
    return rs.ModelVersionSpec(
        format=models_pb2.MODEL_FORMAT_ONNX,
        artifact_uri=model.uri,
        sha256=model.sha256,
        size_bytes=model.size_bytes,
        signature=signature_of(schema),
        preprocessing=models_pb2.Preprocessing(tabular=schema_to_proto(schema, training)),
    )
