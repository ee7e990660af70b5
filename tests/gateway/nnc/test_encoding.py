"""encode_outputs and version_label: the success response's parts, as NNC writes them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from google.protobuf.timestamp_pb2 import Timestamp

from services.gateway.nnc.encoding import encode_outputs, version_label, version_label_at
from torii.v1 import models_pb2


def signature(*names: str) -> models_pb2.Signature:
    return models_pb2.Signature(
        inputs=[models_pb2.TensorSpec(name="x", data_type=models_pb2.DATA_TYPE_FP32, shape=[-1, 1])],
        outputs=[
            models_pb2.TensorSpec(name=name, data_type=models_pb2.DATA_TYPE_FP32, shape=[-1, 3]) for name in names
        ],
    )


def test_the_contracts_example_from_float32():
    y = np.array([[0.9994778037071228, 0.000522176269441843, 9.620963747902778e-12]], dtype=np.float32)
    assert encode_outputs({"y": y}, signature("y")) == [
        {"name": "y", "data": "0.9994778037071228, 0.000522176269441843, 9.620963747902778e-12"}
    ]


def test_outputs_follow_the_signature_and_extras_are_left_out():
    outputs = {"b": np.array([[1.5]], np.float64), "a": np.array([[2]], np.int64), "extra": np.zeros(1)}
    assert encode_outputs(outputs, signature("a", "b")) == [{"name": "a", "data": "2"}, {"name": "b", "data": "1.5"}]


def test_every_element_is_flattened_in_c_order():
    y = np.array([[[1, 2], [3, 4]]], dtype=np.int32)
    assert encode_outputs({"y": y}, signature("y"))[0]["data"] == "1, 2, 3, 4"


def test_element_types():
    assert encode_outputs({"y": np.array([[True, False]])}, signature("y"))[0]["data"] == "1, 0"
    assert encode_outputs({"y": np.array([[0.1]], np.float16)}, signature("y"))[0]["data"] == "0.0999755859375"
    assert encode_outputs({"y": np.array([[0.1]], np.float64)}, signature("y"))[0]["data"] == "0.1"
    assert encode_outputs({"y": np.array([[-3, 250]], np.int16)}, signature("y"))[0]["data"] == "-3, 250"
    big = np.array([[1.0, 1e20]], np.float32)
    assert encode_outputs({"y": big}, signature("y"))[0]["data"] == "1.0, 1.0000000200408773e+20"


def test_a_missing_output_is_the_servers_fault():
    with pytest.raises(ValueError):
        encode_outputs({"y": np.zeros((1, 3))}, signature("y", "z"))


def test_version_label_is_utc_with_microseconds():
    assert version_label(datetime(2020, 7, 7, 5, 16, 47, 35778, tzinfo=UTC)) == "20200707_051647035778"
    tokyo = timezone(timedelta(hours=9))
    assert version_label(datetime(2020, 7, 7, 14, 16, 47, 35778, tzinfo=tokyo)) == "20200707_051647035778"
    assert version_label(datetime(2021, 1, 2, 3, 4, 5)) == "20210102_030405000000"


def test_the_cached_label_of_a_timestamp_is_the_label_of_its_datetime():
    for moment in (datetime(2026, 12, 7, 2, 28, 25, 735171, tzinfo=UTC), datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)):
        stamp = Timestamp()
        stamp.FromDatetime(moment)
        stamp.nanos += 999  # below a microsecond: NNC's label has none of it
        assert version_label_at(stamp.seconds, stamp.nanos) == version_label(stamp.ToDatetime(UTC))
