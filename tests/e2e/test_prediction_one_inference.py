"""Prediction One inference end to end: the shipped churn CSV trained by the real trainer,
published as a classifier, served by the real Triton, called over HTTP."""

from __future__ import annotations

import base64
import json

import lightgbm
import numpy as np
import onnx
import onnxruntime as ort

from services.tabular import predictor
from services.tabular.tensors import input_tensors
from services.trainer.learning.export import schema_from_json
from tests.e2e.prediction_one_client import churn_rows, csv_base64, infer, publish, read_csv, train

FLAGS = {"ar": False, "ad": False, "nc": False}


def expected_from_model(onnx_model: bytes, header, rows):
    """Probabilities, and per-column LightGBM pred_contrib sums toward the predicted class,
    computed outside Triton."""
    model = onnx.load_from_string(onnx_model)
    metadata = {entry.key: entry.value for entry in model.metadata_props}
    schema = schema_from_json(metadata[predictor.METADATA_SCHEMA])
    owners = json.loads(metadata[predictor.METADATA_FEATURES])["columns"]
    booster = lightgbm.Booster(model_str=metadata[predictor.METADATA_BOOSTER])
    session = ort.InferenceSession(onnx_model, providers=["CPUExecutionProvider"])
    probabilities, features = session.run(["probabilities", "features"], input_tensors(schema.columns, header, rows))
    # The reasons of the predicted class: a negative answer's are the positive class's, negated.
    raw = (
        booster.predict(features, pred_contrib=True)
        * np.where(np.argmax(probabilities, axis=1) == 1, 1.0, -1.0)[:, None]
    )
    contributions = np.zeros((len(rows), len(schema.columns) + 1))
    for feature, column in enumerate(owners):
        contributions[:, column] += raw[:, feature]
    contributions[:, -1] = raw[:, -1]
    return schema, probabilities, contributions


async def test_one_row_with_reasons_matches_lightgbm(prediction_one):
    model_id, onnx_model = await train(prediction_one)
    classifier, _ = await publish(prediction_one, model_id)
    header, rows = churn_rows(1, start=10)
    status, body = await infer(prediction_one, classifier, {"pr": csv_base64(header, rows), **FLAGS, "ar": True})
    assert status == 200, body
    assert body["version"] == str(model_id)
    assert [output["name"] for output in body["outputs"]] == ["prediction_valid.csv", "prediction_analysis.csv"]
    valid = read_csv(body["outputs"][0]["data"])
    analysis = read_csv(body["outputs"][1]["data"])
    schema, probabilities, contributions = expected_from_model(onnx_model, header, rows)
    assert list(valid[0]) == ["row_number", "prediction", "probability_no", "probability_yes"]
    assert valid[0]["row_number"] == "1"
    got = np.array([float(valid[0]["probability_no"]), float(valid[0]["probability_yes"])])
    np.testing.assert_allclose(got, probabilities[0], atol=1e-5)
    assert valid[0]["prediction"] == ("yes" if probabilities[0][1] > probabilities[0][0] else "no")
    reasons = analysis[0]
    assert abs(float(reasons["base_value"]) - contributions[0, -1]) < 1e-4
    names = [column.name for column in schema.columns]
    ranked = [reasons[f"reason_{rank}_column"] for rank in range(1, len(names) + 1)]
    assert sorted(ranked) == sorted(names)
    for rank, name in enumerate(ranked, start=1):
        expected = contributions[0, names.index(name)]
        assert abs(float(reasons[f"reason_{rank}_contribution"]) - expected) < 1e-4, name
        assert reasons[f"reason_{rank}_value"] == rows[0][header.index(name)]
    magnitudes = [abs(float(reasons[f"reason_{rank}_contribution"])) for rank in range(1, len(names) + 1)]
    assert magnitudes == sorted(magnitudes, reverse=True)


