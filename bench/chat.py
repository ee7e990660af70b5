"""The chat part of `make bench`: SmolLM2 streamed straight from Triton and through the gateway's SSE route.

The same model, prompts and request in one run: `direct` sends the engine's request_json (built by
the gateway's own parser, so the bytes are those the gateway sends) to the chat model's decoupled
Triton model with tritonclient's gRPC streaming; `gateway` posts the OpenAI body to
/v1/chat/completions with "stream": true and reads the SSE events with aiohttp. Greedy, a fixed
max_tokens, a few fixed prompts cycled; closed loop at 1 and 4 streams from bench.load's worker
process (Runner.call runs `measure` there).

The chat API is published through the management API only for this part and unpublished after it
(bench.run keeps TORII_DEFAULT_CHAT_MODEL off): llama.cpp's threads spin while they wait, so they
would measure themselves into every other point (shared/notes/chat-in-triton.md).

Tokens are the engine's own counts (the last response's completion_tokens, the SSE usage chunk),
never the events, which can hold more than one token or none. A point's tokens are those generated
inside its window: each completion's count spread evenly between its first token and its end, so a
completion that straddles an edge counts for the part inside; TTFT (send to the first non-empty
token) is taken from the completions sent inside the window. The CPU of every other process is
recorded too: on 2 cores another process's CPU is time llama.cpp's spinning threads did not get,
so a point where others used more than OTHERS_WARN_CORES measured its neighbours.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import numpy as np
import orjson

from bench import load

MAX_TOKENS = 64
STREAMS = (1, 4)
PROMPTS = (
    "Explain step by step how a bicycle turns pedalling into motion.",
    "Describe how bread is made, from the flour to the loaf.",
    "Tell a short story about a lighthouse keeper and a storm.",
    "Explain why the sky is blue to a ten-year-old.",
    "List five uses of a paper clip and explain each of them.",
)
OUTPUTS = ("text", "finish_reason", "prompt_tokens", "completion_tokens")
OTHERS_WARN_CORES = 0.05
"""The note's rule (others over ~0.2 s in a ~4 s run: excluded) as cores over the window."""
DIRECT_LABEL, GATEWAY_LABEL = "chat triton", "chat gateway"
TEXT_KEPT = 400  # characters of the check completion's text kept in a row


class ChatBenchError(Exception):
    """The chat API could not be published, called or removed (the message says what)."""


# --- the requests ----------------------------------------------------------------------------


def openai_body(model_id: str, prompt: str, max_tokens: int) -> dict:
    """What an OpenAI client streaming with usage sends: greedy, a fixed completion budget."""
    return {
        "model": model_id,
        "messages": [{"role": "user", "content": prompt}],
        "max_tokens": max_tokens,
        "temperature": 0,
        "stream": True,
        "stream_options": {"include_usage": True},
    }


def engine_body(model_id: str, prompt: str, max_tokens: int) -> bytes:
    """The request_json the gateway sends Triton for openai_body(...): its own parser builds it."""
    from services.gateway.openai_chat.chat_request import parse_chat_request

    return parse_chat_request(openai_body(model_id, prompt, max_tokens), max_completion_cap=max_tokens).engine_body()


# --- publishing through the management API -----------------------------------------------------


@dataclass(frozen=True)
class ChatApi:
    api_id: str
    model_version_id: str
    api_key: str
    model_id: str
    triton_model: str
    url: str  # the gateway's /v1/chat/completions
    publish_s: float  # upload to answering through the gateway


async def _call(session: aiohttp.ClientSession, method: str, url: str, expected: int, what: str, **kwargs) -> dict:
    async with session.request(method, url, **kwargs) as response:
        body = await response.json(content_type=None) if response.status != 204 else {}
        if response.status != expected:
            raise ChatBenchError(f"could not {what}: HTTP {response.status} {body}")
        return body


