"""A Prediction One time-series model on Torii: train on daily sales, publish, forecast a week.

Run `make run`, then, with the admin token it prints as the secret key:

    .venv/bin/python examples/prediction_one/forecast.py http://127.0.0.1:8080 <admin token>

It trains store_sales.csv (next to this file; two shops, 2024-2025) to forecast each shop's
sales 1 to 7 days ahead, with the planned promotions known in advance (tsin), publishes the
model as a classifier and asks for the first week of 2026 from the last 8 weeks of sales.
"""

import base64
import csv
import io
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
PLANNED_PROMOTIONS = {"2026-01-02", "2026-01-03"}


def main(base_url, secret_key, poll_s=5):
    api = base_url + "/v1/external"
    train_key = requests.get(
        api + "/api-key", params={"credential_type": "train"}, headers={"x-api-key": secret_key}
    ).json()["api_key"]
    headers = {"x-api-key": train_key}

    # 1. Upload the history and train: target "sales", time column "date", one series per store,
    #    1 to 7 days ahead, the other columns (promotion) known for the days forecast.
    urls = requests.get(api + "/data-sets/upload-url", params={"extension": "csv"}, headers=headers).json()
    external_process_id = urls["external_process_id"]
    with open(HERE / "store_sales.csv", "rb") as f:
        requests.put(urls["learn_data_set_upload_url"], data=f).raise_for_status()
    config = {
        "tc": "sales",
        "tt": "regression",
        "tsm": True,
        "tsc": "date",
        "tsu": "day",
        "tss": "store",
        "tsf": 1,
        "tst": 7,
        "tsin": True,
    }
    body = {"external_process_id": external_process_id, "name": "store sales", "config": config}
    requests.post(api + "/models", json=body, headers=headers).raise_for_status()
    while True:
        response_json = requests.get(
            api + "/models/results", params={"external_process_id": external_process_id}, headers=headers
        ).json()
        if response_json["status"] == "finished":
            break
        if response_json["status"] == "failed":
            raise SystemExit("training failed: " + response_json.get("message", ""))
        time.sleep(poll_s)
    print("trained model", response_json["model_id"])

    # 2. Publish it and wait until it runs
    deploy_key = requests.get(
        api + "/api-key", params={"credential_type": "deploy"}, headers={"x-api-key": secret_key}
    ).json()["api_key"]
    created = requests.post(
        api + "/classifiers", json={"model_id": response_json["model_id"]}, headers={"x-api-key": deploy_key}
    ).json()
    while True:
        classifier = requests.get(
            api + "/classifiers/" + created["classifier_id"], headers={"x-api-key": deploy_key}
        ).json()["classifier"]
        if classifier["status"] == "running":
            break
        time.sleep(1)

    # 3. Forecast: each store's last 8 weeks, then the 7 days to forecast with their planned
    #    promotions and no sales.
    with open(HERE / "store_sales.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, history = rows[0], rows[1:]
    since = (date(2025, 12, 31) - timedelta(weeks=8)).isoformat()
    sent = [row for row in history if row[0] > since]
    for store in ("Shibuya", "Umeda"):
        for offset in range(1, 8):
            day = (date(2025, 12, 31) + timedelta(days=offset)).isoformat()
            sent.append([day, store, "1" if day in PLANNED_PROMOTIONS else "0", ""])
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *sent])
    inputs = [
        {"name": "pr", "type": "csv", "data": base64.b64encode(buffer.getvalue().encode("utf-8")).decode()},
        {"name": "ar", "type": "boolean", "data": False},
        {"name": "ad", "type": "boolean", "data": False},
        {"name": "nc", "type": "boolean", "data": False},
        {"name": "nr", "type": "boolean", "data": True},
    ]
    # A 503 just after the status turned "running" means the gateway has not heard of it yet: retry.
    for _attempt in range(60):
        response = requests.post(classifier["url"], json={"inputs": inputs}, headers={"x-api-key": created["api_key"]})
        if response.status_code != 503:
            break
        time.sleep(0.5)
    answer = response.json()
    if response.status_code != 200:
        raise SystemExit("forecast failed: " + answer["message"])
    forecast = base64.b64decode(answer["outputs"][0]["data"]).decode("utf-8")
    print(forecast)
    return forecast


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2])
