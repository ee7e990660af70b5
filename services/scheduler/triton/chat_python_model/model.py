"""Triton Python-backend model for chat: runs `<model dir>/<version>/model.gguf` with llama.cpp (xllamacpp).

The interface (input `request_json`, outputs `text`, `finish_reason`, `prompt_tokens`,
`completion_tokens`, the `<code>: <message>` errors and the parameters) is the one the gateway's
serving/chat_engine.py speaks; the measurements quoted here are in shared/notes/chat-in-triton.md.

Decoupled: a request gets one response per token chunk as llama.cpp produces it, then a last one
(COMPLETE_FINAL) with the finish reason and the final counts, so the gateway can stream tokens to
its client instead of waiting for the whole answer.

One thread per request: `execute` starts a thread and returns at once. `handle_chat_completions`
blocks its caller until the answer is complete (releasing the GIL meanwhile); called inside
`execute`, even an `async def execute`, it serialised the streams (4 streams: TTFT 0.14 s, 1.9 s,
3.8 s, 5.7 s), while a thread each let llama.cpp's slots run them together (4 streams, 93-139
tokens/s in all, like xllamacpp called directly). A semaphore of `slots` lets no more than that
many threads into llama.cpp, so llama.cpp never queues on its own; up to `max_queue` more wait for
the semaphore, and past that a request is refused at once with `queue_full`. Concurrency comes
from the slots, not from instances: a second instance doubles llama.cpp's spinning threads
(2 instances x 2 threads on 2 cores: 17-29 tokens/s in all).

llama.cpp's own HTTP server: xllamacpp's Server also listens on a random 127.0.0.1 port with no
authentication, a way around Triton's access restriction and the slot limit for any local process.
It is given a random API key that nobody knows, so it refuses every call (401, measured); calls
made here go straight to llama.cpp, not through that server, and need no key.

Seeds: clients may send a 64-bit seed; llama.cpp takes a 32-bit unsigned one, so it is reduced
modulo 2**32 (2**32 - 1 is llama.cpp's "random seed" value).

This file is copied into each model's version folder and runs in Triton's stub, outside the
Torii package, with the scheduler's virtual environment (numpy < 2, see onnx_python_model/model.py):
it imports only the standard library, numpy, xllamacpp and the backend utils.
"""

import json
import math
import os
import secrets
import threading

import numpy as np
import triton_python_backend_utils as pb_utils
import xllamacpp

ARTIFACT_FILE = "model.gguf"
ROLES = frozenset({"system", "user", "assistant"})
NUMBER_FIELDS = ("temperature", "top_p", "presence_penalty", "frequency_penalty")
FIELDS = frozenset({"messages", "max_tokens", "stop", "seed", *NUMBER_FIELDS})
MAX_STOP_SEQUENCES = 4
SEED_MODULUS = 2**32
# How often a request waiting for a slot checks whether it was cancelled or the model unloads.
_QUEUE_POLL_S = 0.1
# How long finalize() waits for the requests still running to stop.
_FINALIZE_WAIT_S = 30.0


