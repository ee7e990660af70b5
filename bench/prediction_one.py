"""The Prediction One part of `make bench`: train a generated 100k-row CSV over /v1/external,
publish it as a classifier, and call its inference URL one row per request.

Everything goes over HTTP through the gateway, as a Prediction One client would: the admin's
token is the secret key for GET /v1/external/api-key; the training data goes up with GET
upload-url and PUT; POST /models trains it; GET /models/results is polled until `finished`.
The inference load runs in bench.load's worker process (target "prediction_one"): `sender()`
below builds its requests, so the client never shares the gateway's event loop.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import json
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
import numpy as np

from bench import load

PREFIX = "/v1/external"
FEATURES = 19  # + the target: 20 columns
TARGET = "target"
POSITIVE = "yes"
TRAIN_SEED, INFER_SEED = 11, 12
INFER_ROWS = 512  # distinct rows the load cycles through, one per request
CONFIG = {"tc": TARGET, "tt": "binary_classification", "tv": POSITIVE, "cv": "0"}  # cv 0: auto
# Five of the features carry the signal, with noise on top: a model worth explaining, not a trivial one.
_WEIGHTS = np.array([1.5, -1.0, 0.8, 0.5, -0.4] + [0.0] * (FEATURES - 5))


class PredictionOneError(Exception):
    """The platform answered something the flow did not expect (the message says what)."""


# --- the data -------------------------------------------------------------------------------


def header() -> list[str]:
    return [f"f{i:02d}" for i in range(1, FEATURES + 1)]


def _features(rows: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, FEATURES))
    x[:, 5] = np.round(x[:, 5] * 10 + 40)  # an integer column (an age, say)
    return x


def _lines(x: np.ndarray) -> list[str]:
    buffer = io.StringIO()
    fmt = ["%.4f"] * FEATURES
    fmt[5] = "%d"
    np.savetxt(buffer, x, fmt=fmt, delimiter=",")
    return buffer.getvalue().splitlines()


def training_csv(rows: int, seed: int = TRAIN_SEED) -> bytes:
    """`rows` rows of 19 numeric features and a yes/no target, the same bytes for the same arguments."""
    x = _features(rows, seed)
    noise = np.random.default_rng(seed + 1000).logistic(size=rows)
    labels = np.where(x @ _WEIGHTS + noise > 0, "yes", "no")
    lines = [",".join([*header(), TARGET])]
    lines.extend(f"{line},{label}" for line, label in zip(_lines(x), labels, strict=True))
    return ("\n".join(lines) + "\n").encode()


def inference_bodies(count: int = INFER_ROWS, seed: int = INFER_SEED, reasons: bool = True) -> list[bytes]:
    """One contract body per row: `pr` = base64 of the header and that row, `ar` = reasons."""
    top = ",".join(header())
    bodies = []
    for line in _lines(_features(count, seed)):
        pr = base64.b64encode(f"{top}\n{line}\n".encode()).decode()
        inputs = [
            {"name": "pr", "type": "csv", "data": pr},
            {"name": "ar", "type": "boolean", "data": reasons},
            {"name": "ad", "type": "boolean", "data": False},
            {"name": "nc", "type": "boolean", "data": False},
        ]
        bodies.append(json.dumps({"inputs": inputs}).encode())
    return bodies


# --- the flow over HTTP ----------------------------------------------------------------------


async def json_answer(response: aiohttp.ClientResponse, what: str, status: int = 200) -> dict:
    body = await response.json(content_type=None)
    if response.status != status:
        raise PredictionOneError(f"could not {what}: HTTP {response.status} {body}")
    return body


async def api_key(session: aiohttp.ClientSession, base: str, secret: str, kind: str) -> str:
    async with session.get(
        f"{base}{PREFIX}/api-key", params={"credential_type": kind}, headers={"x-api-key": secret}
    ) as response:
        return (await json_answer(response, f"get a {kind} key"))["api_key"]


async def train(
    session: aiohttp.ClientSession,
    base: str,
    secret: str,
    data: bytes,
    timeout_s: float = 600.0,
    on_poll: Callable[[], None] = lambda: None,
    config: dict[str, str] | None = None,
    name: str = "bench-100k",
) -> dict:
    """Upload `data` and train it with `config` (default: CONFIG); timed from GET upload-url to `finished`.

    Returns model_id, seconds (end to end), and when each step and training phase was first seen.
    `on_poll` runs at each status poll (the bench samples CPU there).
    """
    key = {"x-api-key": await api_key(session, base, secret, "train")}
    started = time.monotonic()

    def since() -> float:
        return round(time.monotonic() - started, 2)

    async with session.get(
        f"{base}{PREFIX}/data-sets/upload-url", params={"extension": "csv"}, headers=key
    ) as response:
        urls = await json_answer(response, "get the upload URLs")
    process_id = urls["external_process_id"]
    async with session.put(urls["learn_data_set_upload_url"], data=data) as response:
        await json_answer(response, "PUT the training data")
    steps = {"uploaded": since()}
    body = {"external_process_id": process_id, "name": name, "config": CONFIG if config is None else config}
    async with session.post(f"{base}{PREFIX}/models", json=body, headers=key) as response:
        await json_answer(response, "start the training")
    steps["submitted"] = since()
    deadline = time.monotonic() + timeout_s
    while True:
        async with session.get(
            f"{base}{PREFIX}/models/results", params={"external_process_id": process_id}, headers=key
        ) as response:
            result = await json_answer(response, "read the training status")
        status = result["status"]
        phase = (result.get("progress") or {}).get("phase") or ""
        steps.setdefault(f"{status}:{phase}" if phase else status, since())
        on_poll()
        if status == "finished":
            break
        if status in ("failed", "cancelled"):
            raise PredictionOneError(f"the training {status}: {result.get('message')}")
        if time.monotonic() > deadline:
            raise PredictionOneError(f"the training is still {status} after {timeout_s:g} s: {result}")
        await asyncio.sleep(0.1)
    return {"model_id": result["model_id"], "seconds": since(), "process_id": process_id, "steps": steps}


async def publish(
    session: aiohttp.ClientSession, base: str, secret: str, model_id: int, repository: Path, timeout_s: float = 180.0
) -> dict:
    """POST /classifiers, wait until it runs and its inference URL answers; returns url, api_key, the Triton model."""
    key = {"x-api-key": await api_key(session, base, secret, "deploy")}
    started = time.monotonic()
    async with session.post(f"{base}{PREFIX}/classifiers", json={"model_id": model_id}, headers=key) as response:
        created = await json_answer(response, "create the classifier")
    classifier_id = created["classifier_id"]
    deadline = started + timeout_s
    while True:
        async with session.get(f"{base}{PREFIX}/classifiers/{classifier_id}", headers=key) as response:
            classifier = (await json_answer(response, "read the classifier"))["classifier"]
        if classifier["status"] == "running":
            break
        if classifier["status"] == "failed" or time.monotonic() > deadline:
            raise PredictionOneError(
                f"the classifier stayed {classifier['status']}: {classifier.get('status_message')}"
            )
        await asyncio.sleep(0.2)
    running_s = time.monotonic() - started
    # The gateway's catalog follows the registry's watch stream: wait until it routes the URL.
    body = inference_bodies(1)[0]
    headers = {"x-api-key": created["api_key"], "content-type": "application/json"}
    while True:
        async with session.post(classifier["url"], data=body, headers=headers) as response:
            answer = await response.json(content_type=None)
            if response.status == 200:
                break
        if time.monotonic() > deadline:
            raise PredictionOneError(f"the classifier's URL still answers {response.status} {answer}")
        await asyncio.sleep(0.1)
    names = sorted(path.name for path in repository.glob(f"api_{classifier_id}__*"))
    if not names:
        raise PredictionOneError(f"no Triton model for classifier {classifier_id} in {repository}")
    return {
        "classifier_id": classifier_id,
        "url": classifier["url"],
        "api_key": created["api_key"],
        "triton_model": names[-1],
        "running_s": round(running_s, 2),
        "answering_s": round(time.monotonic() - started, 2),
    }


# --- where the training's time goes ---------------------------------------------------------


class CpuWatch:
    """CPU of Torii's processes by group over a stretch of time, sampled as processes
    come and go (a training job's worker lives only as long as its job), of the machine, and of
    the busiest processes outside Torii (what else ran meanwhile)."""

    def __init__(self, groups: Callable[[], dict[str, list[int]]]) -> None:
        self.groups = groups  # Torii's processes now, by role (bench.run.process_groups)
        self._seen: dict[int, list] = {}  # pid -> [group, CPU seconds at first sight (0 if born later), last]
        self._started = time.monotonic()
        self._machine = load.machine_cpu_seconds()
        self._first = True
        self.sample()
        self._first = False

    def sample(self) -> None:
        groups = {pid: group for group, pids in self.groups().items() for pid in pids}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            pid = int(entry.name)
            cpu = load.cpu_seconds([pid])
            if pid in self._seen:
                self._seen[pid][2] = max(self._seen[pid][2], cpu)
                continue
            group = groups.get(pid)
            if group is None:
                with contextlib.suppress(OSError):
                    group = (
                        "outside: "
                        + (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:80].strip()
                    )
            self._seen[pid] = [group or "outside: ?", cpu if self._first else 0.0, cpu]

    def cores(self) -> dict:
        """Cores used on average since the start: per group, all of Torii, the machine, the rest of it."""
        self.sample()
        elapsed = time.monotonic() - self._started
        busy, steal = load.machine_cpu_seconds()
        totals: dict[str, float] = {}
        outside: dict[str, float] = {}
        for group, first, last in self._seen.values():
            if group.startswith("outside: "):
                outside[group.removeprefix("outside: ")] = (
                    outside.get(group.removeprefix("outside: "), 0.0) + last - first
                )
            else:
                totals[group] = totals.get(group, 0.0) + last - first
        torii = sum(totals.values())
        totals.update(
            torii=torii,
            machine=busy - self._machine[0],
            steal=steal - self._machine[1],
            outside_torii=busy - self._machine[0] - torii,  # this bench's own polling, and anything else running
        )
        result: dict = {group: round(value / elapsed, 3) for group, value in totals.items()}
        busiest = sorted(outside.items(), key=lambda item: -item[1])[:5]
        result["outside_busiest"] = {
            name: round(value / elapsed, 3) for name, value in busiest if value / elapsed >= 0.01
        }
        return result


# --- the load generator's sender (runs in bench.load's worker process) -----------------------


async def sender(point):
    """One aiohttp session; each request the next of INFER_ROWS pre-built one-row bodies, ar=true."""
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    session = aiohttp.ClientSession(connector=connector)
    bodies = inference_bodies()
    headers = {"x-api-key": point.api_key, "content-type": "application/json"}
    async with session.post(point.url, data=bodies[0], headers=headers) as response:
        answer = await response.json(content_type=None)
    names = [item.get("name") for item in answer.get("outputs", [])] if response.status == 200 else []
    if names != ["prediction_valid.csv", "prediction_analysis.csv"]:
        await session.close()
        raise RuntimeError(f"unexpected answer from the classifier: {response.status} {answer}")
    turn = 0

    async def send() -> bool:
        nonlocal turn
        body = bodies[turn % len(bodies)]
        turn += 1
        async with session.post(point.url, data=body, headers=headers) as response:
            await response.read()
            return response.status == 200

    return send, session.close
