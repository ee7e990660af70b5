"""A tabular model version's schema, converted once per version (versions never change)."""

from __future__ import annotations

from services.tabular.proto_codec import schema_from_proto
from services.tabular.schema import TabularSchema
from torii.v1 import models_pb2

_MAX_ENTRIES = 1024
_schemas: dict[str, TabularSchema] = {}


def tabular_schema(version: models_pb2.ModelVersion) -> TabularSchema | None:
    if not version.preprocessing.HasField("tabular"):
        return None
    schema = _schemas.get(version.model_version_id)
    if schema is None:
        if len(_schemas) >= _MAX_ENTRIES:
            _schemas.clear()
        schema = _schemas[version.model_version_id] = schema_from_proto(version.preprocessing.tabular)
    return schema
