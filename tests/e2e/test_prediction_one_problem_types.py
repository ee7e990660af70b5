"""Multi-class and regression models end to end: trained over HTTP, published, and answered by
Triton with the reasons of the predicted class (or value)."""

from __future__ import annotations

import numpy as np

from tests.e2e.prediction_one_client import csv_base64, infer, publish, read_csv, train

FLAGS = {"ar": True, "ad": False, "nc": False}


def _flowers(rows: int = 300) -> tuple[list[str], list[list[str]]]:
    rng = np.random.default_rng(11)
    header = ["petal", "sepal", "colour", "species"]
    body = []
    for index in range(rows):
        species = ("setosa", "versicolor", "virginica")[index % 3]
        petal = {"setosa": 1.5, "versicolor": 4.3, "virginica": 5.6}[species] + rng.normal(scale=0.4)
        sepal = {"setosa": 5.0, "versicolor": 5.9, "virginica": 6.6}[species] + rng.normal(scale=0.4)
        colour = rng.choice(["white", "blue", "purple"])
        body.append([f"{petal:.2f}", f"{sepal:.2f}", str(colour), species])
    return header, body


def _houses(rows: int = 300) -> tuple[list[str], list[list[str]]]:
    rng = np.random.default_rng(12)
    header = ["rooms", "area", "city", "price"]
    body = []
    for _ in range(rows):
        rooms = int(rng.integers(1, 6))
        area = float(rng.uniform(20, 150))
        city = str(rng.choice(["Tokyo", "Osaka", "Sapporo"]))
        price = 3 * area + 40 * rooms + {"Tokyo": 200, "Osaka": 120, "Sapporo": 60}[city] + rng.normal(scale=10)
        body.append([str(rooms), f"{area:.1f}", city, f"{price:.1f}"])
    return header, body


def _csv_bytes(header, rows) -> bytes:
    return ("\n".join(",".join(row) for row in [header, *rows]) + "\n").encode()


async def test_a_multi_class_model_answers_every_class_and_the_reasons_of_its_choice(prediction_one):
    header, rows = _flowers()
    model_id, _ = await train(prediction_one, _csv_bytes(header, rows), {"tc": "species", "tt": "multi_classification"})
    classifier, _ = await publish(prediction_one, model_id)
    query = [["1.4", "5.1", "white"], ["5.8", "6.7", "blue"]]
    status, body = await infer(prediction_one, classifier, {"pr": csv_base64(header[:3], query), **FLAGS})
    assert status == 200, body
    valid = read_csv(body["outputs"][0]["data"])
    assert list(valid[0]) == [
        "row_number",
        "prediction",
        "probability_setosa",
        "probability_versicolor",
        "probability_virginica",
    ]
    assert [row["prediction"] for row in valid] == ["setosa", "virginica"]
    for row in valid:
        assert abs(sum(float(row[f"probability_{name}"]) for name in ("setosa", "versicolor", "virginica")) - 1) < 1e-5
    analysis = read_csv(body["outputs"][1]["data"])
    assert {analysis[0][f"reason_{rank}_column"] for rank in (1, 2, 3)} == {"petal", "sepal", "colour"}


async def test_a_regression_model_answers_a_value_and_its_reasons_add_up(prediction_one):
    header, rows = _houses()
    model_id, _ = await train(prediction_one, _csv_bytes(header, rows), {"tc": "price", "tt": "regression", "cv": "3"})
    classifier, _ = await publish(prediction_one, model_id)
    status, body = await infer(
        prediction_one, classifier, {"pr": csv_base64(header[:3], [["3", "80.0", "Tokyo"]]), **FLAGS}
    )
    assert status == 200, body
    valid = read_csv(body["outputs"][0]["data"])
    assert list(valid[0]) == ["row_number", "prediction"]
    predicted = float(valid[0]["prediction"])
    assert abs(predicted - (3 * 80 + 40 * 3 + 200)) < 60
    reasons = read_csv(body["outputs"][1]["data"])[0]
    total = float(reasons["base_value"]) + sum(float(reasons[f"reason_{rank}_contribution"]) for rank in (1, 2, 3))
    assert abs(total - predicted) < 1e-3 * max(1.0, abs(predicted))