class Refusal(Exception):
    """A request this model answers with the error `<code>: <message>`."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")


class TritonPythonModel:
    def initialize(self, args):
        config = json.loads(args["model_config"])
        parameters = {key: value["string_value"] for key, value in config.get("parameters", {}).items()}
        self._slots = _positive(parameters, "slots")
        threads = _positive(parameters, "threads")
        self._context_per_slot = _positive(parameters, "context_per_slot")
        self._max_queue = int(parameters.get("max_queue", "0"))
        if self._max_queue < 0:
            raise ValueError("parameter max_queue must be 0 or more")

        params = xllamacpp.CommonParams()
        params.model.path = os.path.join(args["model_repository"], args["model_version"], ARTIFACT_FILE)
        params.n_parallel = self._slots
        params.n_ctx = self._slots * self._context_per_slot  # llama.cpp splits it evenly between the slots
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.api_keys = [secrets.token_urlsafe(32)]  # shuts llama.cpp's own HTTP server (module docstring)
        self._server = xllamacpp.Server(params)

        self._lock = threading.Lock()
        self._slot_semaphore = threading.Semaphore(self._slots)
        self._threads = set()  # guarded by _lock; a request counts as in flight while its thread lives
        self._stopping = threading.Event()

    def execute(self, requests):
        for request in requests:
            sender = request.get_response_sender()
            with self._lock:
                if len(self._threads) >= self._slots + self._max_queue:
                    thread = None
                else:
                    thread = threading.Thread(target=self._serve, args=(request, sender), daemon=True)
                    self._threads.add(thread)
            if thread is None:
                in_flight = self._slots + self._max_queue
                _send_error(sender, Refusal("queue_full", f"{in_flight} requests are already running or waiting"))
            else:
                thread.start()
        return None  # decoupled: every answer goes through the request's response sender

    def finalize(self):
        # Generation stops at the next token (the callback sees _stopping), waiting requests give
        # up; then the Server is dropped, whose destructor stops llama.cpp's loop and frees the model.
        self._stopping.set()
        with self._lock:
            running = list(self._threads)
        for thread in running:
            thread.join(_FINALIZE_WAIT_S / max(len(running), 1))
        self._server = None

    def _serve(self, request, sender):
        try:
            try:
                body, max_tokens = _engine_body(request)
            except Refusal as refusal:
                _send_error(sender, refusal)
                return
            if not self._wait_for_slot(request):
                if self._stopping.is_set():
                    _send_error(sender, Refusal("engine_error", "the model is being unloaded"))
                else:
                    _send(sender, _Generation(), final=True)  # cancelled while waiting: nothing generated
                return
            try:
                self._generate(request, sender, body, max_tokens)
            finally:
                self._slot_semaphore.release()
        except Exception as exc:  # a bug or a stub failure: the request must still end
            pb_utils.Logger.log_error(f"chat model: {type(exc).__name__}: {exc}")
            _send_error(sender, Refusal("engine_error", f"{type(exc).__name__}: {exc}"))
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())

    def _wait_for_slot(self, request):
        """True once a slot is ours; False when the request was cancelled or the model unloads first."""
        while not self._slot_semaphore.acquire(timeout=_QUEUE_POLL_S):
            if self._stopping.is_set() or request.is_cancelled():
                return False
        if self._stopping.is_set():
            self._slot_semaphore.release()
            return False
        return True

    def _generate(self, request, sender, body, max_tokens):
        state = _Generation()

        def on_chunk(chunk):
            try:
                return self._on_chunk(request, sender, state, chunk, max_tokens)
            except Exception as exc:  # raised here it would be lost inside llama.cpp's loop
                state.refusal = Refusal("engine_error", f"{type(exc).__name__}: {exc}")
                return True

        try:
            returned = self._server.handle_chat_completions(body, on_chunk)
        except ValueError as exc:  # llama.cpp's own checks of the request's shape
            state.refusal = state.refusal or Refusal("invalid_request", str(exc))
        else:
            if isinstance(returned, dict) and "error" in returned:
                state.refusal = state.refusal or _engine_refusal(returned["error"])
        if state.refusal is not None:
            _send_error(sender, state.refusal)
        elif self._stopping.is_set() and not state.finish_reason:
            _send_error(sender, Refusal("engine_error", "the model is being unloaded"))
        elif state.cancelled:
            _send(sender, state, final=True)  # with the counts so far and no finish reason
        elif not state.finish_reason:
            _send_error(sender, Refusal("engine_error", "llama.cpp ended the answer without a finish reason"))
        else:
            _send(sender, state, final=True)

    def _on_chunk(self, request, sender, state, chunk, max_tokens):
        """Handle one of llama.cpp's streamed chunks; True stops the generation."""
        if self._stopping.is_set():
            return True
        if request.is_cancelled():
            state.cancelled = True
            return True
        if "error" in chunk:
            state.refusal = _engine_refusal(chunk["error"])
            return True
        timings = chunk.get("timings")
        if timings:
            state.prompt_tokens = int(timings.get("cache_n", 0)) + int(timings.get("prompt_n", 0))
            state.completion_tokens = int(timings.get("predicted_n", 0))
            if not state.checked_context:
                state.checked_context = True
                # llama.cpp would cut the answer short at the context's end; the gateway promised
                # max_tokens, so the request is refused as soon as the prompt's size is known.
                if max_tokens is not None and state.prompt_tokens + max_tokens > self._context_per_slot:
                    state.refusal = Refusal(
                        "context_length_exceeded",
                        f"the prompt's {state.prompt_tokens} tokens and max_tokens {max_tokens} exceed the "
                        f"model's context of {self._context_per_slot} tokens",
                    )
                    return True
        choices = chunk.get("choices") or []
        if not choices:
            return False
        choice = choices[0]
        text = (choice.get("delta") or {}).get("content") or ""
        if choice.get("finish_reason"):
            state.finish_reason = choice["finish_reason"]
            state.text = text  # sent with the final response
            return False
        if timings is None and not text:
            return False  # the opening chunk: only the assistant role, no token yet
        state.text = text
        _send(sender, state, final=False)
        return False


