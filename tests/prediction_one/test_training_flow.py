"""The training flow over HTTP against the real registry and trainer, as a Prediction One client
runs it: key, upload URLs, PUT, column info, train, poll, download the result zip."""

from __future__ import annotations

import asyncio
import zipfile
from pathlib import Path

import requests

from services.runtime.grpc_client import open_channel
from tests.prediction_one.conftest import PREFIX
from tests.service_token import SERVICE_TOKEN
from tests.urls import path_of
from torii.v1 import training_registry_service_pb2 as tr
from torii.v1 import training_registry_service_pb2_grpc

CHURN_CSV = Path(__file__).parents[2] / "examples" / "prediction_one" / "churn.csv"


def seed_003_client(api_url: str, api_key: str, external_process_id: str, workdir: Path) -> zipfile.ZipFile:
    """Seed 003's Python example, unchanged but for its settings and a short sleep (it polls every 30 s)."""
    import time

    headers = {"x-api-key": api_key}

    # request
    params = {"external_process_id": external_process_id}

    while True:
        response = requests.get(api_url, params=params, headers=headers)
        response_json = response.json()
        status = response_json["status"]
        if status == "finished":
            break
        time.sleep(0.2)

    result_url = response_json["result_url"]

    # 結果ファイルのダウンロード
    result_data = requests.get(result_url).content
    with open(workdir / "result.zip", mode="wb") as f:
        f.write(result_data)

    # 結果ファイルの確認
    zf = zipfile.ZipFile(workdir / "result.zip")
    return zf


async def test_the_seed_client_trains_and_downloads_the_result(training_platform, tmp_path):
    platform = training_platform
    key = await platform.api_key("train")
    process_id = await platform.upload(key, CHURN_CSV.read_bytes())

    info = await platform.client.get(
        f"{PREFIX}/data-sets/column-info", params={"external_process_id": process_id}, headers={"x-api-key": key}
    )
    body = await info.json()
    assert info.status == 200, body
    assert body["raw_column_names"][0] == "customer_id"
    assert body["trainingdata_row_count"] == 2000
    assert "customer_id" in body["useless_column_list"]
    types = {column["name"]: column["initial_data_type"] for column in body["training_data_columns"]}
    assert types["plan"] == 2 and types["signup_date"] == 4 and types["monthly_fee"] == 1 and types["age"] == 0

    await platform.train(key, process_id, {"tc": "churn", "tt": "binary_classification", "tv": "yes", "cv": "2"})
    archive = await asyncio.to_thread(
        seed_003_client, f"{platform.base_url}{PREFIX}/models/results", key, process_id, tmp_path
    )
    names = set(archive.namelist())
    assert {"metrics.csv", "analysis_summary.csv", "evaluation_raw_data.csv", "model.onnx", "report.html"} <= names
    metrics = archive.read("metrics.csv").decode("utf-8-sig")
    assert "auc" in metrics and "2-fold" in metrics
    assert len(archive.read("evaluation_raw_data.csv").decode("utf-8-sig").strip().splitlines()) == 2001

    result = await platform.wait_for_result(key, process_id)
    assert result["status"] == "finished" and result["model_id"] >= 1
    models = await platform.client.get(f"{PREFIX}/models", headers={"x-api-key": key})
    listed = (await models.json())["models"]
    assert [model["model_id"] for model in listed] == [result["model_id"]]
    assert listed[0]["config"]["tc"] == "churn" and listed[0]["target_type"] == "binary_classification"


