"""The gateway's bounds on what one NNC request may cost, end to end through Triton: an image's
pixel budget, and how many large bodies are read and parsed at once, off the event loop."""

from __future__ import annotations

import asyncio

import numpy as np
import orjson
import pytest

from services.gateway.app_keys import RUNTIME
from tests.e2e.conftest import running_platform
from tests.e2e.models import channel_means_model
from tests.e2e.test_nnc_errors import assert_contract_error
from tests.gateway.nnc.media import b64, image_file, pattern, png_claiming
from tests.polling import eventually
from tests.scheduler.onnx_models import affine_model
from tests.urls import path_of

MAX_PIXELS = 10_000
TIME_LIMIT_S = 2.0
VECTOR = [{"name": "x", "type": "vector", "data": [1, 2, 3, 4]}]


@pytest.fixture
async def bounded(registry, start_gateway, shared_triton, tmp_path):
    """The platform with a small pixel budget, one large-body slot and a short dedicated time limit."""
    async with running_platform(
        registry,
        start_gateway,
        shared_triton,
        tmp_path,
        max_image_pixels=MAX_PIXELS,
        max_large_bodies=1,
        inference_timeout_s=TIME_LIMIT_S,
    ) as platform:
        yield platform


def png(height: int, width: int) -> list[dict]:
    return [{"name": "x", "type": "png", "data": b64(image_file(pattern(height, width)))}]


async def test_an_image_past_the_pixel_budget_gets_the_contracts_error_and_one_within_it_runs(bounded):
    api = await bounded.publish(channel_means_model(1, "height", "width"))  # any size: the budget decides

    status, body = await bounded.infer(api, png(100, 100))
    assert status == 200, body
    assert float(body["outputs"][0]["data"]) == pytest.approx(pattern(100, 100).mean(), rel=1e-5)

    status, body = await bounded.infer(api, png(101, 100))
    assert_contract_error(status, body, 400, "INVALID_REQUEST", "Invalid request")
    assert body["code"] == "4001020101"
    assert body["message"] == (
        "Invalid request: input 'x': the image is 100x101 (width x height, 10100 pixels); "
        f"this input takes at most {MAX_PIXELS} pixels"
    )

    status, body = await bounded.infer(api, [{"name": "x", "type": "png", "data": b64(png_claiming(5000, 5000))}])
    assert_contract_error(status, body, 400, "INVALID_REQUEST", "Invalid request")
    assert "5000x5000" in body["message"] and f"at most {MAX_PIXELS} pixels" in body["message"]


async def test_past_the_large_body_bound_a_body_waits_its_time_limit_then_is_told_to_retry(bounded):
    api = await bounded.publish(affine_model(4, scale=1.0, bias=0.0), execution_type="dedicated")
    path = path_of(api["url"])
    headers = {"x-api-key": bounded.keys[api["api_id"]], "Content-Type": "application/json"}
    large = orjson.dumps({"executor": "Executor", "inputs": VECTOR}) + b" " * (100 * 1024)
    slots = bounded.client.app[RUNTIME].large_bodies
    rest_sent = asyncio.Event()

    async def slowly():
        yield large[:1000]
        await rest_sent.wait()
        yield large[1000:]

    async def post_slowly() -> tuple[int, dict]:
        sized = {**headers, "Content-Length": str(len(large))}
        async with bounded.client.post(path, data=slowly(), headers=sized) as response:
            return response.status, await response.json()

    holder = asyncio.create_task(post_slowly())
    await eventually(
        lambda: slots.in_use, lambda in_use: in_use == 1, interval_s=0.01, what="the slow body to take the one slot"
    )

    # A small body is not held up by the large one being read.
    status, body = await bounded.infer(api, VECTOR)
    assert status == 200, body

    started = asyncio.get_running_loop().time()
    response = await bounded.client.post(path, data=large, headers=headers)
    waited = asyncio.get_running_loop().time() - started
    answer = await response.json()
    assert_contract_error(
        response.status, answer, 503, "TEMPORARILY_UNAVAILABLE", "Temporarily unavailable, retry later"
    )
    assert "busy with other large requests" in answer["message"]
    assert waited >= TIME_LIMIT_S * 0.9, "it waits for a slot for the call's time limit before refusing"

    rest_sent.set()
    status, body = await holder
    assert status == 200, body
    response = await bounded.client.post(path, data=large, headers=headers)
    assert response.status == 200, await response.text()
    assert slots.in_use == 0


async def test_the_event_loop_keeps_serving_while_a_large_body_is_parsed_and_decoded(platform):
    """Parsing and decoding ~19 MB of numbers takes most of a second of CPU; on the event loop it
    stopped everything else for all of it. The loop's longest pause must be a small part of the
    request's time (relative, so a slow machine does not fail it)."""
    api = await platform.publish(affine_model(4, scale=1.0, bias=0.0))
    numbers = np.random.default_rng(0).random(1_000_000).tolist()
    large = orjson.dumps({"executor": "Executor", "inputs": [{"name": "x", "type": "vector", "data": numbers}]})
    headers = {"x-api-key": platform.keys[api["api_id"]], "Content-Type": "application/json"}
    loop = asyncio.get_running_loop()
    pauses: list[float] = []
    done = asyncio.Event()

    async def tick() -> None:
        last = loop.time()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = loop.time()
            pauses.append(now - last)
            last = now

    ticker = asyncio.create_task(tick())
    started = loop.time()
    response = await platform.client.post(path_of(api["url"]), data=large, headers=headers)
    took = loop.time() - started
    done.set()
    await ticker
    answer = await response.json()
    assert_contract_error(response.status, answer, 400, "INVALID_REQUEST", "Invalid request")
    assert "expected 4 numbers" in answer["message"] and "received 1000000" in answer["message"]
    assert max(pauses) < took / 2, f"the loop paused {max(pauses):.3f} s during a {took:.3f} s request"