async def publish(
    session: aiohttp.ClientSession, base: str, admin_token: str, gguf: Path, model_id: str, timeout_s: float = 240.0
) -> ChatApi:
    """Upload the GGUF and publish it as a chat API (as deploy/default_chat.py does); wait until the
    gateway streams from it."""
    from services.policy.triton_names import triton_model_name

    admin = {"Authorization": f"Bearer {admin_token}"}
    started = time.monotonic()
    with open(gguf, "rb") as handle:
        form = aiohttp.FormData()
        form.add_field("name", "bench-chat")
        form.add_field("format", "gguf")
        form.add_field("file", handle, filename=gguf.name, content_type="application/octet-stream")
        uploaded = await _call(
            session, "POST", f"{base}/manage/v1/models", 201, "upload the GGUF", data=form, headers=admin
        )
    version_id = uploaded["version"]["model_version_id"]
    body = {
        "name": "bench-chat",
        "model_version_id": version_id,
        "api_type": "formal",
        "execution_type": "dedicated",
        "instance_kind": "cpu",
        "chat_model_id": model_id,
    }
    created = await _call(
        session, "POST", f"{base}/manage/v1/apis", 201, "publish the chat API", json=body, headers=admin
    )
    api_id = created["api"]["api_id"]
    deadline = started + timeout_s
    while True:
        api = (await _call(session, "GET", f"{base}/manage/v1/apis/{api_id}", 200, "read the chat API", headers=admin))[
            "api"
        ]
        if api["status"] == "running":
            break
        if api["status"] == "failed" or time.monotonic() > deadline:
            raise ChatBenchError(f"the chat API stayed {api['status']}: {api.get('status_message')}")
        await asyncio.sleep(0.2)
    # The gateway's catalog follows the registry's watch stream: wait until it routes the key.
    url = f"{base}/v1/chat/completions"
    probe = {"model": model_id, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1, "temperature": 0}
    key = {"Authorization": f"Bearer {created['api_key']}"}
    while True:
        async with session.post(url, json=probe, headers=key) as response:
            answer = await response.json(content_type=None)
            if response.status == 200:
                break
        if time.monotonic() > deadline:
            raise ChatBenchError(f"the gateway still answers the chat API with {response.status} {answer}")
        await asyncio.sleep(0.2)
    return ChatApi(
        api_id=api_id,
        model_version_id=version_id,
        api_key=created["api_key"],
        model_id=model_id,
        triton_model=triton_model_name(api_id, version_id),
        url=url,
        publish_s=round(time.monotonic() - started, 2),
    )


async def unpublish(
    session: aiohttp.ClientSession,
    base: str,
    admin_token: str,
    api: ChatApi,
    triton_address: str,
    triton_headers: dict[str, str],
    timeout_s: float = 90.0,
) -> float:
    """Stop and delete the chat API, then wait until Triton no longer serves its model and no
    process runs it (its Python-backend stub, and with it llama.cpp's threads). Returns the seconds."""
    from tritonclient.grpc.aio import InferenceServerClient

    admin = {"Authorization": f"Bearer {admin_token}"}
    started = time.monotonic()
    path = f"{base}/manage/v1/apis/{api.api_id}"
    await _call(session, "POST", f"{path}/stop", 200, "stop the chat API", headers=admin)
    await _call(session, "DELETE", path, 204, "delete the chat API", headers=admin)
    client = InferenceServerClient(triton_address)
    try:
        while True:
            ready = await _ready(client, api.triton_model, triton_headers)
            running = model_processes(api.triton_model)
            if not ready and not running:
                break
            if time.monotonic() - started > timeout_s:
                raise ChatBenchError(
                    f"{api.triton_model} still {'ready in Triton' if ready else 'unloading'} {timeout_s:g} s after "
                    f"its API was deleted (processes: {running})"
                )
            await asyncio.sleep(0.2)
    finally:
        await client.close()
    return round(time.monotonic() - started, 2)


async def _ready(client, name: str, headers: dict[str, str]) -> bool:
    try:
        return bool(await client.is_model_ready(name, headers=headers))
    except Exception:  # noqa: BLE001 - tritonclient raises for a model it no longer knows
        return False


def model_processes(triton_model: str) -> list[int]:
    """The processes whose command line names the Triton model (its Python-backend stub)."""
    needle = triton_model.encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if needle in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


# --- one point, in the worker process ----------------------------------------------------------


