"""Prediction One's bodies go through the same large-body bound as NNC's, and still answer."""

from __future__ import annotations

import asyncio

from services.gateway.app_keys import RUNTIME
from services.gateway.http_base.inference_bodies import LARGE_BODY_BYTES
from tests.e2e.prediction_one_client import churn_rows, csv_base64, infer, publish, read_csv, train

FLAGS = {"ar": False, "ad": False, "nc": False}


async def test_a_large_body_waits_for_a_free_slot_and_is_then_answered(prediction_one):
    model_id, _ = await train(prediction_one)
    classifier, _ = await publish(prediction_one, model_id)
    header, rows = churn_rows(1000)
    pr = csv_base64(header, rows)
    assert len(pr) > LARGE_BODY_BYTES
    slots = prediction_one.platform.client.app[RUNTIME].large_bodies
    for _ in range(slots.slots):  # every slot taken, as by other large requests
        assert await slots.acquire(None)
    try:
        call = asyncio.create_task(infer(prediction_one, classifier, {"pr": pr, **FLAGS}))
        await asyncio.sleep(0.5)
        assert not call.done(), "a large body is read only once a slot is free"
    finally:
        for _ in range(slots.slots):
            slots.release()
    status, body = await call
    assert status == 200, body
    assert [row["row_number"] for row in read_csv(body["outputs"][0]["data"])] == [str(n) for n in range(1, 1001)]
    assert slots.in_use == 0