async def test_every_flag_shapes_the_answer(prediction_one):
    model_id, onnx_model = await train(prediction_one)
    classifier, _ = await publish(prediction_one, model_id)
    header, rows = churn_rows(3)
    pr = csv_base64(header, rows)

    status, body = await infer(prediction_one, classifier, {"pr": pr, **FLAGS, "nc": True, "nr": True})
    assert status == 200, body
    assert [output["name"] for output in body["outputs"]] == ["prediction_valid.csv"]
    valid = read_csv(body["outputs"][0]["data"])
    assert len(valid) == 3 and list(valid[0]) == ["probability_no", "probability_yes"]

    status, body = await infer(prediction_one, classifier, {"pr": pr, **FLAGS, "ad": True, "pc": "customer_id"})
    valid = read_csv(body["outputs"][0]["data"])
    assert list(valid[0])[:3] == ["customer_id", "row_number", "prediction"]
    assert list(valid[0])[3 + 2 :] == header[1:]  # every input column but the pinned one, after the probabilities
    assert [row["plan"] for row in valid] == [row[header.index("plan")] for row in rows]
    assert [row["customer_id"] for row in valid] == [row[0] for row in rows]
    assert [row["row_number"] for row in valid] == ["1", "2", "3"]

    status, body = await infer(
        prediction_one, classifier, {"pr": pr, "ar": "true", "ad": "false", "nc": "false", "pc": "customer_id"}
    )
    analysis = read_csv(body["outputs"][1]["data"])
    assert list(analysis[0])[:3] == ["customer_id", "row_number", "base_value"]

    shift_jis = csv_base64(header, rows, encoding="cp932")
    status, body = await infer(prediction_one, classifier, {"pr": shift_jis, **FLAGS})
    assert status == 200 and len(read_csv(body["outputs"][0]["data"])) == 3

    # The optional inputs sent as null are not set; a required flag must be a boolean.
    status, body = await infer(prediction_one, classifier, {"pr": pr, **FLAGS, "nr": None, "pc": None})
    assert status == 200 and list(read_csv(body["outputs"][0]["data"])[0])[0] == "row_number", body
    status, body = await infer(prediction_one, classifier, {"pr": pr, **FLAGS, "ar": None})
    assert status == 400 and "ar must be true or false" in body["message"], body


async def test_bad_input_gets_the_contracts_invalid_request(prediction_one):
    model_id, _ = await train(prediction_one)
    classifier, _ = await publish(prediction_one, model_id)
    header, rows = churn_rows(1)
    good = csv_base64(header, rows)
    cases = {
        "not base64": {"pr": "%%%not base64%%%", **FLAGS},
        "not UTF-8 or Shift_JIS": {"pr": base64.b64encode(b"a,b\n\xff\xfe\xfa,1\n").decode(), **FLAGS},
        "missing column": {"pr": csv_base64(header[:-1], [rows[0][:-1]]), **FLAGS},
        "header only": {"pr": csv_base64(header, []), **FLAGS},
        "ragged row": {"pr": base64.b64encode(b"a,b\n1,2,3\n").decode(), **FLAGS},
        "missing ar": {"pr": good, "ad": False, "nc": False},
        "unknown input": {"pr": good, **FLAGS, "zz": True},
        "not a boolean": {"pr": good, **FLAGS, "ar": "maybe"},
        "pc not a column": {"pr": good, **FLAGS, "pc": "nope"},
        "larger than the limit": {"pr": good + "A" * (2 * 1024 * 1024), **FLAGS},
    }
    for case, inputs in cases.items():
        status, body = await infer(prediction_one, classifier, inputs)
        assert status == 400, (case, body)
        assert body["code"] == 4001030104 and body["error"] == "BAD_REQUEST", (case, body)
        assert body["message"].startswith("Invalid request"), (case, body)


async def test_many_rows_in_one_request_are_answered_in_order(prediction_one):
    model_id, onnx_model = await train(prediction_one)
    classifier, _ = await publish(prediction_one, model_id)
    header, rows = churn_rows(300)
    status, body = await infer(prediction_one, classifier, {"pr": csv_base64(header, rows), **FLAGS, "ar": True})
    assert status == 200, body
    valid = read_csv(body["outputs"][0]["data"])
    analysis = read_csv(body["outputs"][1]["data"])
    _, probabilities, contributions = expected_from_model(onnx_model, header, rows)
    assert [row["row_number"] for row in valid] == [str(number) for number in range(1, 301)]
    got = np.array([[float(row["probability_no"]), float(row["probability_yes"])] for row in valid])
    np.testing.assert_allclose(got, probabilities, atol=1e-5)
    np.testing.assert_allclose([float(row["base_value"]) for row in analysis], contributions[:, -1], atol=1e-4)