@dataclass(frozen=True)
class ChatPoint:
    target: str  # "direct" or "gateway"
    concurrency: int
    seconds: float
    warmup_s: float
    triton_address: str
    triton_model: str
    model_id: str
    url: str
    api_key: str
    max_tokens: int = MAX_TOKENS
    label: str = ""
    pids: dict[str, list[int]] = field(default_factory=dict)  # process groups whose CPU time is measured
    triton_headers: dict[str, str] = field(default_factory=dict)
    prompts: tuple[str, ...] = PROMPTS


@dataclass(frozen=True)
class Completion:
    first_token: float | None  # perf_counter when the first non-empty text arrived
    ended: float  # perf_counter when the last answer arrived (Triton's final response, the SSE [DONE])
    tokens: int  # the engine's completion_tokens
    text: str


Complete = Callable[..., Awaitable[Completion]]
"""complete(turn, keep_text=False): one streamed completion of PROMPTS[turn % len(PROMPTS)]."""


def measure(point: dict) -> dict:
    """Entry point for the worker process: one chat point, returned as a plain dict."""
    spec = ChatPoint(**{**point, "prompts": tuple(point.get("prompts", PROMPTS))})
    try:
        return asyncio.run(_measure(spec))
    except Exception as error:  # tritonclient's exceptions do not survive pickling back to the driver
        raise RuntimeError(f"{spec.label} c{spec.concurrency}: {type(error).__name__}: {error}") from None


async def _measure(point: ChatPoint) -> dict:
    opener = _direct if point.target == "direct" else _gateway
    complete, close = await opener(point)
    try:
        check = await complete(0, keep_text=True)  # also what the table's text check compares
        if check.first_token is None or check.tokens < 1:
            raise RuntimeError(f"the first completion streamed no token: {check}")
        # Every prompt once, alone and in full, before each point. Without it the first cycle of
        # prompts after a point starts had ~110 ms TTFT instead of ~20 (llama.cpp's slots and
        # prompt cache settling; one-token completions did not settle them), which landed in
        # the p99 of whichever point came first, or in its p50 with a short warm-up.
        for turn in range(1, len(point.prompts)):
            await complete(turn)
        row = await _drive(point, complete)
    finally:
        await close()
    row["sample_text"] = check.text[:TEXT_KEPT]
    return row


async def _direct(point: ChatPoint) -> tuple[Complete, Callable[[], Awaitable[None]]]:
    from tritonclient.grpc import InferInput, InferRequestedOutput
    from tritonclient.grpc.aio import InferenceServerClient

    client = InferenceServerClient(point.triton_address)
    tensors = []
    for prompt in point.prompts:
        tensor = InferInput("request_json", [1], "BYTES")
        tensor.set_data_from_numpy(np.array([engine_body(point.model_id, prompt, point.max_tokens)], dtype=np.object_))
        tensors.append(tensor)
    outputs = [InferRequestedOutput(name) for name in OUTPUTS]
    # Without it a decoupled model's last, flags-only answer never reaches the client.
    parameters = {"triton_enable_empty_final_response": True}
    clock = time.perf_counter

    async def complete(turn: int, keep_text: bool = False) -> Completion:
        request = {
            "model_name": point.triton_model,
            "inputs": [tensors[turn % len(tensors)]],
            "outputs": outputs,
            "parameters": parameters,
        }

        async def requests():
            yield request

        first: float | None = None
        ended: float | None = None
        tokens = 0
        texts: list[str] = []
        # Read on past the final response to the call's end: a call dropped before its status
        # arrived is cancelled when collected (grpc.aio), which is not what an ordinary client does.
        async for result, error in client.stream_infer(requests(), headers=point.triton_headers):
            if error is not None:
                raise RuntimeError(f"Triton: {error}")
            response = result.get_response()
            if response.outputs:
                text = result.as_numpy("text")[0]
                if text and first is None:
                    first = clock()
                tokens = int(result.as_numpy("completion_tokens")[0])
                if keep_text:
                    texts.append(text.decode("utf-8", errors="replace"))
            if response.parameters["triton_final_response"].bool_param:
                ended = clock()
        if ended is None:
            raise RuntimeError("the stream ended without Triton's final response")
        return Completion(first, ended, tokens, "".join(texts))

    return complete, client.close