class _Generation:
    """What one request has produced so far."""

    def __init__(self):
        self.text = ""
        self.finish_reason = ""
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.checked_context = False
        self.cancelled = False
        self.refusal = None


def _positive(parameters, name):
    value = int(parameters.get(name, "0"))
    if value < 1:
        raise ValueError(f"parameter {name} must be a positive integer, got {parameters.get(name)!r}")
    return value


def _engine_body(request):
    """(the body for llama.cpp, max_tokens or None) from the request's `request_json`; Refusal otherwise."""
    tensor = pb_utils.get_input_tensor_by_name(request, "request_json")
    if tensor is None:
        raise Refusal("invalid_request", "the input request_json is missing")
    values = tensor.as_numpy().ravel()
    if values.size != 1:
        raise Refusal("invalid_request", f"request_json must hold one JSON object, got {values.size} values")
    raw = values[0]
    try:
        body = json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise Refusal("invalid_request", f"request_json is not JSON: {exc}") from None
    _check_body(body)
    engine = {key: body[key] for key in FIELDS if key in body}
    if "seed" in engine:
        engine["seed"] = engine["seed"] % SEED_MODULUS
    engine["stream"] = True
    engine["timings_per_token"] = True  # the counts of every chunk come from these timings
    return engine, body.get("max_tokens")


def _check_body(body):
    if not isinstance(body, dict):
        raise Refusal("invalid_request", "request_json must be a JSON object")
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise Refusal("invalid_request", f"unknown fields {unknown}")
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise Refusal("invalid_request", "messages must be a non-empty array")
    for index, message in enumerate(messages):
        if (
            not isinstance(message, dict)
            or set(message) != {"role", "content"}
            or message["role"] not in ROLES
            or not isinstance(message["content"], str)
        ):
            raise Refusal("invalid_request", f"messages[{index}] must be {{role: system|user|assistant, content: str}}")
    if "max_tokens" in body and not (_is_integer(body["max_tokens"]) and body["max_tokens"] >= 1):
        raise Refusal("invalid_request", "max_tokens must be an integer of at least 1")
    if "seed" in body and not _is_integer(body["seed"]):
        raise Refusal("invalid_request", "seed must be an integer")
    for name in NUMBER_FIELDS:
        value = body.get(name, 0)
        if not (_is_integer(value) or isinstance(value, float)) or not math.isfinite(value):
            raise Refusal("invalid_request", f"{name} must be a number")
    stop = body.get("stop", [])
    if not isinstance(stop, list) or len(stop) > MAX_STOP_SEQUENCES or not all(isinstance(s, str) for s in stop):
        raise Refusal("invalid_request", f"stop must be an array of at most {MAX_STOP_SEQUENCES} strings")


def _is_integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _engine_refusal(error):
    """The Refusal for one of llama.cpp's error objects ({"code", "message", "type", ...})."""
    if not isinstance(error, dict):
        return Refusal("engine_error", str(error))
    message = str(error.get("message", "llama.cpp refused the request"))
    if error.get("type") == "exceed_context_size_error":
        return Refusal(
            "context_length_exceeded",
            f"the prompt's {error.get('n_prompt_tokens')} tokens do not fit the model's context of "
            f"{error.get('n_ctx')} tokens",
        )
    code = error.get("code")
    if isinstance(code, int) and 400 <= code < 500:
        return Refusal("invalid_request", message)
    return Refusal("engine_error", message)


def _send(sender, state, final):
    tensors = [
        pb_utils.Tensor("text", np.array([state.text.encode("utf-8")], dtype=np.object_)),
        pb_utils.Tensor("finish_reason", np.array([state.finish_reason.encode("utf-8")], dtype=np.object_)),
        pb_utils.Tensor("prompt_tokens", np.array([state.prompt_tokens], dtype=np.int32)),
        pb_utils.Tensor("completion_tokens", np.array([state.completion_tokens], dtype=np.int32)),
    ]
    flags = pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL if final else 0
    sender.send(pb_utils.InferenceResponse(output_tensors=tensors), flags=flags)


def _send_error(sender, refusal):
    response = pb_utils.InferenceResponse(output_tensors=[], error=pb_utils.TritonError(str(refusal)))
    try:
        sender.send(response, flags=pb_utils.TRITONSERVER_RESPONSE_COMPLETE_FINAL)
    except Exception as exc:  # the final response was already sent: nothing more can reach the client
        pb_utils.Logger.log_error(f"chat model: could not send {refusal}: {exc}")
