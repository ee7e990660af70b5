"""Prediction One on Torii, from a CSV to a prediction with reasons, in the manual's style.

Run `make run`, then, with the admin token it prints as the secret key:

    .venv/bin/python examples/prediction_one/walkthrough.py http://127.0.0.1:8080 <admin token>

It trains churn.csv (next to this file), saves the result zip and its report.html under
./walkthrough-result/, publishes the model as a classifier and predicts one row with reasons.
"""

import base64
import csv
import io
import sys
import time
import zipfile
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent


def main(base_url, secret_key, out_dir=Path("walkthrough-result"), poll_s=5):
    api = base_url + "/v1/external"

    # 1. Get API Key: a train key from the secret key
    response = requests.get(api + "/api-key", params={"credential_type": "train"}, headers={"x-api-key": secret_key})
    train_key = response.json()["api_key"]
    headers = {"x-api-key": train_key}

    # 2. Train Data Upload: upload URLs, then PUT the CSV (no key on the PUT)
    urls = requests.get(api + "/data-sets/upload-url", params={"extension": "csv"}, headers=headers).json()
    external_process_id = urls["external_process_id"]
    with open(HERE / "churn.csv", "rb") as f:
        requests.put(urls["learn_data_set_upload_url"], data=f).raise_for_status()

    # 3. Train Data Set Info: what Torii made of each column
    info = requests.get(
        api + "/data-sets/column-info", params={"external_process_id": external_process_id}, headers=headers
    ).json()
    print("rows:", info["trainingdata_row_count"], "useless columns:", info["useless_column_list"])

    # 4. Create Model: target "churn", positive class "yes"
    body = {
        "external_process_id": external_process_id,
        "name": "churn",
        "config": {"tc": "churn", "tt": "binary_classification", "tv": "yes", "cv": "0"},
    }
    requests.post(api + "/models", json=body, headers=headers).raise_for_status()

    # 5. Train Status Check: poll until finished, then download the result zip
    while True:
        response_json = requests.get(
            api + "/models/results", params={"external_process_id": external_process_id}, headers=headers
        ).json()
        status = response_json["status"]
        print("training:", status, response_json.get("progress", ""))
        if status == "finished":
            break
        if status == "failed":
            raise SystemExit("training failed: " + response_json.get("message", ""))
        time.sleep(poll_s)
    model_id = response_json["model_id"]
    out_dir.mkdir(exist_ok=True)
    result_data = requests.get(response_json["result_url"]).content
    with open(out_dir / "result.zip", mode="wb") as f:
        f.write(result_data)
    zipfile.ZipFile(out_dir / "result.zip").extractall(out_dir)
    print("report:", (out_dir / "report.html").resolve())

    # 6. Create Classifier: publish the model with a deploy key, wait until it runs
    deploy_key = requests.get(
        api + "/api-key", params={"credential_type": "deploy"}, headers={"x-api-key": secret_key}
    ).json()["api_key"]
    created = requests.post(
        api + "/classifiers",
        json={"model_id": model_id, "rules": [{"source": "0.0.0.0/0", "order": "allow", "priority": 0}]},
        headers={"x-api-key": deploy_key},
    ).json()
    classifier_id, classifier_key = created["classifier_id"], created["api_key"]
    while True:
        classifier = requests.get(api + "/classifiers/" + classifier_id, headers={"x-api-key": deploy_key}).json()[
            "classifier"
        ]
        if classifier["status"] == "running":
            break
        time.sleep(1)

    # 7. Inference: one row of CSV (base64) with the reasons (ar)
    with open(HERE / "churn.csv", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    target = rows[0].index("churn")
    one_row = [[cell for i, cell in enumerate(row) if i != target] for row in rows[:2]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(one_row)
    inputs = [
        {"name": "pr", "type": "csv", "data": base64.b64encode(buffer.getvalue().encode("utf-8")).decode()},
        {"name": "ar", "type": "boolean", "data": True},
        {"name": "ad", "type": "boolean", "data": False},
        {"name": "nc", "type": "boolean", "data": False},
    ]
    # A 503 just after the status turned "running" means the gateway has not heard of it yet: retry.
    for _attempt in range(60):
        response = requests.post(
            classifier["url"],
            json={"inputs": inputs},
            headers={"x-api-key": classifier_key, "content-type": "application/json; charset=utf-8"},
        )
        if response.status_code != 503:
            break
        time.sleep(0.5)
    answer = response.json()
    if response.status_code != 200:
        raise SystemExit("inference failed: " + answer["message"])
    outputs = {output["name"]: base64.b64decode(output["data"]).decode("utf-8") for output in answer["outputs"]}
    for name, text in outputs.items():
        print("--", name)
        print(text)
    return outputs


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2])
