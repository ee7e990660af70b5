"""Closed-loop load generators: N workers, each sending its next request as soon as the last answered.

Every target is driven the same way, with one long-lived client and payloads built once:
- `triton`: tritonclient.grpc.aio straight to Triton (one InferInput filled once, reused).
- `gateway`: aiohttp to the gateway's NNC route (the JSON body encoded once, reused).
- `prediction_one`: aiohttp to a Prediction One classifier's URL, one CSV row per request
  (bench.prediction_one.sender: the bodies of a few hundred rows encoded once, cycled).

`flood()` is the noisy neighbour: another key's clients each sending one large vector body after
another (open-ended, not measured beyond the answers' statuses) while a point is measured.

`measure()` runs in its own process (see bench.run), so the client never shares an event loop,
or a core's time slice by choice, with the gateway. A point is a warm-up (answers not kept),
then a window of fixed length: throughput counts the answers that arrived inside the window,
latencies are those of the requests that started inside it. Triton's statistics for the named
model are read at both ends of the window, so their delta covers the same requests.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import time
from dataclasses import asdict, dataclass, field

import numpy as np

FEATURES = 64


@dataclass(frozen=True)
class Point:
    target: str  # "triton", "gateway" or "prediction_one"
    concurrency: int
    seconds: float
    warmup_s: float
    triton_address: str
    model_name: str  # the Triton model that serves the requests (its statistics are read)
    url: str = ""  # gateway, prediction_one: the API's inference URL
    api_key: str = ""
    label: str = ""  # how the table names this row
    pids: dict[str, list[int]] = field(default_factory=dict)  # process groups whose CPU time is measured
    triton_headers: dict[str, str] = field(default_factory=dict)  # what Triton's restricted protocols ask for


def sample_input(seed: int = 7) -> list[float]:
    return np.random.default_rng(seed).standard_normal(FEATURES).astype(np.float32).tolist()


def measure(point: dict) -> dict:
    """Entry point for the worker process: one measurement point, returned as a plain dict."""
    try:
        return asyncio.run(_measure(Point(**point)))
    except Exception as error:  # tritonclient's exceptions do not survive pickling back to the driver
        raise RuntimeError(f"{point['label']} c{point['concurrency']}: {type(error).__name__}: {error}") from None


async def _measure(point: Point) -> dict:
    from tritonclient.grpc.aio import InferenceServerClient

    stats_client = InferenceServerClient(point.triton_address)
    if point.target == "prediction_one":
        from bench.prediction_one import sender
    else:
        sender = _triton_sender if point.target == "triton" else _gateway_sender
    send, close = await sender(point)
    try:
        return await _drive(point, send, stats_client)
    finally:
        await close()
        await stats_client.close()


async def _triton_sender(point: Point):
    from tritonclient.grpc import InferInput, InferRequestedOutput
    from tritonclient.grpc.aio import InferenceServerClient

    client = InferenceServerClient(point.triton_address)
    tensor = InferInput("x", [1, FEATURES], "FP32")
    tensor.set_data_from_numpy(np.asarray([sample_input()], dtype=np.float32))
    inputs = [tensor]
    outputs = [InferRequestedOutput("y")]
    first = await client.infer(point.model_name, inputs, outputs=outputs, headers=point.triton_headers)
    answer = first.as_numpy("y")
    if answer is None or answer.shape != (1, 10) or not np.isclose(answer.sum(), 1.0, atol=1e-4):
        raise RuntimeError(f"unexpected answer from Triton: {answer!r}")

    async def send() -> bool:
        await client.infer(point.model_name, inputs, outputs=outputs, headers=point.triton_headers)
        return True

    return send, client.close


async def _gateway_sender(point: Point):
    import aiohttp

    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    session = aiohttp.ClientSession(connector=connector)
    body = json.dumps(
        {"executor": "Executor", "inputs": [{"name": "x", "type": "vector", "data": sample_input()}]}
    ).encode()
    headers = {"x-api-key": point.api_key, "content-type": "application/json"}
    async with session.post(point.url, data=body, headers=headers) as response:
        answer = await response.json()
        if response.status != 200 or len(answer["outputs"][0]["data"].split(", ")) != 10:
            await session.close()
            raise RuntimeError(f"unexpected answer from the gateway: {response.status} {answer}")

    async def send() -> bool:
        async with session.post(point.url, data=body, headers=headers) as response:
            await response.read()
            return response.status == 200

    return send, session.close


async def _statistics(client, model_name: str, headers: dict[str, str]) -> dict[str, int]:
    """Cumulative counters of one model (all versions): counts and nanoseconds."""
    stats = await client.get_inference_statistics(model_name, as_json=True, client_timeout=10.0, headers=headers)
    totals = {
        "inference_count": 0,
        "execution_count": 0,
        "success_count": 0,
        "queue_ns": 0,
        "batch_compute_ns": 0,
        "batch_compute_count": 0,
    }
    for version in stats.get("model_stats", []):
        totals["inference_count"] += int(version.get("inference_count", 0))
        totals["execution_count"] += int(version.get("execution_count", 0))
        infer = version.get("inference_stats", {})
        totals["success_count"] += int(infer.get("success", {}).get("count", 0))
        totals["queue_ns"] += int(infer.get("queue", {}).get("ns", 0))
        for batch in version.get("batch_stats", []):  # per execution, by batch size
            totals["batch_compute_ns"] += int(batch.get("compute_infer", {}).get("ns", 0))
            totals["batch_compute_count"] += int(batch.get("compute_infer", {}).get("count", 0))
    return totals


async def _drive(point: Point, send, stats_client) -> dict:
    clock = time.perf_counter
    loop_start = clock()
    window_start = loop_start + point.warmup_s
    window_end = window_start + point.seconds
    latencies: list[float] = []
    counts = {"ok": 0, "failed": 0}
    marks: dict[str, dict] = {}
    cpu_marks: dict[str, dict] = {}

    async def worker() -> None:
        while True:
            started = clock()
            if started >= window_end:
                return
            try:
                ok = await send()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - counted; a broken target shows as failures
                ok = False
            finished = clock()
            if window_start <= finished < window_end:
                counts["ok" if ok else "failed"] += 1
            if ok and started >= window_start and finished < window_end:
                latencies.append(finished - started)

    async def mark(name: str, at: float) -> None:
        await asyncio.sleep(max(0.0, at - clock()))
        cpu = {group: cpu_seconds(pids) for group, pids in point.pids.items()}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu["client"] = usage.ru_utime + usage.ru_stime
        cpu["machine"], cpu["steal"] = machine_cpu_seconds()
        marks[name] = await _statistics(stats_client, point.model_name, point.triton_headers)
        cpu_marks[name] = cpu

    await asyncio.gather(
        *(worker() for _ in range(point.concurrency)),
        mark("start", window_start),
        mark("end", window_end),
    )
    delta = {key: marks["end"][key] - marks["start"][key] for key in marks["start"]}
    ordered = np.sort(np.asarray(latencies)) * 1000.0 if latencies else np.asarray([float("nan")])
    executions = delta["execution_count"]
    cores = {
        group: (cpu_marks["end"][group] - cpu_marks["start"][group]) / point.seconds for group in cpu_marks["start"]
    }
    return {
        **{k: v for k, v in asdict(point).items() if k in ("target", "concurrency", "model_name", "label")},
        "seconds": point.seconds,
        "requests": counts["ok"],
        "failed": counts["failed"],
        "throughput_rps": round(counts["ok"] / point.seconds, 1),
        "p50_ms": round(float(np.percentile(ordered, 50)), 3),
        "p99_ms": round(float(np.percentile(ordered, 99)), 3),
        "mean_ms": round(float(ordered.mean()), 3),
        "triton_inferences": delta["inference_count"],
        "triton_executions": executions,
        "avg_batch": round(delta["inference_count"] / executions, 2) if executions else None,
        "triton_queue_us_per_inference": (
            round(delta["queue_ns"] / delta["success_count"] / 1000.0, 1) if delta["success_count"] else None
        ),
        "cpu_cores": {group: round(value, 3) for group, value in cores.items()},
        "cpu_us_per_request": {
            group: round(value * point.seconds / counts["ok"] * 1e6, 1) if counts["ok"] else None
            for group, value in cores.items()
        },
        "triton_compute_us_per_execution": (
            round(delta["batch_compute_ns"] / delta["batch_compute_count"] / 1000.0, 1)
            if delta["batch_compute_count"]
            else None
        ),
    }


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (0 for one that has gone)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)
    return total / _TICKS


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, stolen) CPU seconds of the whole machine so far, all cores together, from /proc/stat."""
    try:
        with open("/proc/stat") as handle:
            fields = [int(v) for v in handle.readline().split()[1:]]
    except OSError:
        return 0.0, 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (fields + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / _TICKS, steal / _TICKS


FLOOD_BODY_BYTES = 32_000_000
"""Just under the gateway's default body limit (TORII_MAX_INFERENCE_BYTES, 32 MiB)."""


def large_vector_body(size: int = FLOOD_BODY_BYTES) -> bytes:
    """An NNC body of at most `size` bytes: one vector input of random 4-decimal numbers, far
    more than the model's 64, so the gateway parses and checks all of them and answers 400."""
    import orjson

    count = size // 7
    while True:
        values = np.round(np.random.default_rng(11).random(count), 4).tolist()
        body = orjson.dumps({"executor": "Executor", "inputs": [{"name": "x", "type": "vector", "data": values}]})
        if len(body) <= size:
            return body
        count = int(count * size / len(body) * 0.995)


def flood(spec: dict) -> dict:
    """Entry point for a second worker process: `concurrency` clients, each sending the large
    body as soon as its last one was answered, for `seconds`; returns how they were answered."""
    return asyncio.run(_flood(**spec))


async def _flood(url: str, api_key: str, seconds: float, concurrency: int) -> dict:
    import aiohttp

    body = large_vector_body()
    headers = {"x-api-key": api_key, "content-type": "application/json"}
    answers: dict[str, int] = {}
    end = time.perf_counter() + seconds
    timeout = aiohttp.ClientTimeout(total=None)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:

        async def client() -> None:
            while time.perf_counter() < end:
                try:
                    async with session.post(url, data=body, headers=headers) as response:
                        await response.read()
                        answer = str(response.status)
                except aiohttp.ClientError as error:
                    answer = type(error).__name__
                answers[answer] = answers.get(answer, 0) + 1

        await asyncio.gather(*(client() for _ in range(concurrency)))
    return {"concurrency": concurrency, "body_bytes": len(body), "seconds": seconds, "answers": answers}
