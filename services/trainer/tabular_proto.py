"""A job's TrainingConfig message as the plain dict a worker process reads, and back."""

from __future__ import annotations

from google.protobuf.json_format import MessageToDict, ParseDict

from torii.v1 import tabular_pb2


def config_to_dict(config: tabular_pb2.TrainingConfig) -> dict:
    """Field names as in the .proto, enums by name, defaults included."""
    return MessageToDict(config, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)


def config_from_dict(values: dict) -> tabular_pb2.TrainingConfig:
    return ParseDict(values, tabular_pb2.TrainingConfig())