async def test_data_sets_and_models_list_page_download_and_delete(training_platform):
    platform = training_platform
    client = platform.client
    key = await platform.api_key("train")
    small = b"x,y\n" + b"".join(f"{i},{i * 2 + (i % 3)}\n".encode() for i in range(40))
    first = await platform.upload(key, small)
    second = await platform.upload(key, small + b"41,80\n")
    await platform.train(key, second, {"tc": "y", "tt": "regression"})
    result = await platform.wait_for_result(key, second)
    assert result["status"] == "finished", result

    page = await (
        await client.get(f"{PREFIX}/data-sets", params={"offset": "0", "limit": "1"}, headers={"x-api-key": key})
    ).json()
    assert page["metadata"] == {"offset": 0, "limit": 1, "total": 2}
    newest = page["data_sets"][0]
    assert newest["data_count"] == 41 and newest["column_count"] == 2 and newest["extension"] == "csv"
    download = await client.get(path_of(newest["download_url"]))
    assert download.status == 200 and await download.read() == small + b"41,80\n"
    bad_limit = await client.get(f"{PREFIX}/data-sets", params={"limit": "0"}, headers={"x-api-key": key})
    assert bad_limit.status == 400

    stored = platform.trainer_settings.data_dir / "artifacts"
    files_before = {path for path in stored.rglob("*") if path.is_file()}
    deleted = await client.delete(f"{PREFIX}/data-sets/{newest['data_set_id']}", headers={"x-api-key": key})
    assert deleted.status == 204
    files_after = {path for path in stored.rglob("*") if path.is_file()}
    assert len(files_before - files_after) == 1
    again = await client.delete(f"{PREFIX}/data-sets/{newest['data_set_id']}", headers={"x-api-key": key})
    assert again.status == 400 and (await again.json())["message"] == "This data set may be deleted."

    model_id = result["model_id"]
    models = await (await client.get(f"{PREFIX}/models", headers={"x-api-key": key})).json()
    assert [model["model_id"] for model in models["models"]] == [model_id]
    assert models["models"][0]["config"] == {"tc": "y", "tt": "regression", "cv": "0", "im": False}
    deleted = await client.delete(f"{PREFIX}/models/{model_id}", headers={"x-api-key": key})
    assert deleted.status == 204
    assert not list((stored / "models").iterdir())
    models = await (await client.get(f"{PREFIX}/models", headers={"x-api-key": key})).json()
    assert models["models"] == [] and models["metadata"]["total"] == 0
    gone = await client.delete(f"{PREFIX}/models/{model_id}", headers={"x-api-key": key})
    assert (await gone.json())["message"] == "This model may be deleted."
    # The job's result went with its model: no "finished" without a model_id, no zip to fetch.
    results = await client.get(
        f"{PREFIX}/models/results", params={"external_process_id": second}, headers={"x-api-key": key}
    )
    assert results.status == 400 and (await results.json())["message"] == "This model may be deleted."
    download = await client.get(path_of(result["result_url"]))
    assert download.status == 400 and (await download.json())["message"] == "This model may be deleted."
    assert first


async def test_identifier_and_constant_columns_are_left_out_of_the_model(training_platform):
    platform = training_platform
    key = await platform.api_key("train")
    rows = [f"ID{i:04d},same,{i % 7},{i * 3 % 11},{'a' if i % 2 else 'b'}" for i in range(120)]
    data = ("customer,constant,amount,count,label\n" + "\n".join(rows) + "\n").encode()
    process_id = await platform.upload(key, data)
    await platform.train(key, process_id, {"tc": "label", "tt": "binary_classification", "tv": "a"})
    result = await platform.wait_for_result(key, process_id)
    assert result["status"] == "finished", result
    models = await (await platform.client.get(f"{PREFIX}/models", headers={"x-api-key": key})).json()
    assert models["models"][0]["model_id"] == result["model_id"]
    registry = platform.gateway.registry
    channel = open_channel(registry.address, 10, service_token=SERVICE_TOKEN)
    try:
        stub = training_registry_service_pb2_grpc.TrainingRegistryServiceStub(channel)
        request = tr.GetTrainedModelRequest(actor_user_id=registry.admin_user_id, model_number=result["model_id"])
        model = (await stub.GetTrainedModel(request)).model
    finally:
        await channel.close()
    assert [column.name for column in model.model_version.preprocessing.tabular.columns] == ["amount", "count"]
