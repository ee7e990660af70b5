"""Retraining: new data for a published model, trained with its settings, then switched in while
requests keep coming, none refused."""

from __future__ import annotations

import asyncio
import io
import zipfile

from tests.e2e.prediction_one_client import (
    CHURN_CSV,
    churn_rows,
    csv_base64,
    infer,
    publish,
    train,
    wait_for_classifier,
)
from tests.polling import eventually
from tests.prediction_one.conftest import PREFIX
from tests.urls import path_of

FLAGS = {"ar": True, "ad": False, "nc": False}


async def _retrain(p1, key: str, filename: str, data: bytes) -> str:
    client = p1.training.client
    response = await client.get(
        f"{PREFIX}/retrain_jobs/upload_url", params={"filename": filename}, headers={"x-api-key": key}
    )
    body = await response.json()
    assert response.status == 200, body
    put = await client.put(path_of(body["upload_url"]), data=data)
    assert put.status == 200, await put.text()
    return body["retrain_job_id"]


async def _wait_retrained(p1, key: str, job_id: str, timeout_s: float = 120.0) -> dict:
    async def retrain_job() -> dict:
        response = await p1.training.client.get(f"{PREFIX}/retrain_jobs/{job_id}", headers={"x-api-key": key})
        body = await response.json()
        assert response.status == 200, body
        return body

    return await eventually(
        retrain_job,
        lambda body: body["status"] in ("job_finished", "job_failed"),
        timeout_s=timeout_s,
        interval_s=0.1,
        what=f"retrain job {job_id} to end",
    )


async def test_retrain_then_switch_under_steady_requests(prediction_one):
    p1 = prediction_one
    client = p1.training.client
    old_model, _ = await train(p1)
    classifier, deploy = await publish(p1, old_model)
    retrain_key = await p1.training.api_key("retrain", model_id=str(old_model))

    lines = CHURN_CSV.read_bytes().splitlines(keepends=True)
    job_id = await _retrain(p1, retrain_key, "newer.csv", b"".join(lines[:1500]))
    early = await client.put(f"{PREFIX}/retrain_jobs/{job_id}/update_model", headers={"x-api-key": retrain_key})
    early_body = await early.json()
    if early.status == 400:
        assert early_body["message"] == "Retrain job is not finished."
    status = await _wait_retrained(p1, retrain_key, job_id)
    assert status["status"] == "job_finished", status
    new_model = status["model_id"]
    assert new_model != old_model and status["metadata"] == {"retrain_job_id": job_id}
    zipped = await client.get(path_of(status["download_url"]))
    assert "report.html" in zipfile.ZipFile(io.BytesIO(await zipped.read())).namelist()

    header, rows = churn_rows(1)
    pr = csv_base64(header, rows)
    answers: list[tuple[int, str]] = []
    stop = asyncio.Event()

    async def steady(worker: int) -> None:
        while not stop.is_set():
            code, body = await infer(p1, classifier, {"pr": pr, **FLAGS})
            answers.append((code, body.get("version", body.get("message", ""))))

    senders = [asyncio.create_task(steady(worker)) for worker in range(4)]
    await eventually(lambda: len(answers), lambda count: count >= 4, what="the old model to answer the steady senders")
    switched = await client.put(f"{PREFIX}/retrain_jobs/{job_id}/update_model", headers={"x-api-key": retrain_key})
    assert switched.status == 200 and (await switched.json()) == {"metadata": {"retrain_job_id": job_id}}
    await eventually(
        lambda: answers[-4:],
        lambda latest: any(version == str(new_model) for _, version in latest),
        timeout_s=60,
        what=f"the new model {new_model} to answer",
    )
    await asyncio.sleep(0.3)  # requests keep coming while the old model is let go: none may be refused
    stop.set()
    await asyncio.gather(*senders)

    refused = [answer for answer in answers if answer[0] != 200]
    assert not refused, refused[:5]
    versions = [version for _, version in answers]
    assert versions[0] == str(old_model) and versions[-1] == str(new_model)
    switch_point = versions.index(str(new_model))
    assert set(versions[switch_point:]) <= {str(new_model), str(old_model)}
    shown = await wait_for_classifier(p1, classifier["classifier_id"], deploy, "running")
    assert shown["model_id"] == new_model


