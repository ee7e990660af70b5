"""A Prediction One client for the end-to-end tests: train the shipped churn CSV, publish it,
call the classifier as the contract's client does."""

from __future__ import annotations

import base64
import csv
import io
import zipfile
from pathlib import Path

from tests.e2e.conftest import PredictionOnePlatform
from tests.e2e.sighting import Sighting, sighting
from tests.polling import eventually
from tests.prediction_one.conftest import PREFIX
from tests.urls import path_of

CHURN_CSV = Path(__file__).parents[2] / "examples" / "prediction_one" / "churn.csv"
CHURN_CONFIG = {"tc": "churn", "tt": "binary_classification", "tv": "yes", "cv": "2"}


def churn_rows(count: int, start: int = 0) -> tuple[list[str], list[list[str]]]:
    """The churn CSV's header and `count` of its rows, without the target."""
    with open(CHURN_CSV, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1 + start : 1 + start + count]
    target = header.index("churn")
    return [name for i, name in enumerate(header) if i != target], [
        [cell for i, cell in enumerate(row) if i != target] for row in body
    ]


def csv_base64(header: list[str], rows: list[list[str]], encoding: str = "utf-8") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    return base64.b64encode(buffer.getvalue().encode(encoding)).decode()


def read_csv(data: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(base64.b64decode(data).decode("utf-8"))))


async def train(p1: PredictionOnePlatform, data: bytes | None = None, config: dict | None = None) -> tuple[int, bytes]:
    """Train a model; returns its model_id and result zip's model.onnx."""
    training = p1.training
    key = await training.api_key("train")
    process_id = await training.upload(key, CHURN_CSV.read_bytes() if data is None else data)
    await training.train(key, process_id, config or CHURN_CONFIG)
    result = await training.wait_for_result(key, process_id)
    assert result["status"] == "finished", result
    url = result["result_url"]
    download = await training.client.get(path_of(url))
    assert download.status == 200
    archive = zipfile.ZipFile(io.BytesIO(await download.read()))
    return result["model_id"], archive.read("model.onnx")


async def publish(p1: PredictionOnePlatform, model_id: int, **fields) -> tuple[dict, str]:
    """Create a classifier and wait until it runs; returns (classifier, its api_key, deploy key)."""
    client = p1.training.client
    deploy_key = await p1.training.api_key("deploy")
    response = await client.post(
        f"{PREFIX}/classifiers", json={"model_id": model_id, **fields}, headers={"x-api-key": deploy_key}
    )
    body = await response.json()
    assert response.status == 200, body
    classifier = await wait_for_classifier(p1, body["classifier_id"], deploy_key, "running")
    return {**classifier, "api_key": body["api_key"]}, deploy_key


async def wait_for_classifier(p1, classifier_id: str, deploy_key: str, status: str, timeout_s: float = 60.0) -> dict:
    """Until Prediction One says `status` and the gateway's catalog has caught up with it."""
    client = p1.training.client
    catalog_status = {"running": 3, "terminated": 4, "updating": 2}

    async def seen() -> Sighting:
        response = await client.get(f"{PREFIX}/classifiers/{classifier_id}", headers={"x-api-key": deploy_key})
        return sighting(p1.platform.client, (await response.json())["classifier"])

    reached = await eventually(
        seen,
        lambda now: now.listed["status"] == status and now.in_catalog == catalog_status.get(status, -1),
        timeout_s=timeout_s,
        what=f"classifier {classifier_id} to be {status}",
    )
    return reached.listed


async def infer(p1, classifier: dict, inputs: dict, *, key: str | None = None, headers: dict | None = None):
    """POST the contract's body; returns (status, body)."""
    path = path_of(classifier["url"])
    body = {"inputs": [{"name": name, "type": _type(name), "data": data} for name, data in inputs.items()]}
    sent = {"x-api-key": classifier["api_key"] if key is None else key, **(headers or {})}
    response = await p1.training.client.post(path, json=body, headers=sent)
    return response.status, await response.json()


def _type(name: str) -> str:
    return {"pr": "csv", "pc": "string"}.get(name, "boolean")