async def _gateway(point: ChatPoint) -> tuple[Complete, Callable[[], Awaitable[None]]]:
    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    session = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=None, sock_read=300))
    bodies = [orjson.dumps(openai_body(point.model_id, prompt, point.max_tokens)) for prompt in point.prompts]
    headers = {"Authorization": f"Bearer {point.api_key}", "content-type": "application/json"}
    clock = time.perf_counter

    async def complete(turn: int, keep_text: bool = False) -> Completion:
        first: float | None = None
        ended: float | None = None
        tokens: int | None = None
        texts: list[str] = []
        async with session.post(point.url, data=bodies[turn % len(bodies)], headers=headers) as response:
            if response.status != 200:
                raise RuntimeError(f"HTTP {response.status}: {(await response.read())[:300]!r}")
            # Read to the end (past [DONE]) so the connection goes back to the pool.
            async for line in response.content:
                if not line.startswith(b"data: "):
                    continue
                data = line[6:].strip()
                if data == b"[DONE]":
                    ended = clock()
                    continue
                event = orjson.loads(data)
                if "error" in event:
                    raise RuntimeError(f"the stream ended with an error: {event['error']}")
                choices = event.get("choices")
                if choices:
                    text = choices[0].get("delta", {}).get("content")
                    if text:
                        if first is None:
                            first = clock()
                        if keep_text:
                            texts.append(text)
                usage = event.get("usage")
                if usage:
                    tokens = int(usage["completion_tokens"])
        if tokens is None or ended is None:
            raise RuntimeError("the stream had no usage chunk or no [DONE]")
        return Completion(first, ended, tokens, "".join(texts))

    return complete, session.close


async def _drive(point: ChatPoint, complete: Complete) -> dict:
    clock = time.perf_counter
    window_start = clock() + point.warmup_s
    window_end = window_start + point.seconds
    done: list[tuple[float, float, float, int]] = []  # sent, first token, end, tokens
    failures: list[str] = []
    cpu_marks: dict[str, dict[str, float]] = {}
    pid_marks: dict[str, dict[int, tuple[float, str]]] = {}

    async def stream(index: int) -> None:
        turn = index
        while True:
            sent = clock()
            if sent >= window_end:
                return
            try:
                completion = await complete(turn)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - counted; a broken target shows as failures
                failures.append(f"{type(error).__name__}: {error}")
                await asyncio.sleep(0.1)  # a target refusing at once must not spin the client
            else:
                ended = completion.ended
                done.append((sent, completion.first_token or ended, ended, completion.tokens))
            turn += point.concurrency

    async def mark(name: str, at: float) -> None:
        await asyncio.sleep(max(0.0, at - clock()))
        pid_marks[name] = _cpu_by_pid()
        cpu = {group: load.cpu_seconds(pids) for group, pids in point.pids.items()}
        usage = resource.getrusage(resource.RUSAGE_SELF)
        cpu["client"] = usage.ru_utime + usage.ru_stime
        cpu["machine"], cpu["steal"] = load.machine_cpu_seconds()
        cpu_marks[name] = cpu

    await asyncio.gather(
        *(stream(index) for index in range(point.concurrency)),
        mark("start", window_start),
        mark("end", window_end),
    )
    tokens = sum(tokens_inside(first, ended, count, window_start, window_end) for _, first, ended, count in done)
    ttft = np.sort(
        np.asarray([first - sent for sent, first, _, _ in done if window_start <= sent < window_end]) * 1000.0
    )
    cores = {
        group: (cpu_marks["end"][group] - cpu_marks["start"][group]) / point.seconds for group in cpu_marks["start"]
    }
    driven = {"client", "triton", *(["gateway"] if point.target == "gateway" else [])}
    # Everything the point does not drive: Torii's idle services, this bench's driver, anything else.
    cores["others"] = max(0.0, cores["machine"] - sum(cores.get(group, 0.0) for group in driven))
    measured_pids = {os.getpid(), *(pid for group in driven for pid in point.pids.get(group, []))}
    in_window = [count for _, _, ended, count in done if window_start <= ended < window_end]
    return {
        "target": point.target,
        "label": point.label,
        "concurrency": point.concurrency,
        "model_name": point.triton_model,
        "seconds": point.seconds,
        "max_tokens": point.max_tokens,
        "completions": len(in_window),
        "failed": len(failures),
        "first_failure": failures[0] if failures else None,
        "tokens": round(tokens, 1),
        "tokens_per_s": round(tokens / point.seconds, 2),
        "tokens_per_completion": round(float(np.mean(in_window)), 1) if in_window else None,
        "ttft_p50_ms": round(float(np.percentile(ttft, 50)), 2) if ttft.size else None,
        "ttft_p99_ms": round(float(np.percentile(ttft, 99)), 2) if ttft.size else None,
        "ttft_samples": int(ttft.size),
        "cpu_cores": {group: round(value, 3) for group, value in cores.items()},
        "others_cpu_s": round(cores["others"] * point.seconds, 3),
        "others_busiest": _busiest(pid_marks["start"], pid_marks["end"], measured_pids, point.pids, point.seconds),
    }