async def test_retrain_takes_a_zip_and_refuses_what_it_cannot_do(prediction_one):
    p1 = prediction_one
    client = p1.training.client
    old_model, _ = await train(p1)
    retrain_key = await p1.training.api_key("retrain", model_id=str(old_model))
    lines = CHURN_CSV.read_bytes().splitlines(keepends=True)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("train_src/learn.csv", b"".join(lines[:1200]))
        zipped.writestr("eval_src/eval.csv", b"".join([lines[0], *lines[1200:]]))
    job_id = await _retrain(p1, retrain_key, "data.zip", archive.getvalue())
    status = await _wait_retrained(p1, retrain_key, job_id)
    assert status["status"] == "job_finished", status

    switched = await client.put(f"{PREFIX}/retrain_jobs/{job_id}/update_model", headers={"x-api-key": retrain_key})
    assert (await switched.json())["message"] == "Not found classifier."
    unknown = await client.get(
        f"{PREFIX}/retrain_jobs/00000000-0000-0000-0000-000000000000", headers={"x-api-key": retrain_key}
    )
    assert (await unknown.json())["message"] == "Not found retrain job."

    response = await client.get(
        f"{PREFIX}/retrain_jobs/upload_url", params={"filename": "x.zip"}, headers={"x-api-key": retrain_key}
    )
    bad_zip_url = (await response.json())["upload_url"]
    put = await client.put(path_of(bad_zip_url), data=b"not a zip")
    assert put.status == 400 and (await put.json())["message"] == "the upload is not a zip file"


async def test_a_refused_retrain_leaves_nothing_and_a_deleted_model_ends_its_retrain(prediction_one):
    p1 = prediction_one
    client = p1.training.client
    old_model, _ = await train(p1)
    retrain_key = await p1.training.api_key("retrain", model_id=str(old_model))
    train_key = await p1.training.api_key("train")

    async def data_set_count() -> int:
        listed = await client.get(f"{PREFIX}/data-sets", headers={"x-api-key": train_key})
        return (await listed.json())["metadata"]["total"]

    for filename in ("a\r\nX-Injected: 1.csv", "x" * 300 + ".csv"):
        response = await client.get(
            f"{PREFIX}/retrain_jobs/upload_url", params={"filename": filename}, headers={"x-api-key": retrain_key}
        )
        assert response.status == 400 and "without control characters" in (await response.json())["message"]

    response = await client.get(
        f"{PREFIX}/retrain_jobs/upload_url", params={"filename": "data.zip"}, headers={"x-api-key": retrain_key}
    )
    upload = await response.json()
    lines = CHURN_CSV.read_bytes().splitlines(keepends=True)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("train_src/learn.csv", b"".join(lines[:1200]))
        zipped.writestr("eval_src/eval.csv", lines[0] + b"1,2\n")
    before = await data_set_count()
    put = await client.put(path_of(upload["upload_url"]), data=archive.getvalue())
    body = await put.json()
    assert put.status == 400 and body["message"].startswith("eval_src/eval.csv: row 1 has 2 fields"), body
    assert await data_set_count() == before
    # A retrain job is not a training job a train key may configure.
    posted = await client.post(
        f"{PREFIX}/models",
        json={
            "external_process_id": upload["retrain_job_id"],
            "name": "m",
            "config": {"tc": "age", "tt": "regression"},
        },
        headers={"x-api-key": train_key},
    )
    assert posted.status == 400 and "retrain job" in (await posted.json())["message"]

    # The model goes while its retrain waits for the file: the retrain still ends, and says why.
    deleted = await client.delete(f"{PREFIX}/models/{old_model}", headers={"x-api-key": train_key})
    assert deleted.status == 204
    good = io.BytesIO()
    with zipfile.ZipFile(good, "w") as zipped:
        zipped.writestr("train_src/learn.csv", b"".join(lines[:1200]))
    put = await client.put(path_of(upload["upload_url"]), data=good.getvalue())
    assert put.status == 200, await put.text()
    result = await p1.training.wait_for_result(train_key, upload["retrain_job_id"])
    assert result["status"] == "failed" and "has been deleted" in result["message"], result
    # The model's retrain key says so too (§5), rather than passing for an unknown key.
    for path in (
        f"{PREFIX}/retrain_jobs/upload_url?filename=more.csv",
        f"{PREFIX}/retrain_jobs/{upload['retrain_job_id']}",
    ):
        response = await client.get(path, headers={"x-api-key": retrain_key})
        assert (await response.json())["message"] == "This model may be deleted.", path