def tokens_inside(first: float, ended: float, tokens: int, start: float, end: float) -> float:
    """The completion's tokens generated in [start, end), spread evenly between its first token and its end."""
    if ended <= first:
        return float(tokens) if start <= first < end else 0.0
    overlap = min(ended, end) - max(first, start)
    return tokens * max(0.0, overlap) / (ended - first)


def _cpu_by_pid() -> dict[int, tuple[float, str]]:
    """Every process's CPU seconds so far, and the start of its command line."""
    seen = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        pid = int(entry.name)
        with contextlib.suppress(OSError):
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            if not command:  # a kernel thread
                command = f"[{(entry / 'comm').read_text().strip()}]"
            seen[pid] = (load.cpu_seconds([pid]), command[:80])
    return seen


def _busiest(
    start: dict[int, tuple[float, str]],
    end: dict[int, tuple[float, str]],
    measured: set[int],
    groups: dict[str, list[int]],
    seconds: float,
    top: int = 5,
) -> dict[str, float]:
    """Cores of the busiest processes the point does not drive; Torii's own by their group's name."""
    role = {pid: f"torii {group}" for group, pids in groups.items() for pid in pids}
    used: dict[str, float] = {}
    for pid, (cpu, command) in end.items():
        if pid in measured:
            continue
        name = role.get(pid, command)
        used[name] = used.get(name, 0.0) + cpu - start.get(pid, (0.0, ""))[0]
    busiest = sorted(used.items(), key=lambda item: -item[1])[:top]
    return {name: round(value / seconds, 3) for name, value in busiest if value / seconds >= 0.005}


# --- reporting -------------------------------------------------------------------------------

HEADER = (
    f"{'target':<22} {'conc':>4} {'tok/s':>7} {'ttft p50':>8} {'ttft p99':>8} {'compl':>5} {'tok/c':>5} "
    f"{'fail':>4}  {'cores: client':>13} {'gateway':>7} {'triton':>6} {'others':>6} {'all':>5}"
)


def _fmt(value: float | None, spec: str) -> str:
    return format(value, spec) if value is not None else format("-", spec.split(".")[0])


def row_line(row: dict) -> str:
    cores = row["cpu_cores"]
    return (
        f"{row['label']:<22} {row['concurrency']:>4} {row['tokens_per_s']:>7.1f} {_fmt(row['ttft_p50_ms'], '>8.1f')} "
        f"{_fmt(row['ttft_p99_ms'], '>8.1f')} {row['completions']:>5} {_fmt(row['tokens_per_completion'], '>5.0f')} "
        f"{row['failed']:>4}  {cores.get('client', 0):>13.2f} {cores.get('gateway', 0):>7.2f} "
        f"{cores.get('triton', 0):>6.2f} {cores['others']:>6.2f} {cores.get('machine', 0):>5.2f}"
    )


def warning(row: dict) -> str | None:
    """A line when processes the point does not drive used more than OTHERS_WARN_CORES."""
    if row["cpu_cores"]["others"] <= OTHERS_WARN_CORES:
        return None
    busiest = "; ".join(f"{cores:.2f} {name}" for name, cores in row["others_busiest"].items()) or "not one process"
    return (
        f"  warning: other processes used {row['others_cpu_s']:.2f} s CPU ({row['cpu_cores']['others']:.2f} cores) "
        f"during {row['label']} c{row['concurrency']}; llama.cpp's threads spin, so this figure measured its "
        f"neighbours too (busiest: {busiest})"
    )
