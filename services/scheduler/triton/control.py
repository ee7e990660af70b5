"""Triton's model-control and health calls, with Triton's errors turned into ours.

A thin layer over `tritonclient.grpc.aio` so the reconciler deals in model names, booleans and
`ModelLoadError`s, and every call has a deadline: a wedged Triton must not wedge the scheduler.
"""

from __future__ import annotations

import asyncio
import time

import grpc
from tritonclient.grpc.aio import InferenceServerClient
from tritonclient.utils import InferenceServerException

_UNLOAD_POLL_S = 0.05
_BUSY_STATES = frozenset({"READY", "LOADING", "UNLOADING"})


class ModelLoadError(Exception):
    """Triton refused or failed to load a model; `message` is Triton's own text.

    `code` (INTERNAL, DEADLINE_EXCEEDED, UNAVAILABLE, ...) tells a broken model from an
    unreachable or slow server; None when the failure carried no gRPC status.
    """

    def __init__(self, message: str, code: grpc.StatusCode | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class TritonControl:
    def __init__(self, address: str, headers: dict[str, str]) -> None:
        """headers: what Triton's restricted protocols ask for (service_auth.triton_headers)."""
        self.address = address
        self._client = InferenceServerClient(address)
        self._headers = headers

    async def load(self, name: str, timeout_s: float = 300.0) -> None:
        """Load (or reload) `name` from the repository; returns once it is ready.

        A failed reload leaves the version already loaded serving (measured on 2.51). A
        config.pbtxt Triton cannot accept fails with only "failed to poll from model
        repository"; the reason is in Triton's log.
        """
        try:
            await self._client.load_model(name, client_timeout=timeout_s, headers=self._headers)
        except InferenceServerException as exc:
            raise ModelLoadError(exc.message() or str(exc), _status_code(exc)) from None

    async def unload(self, name: str, timeout_s: float = 60.0) -> None:
        """Unload `name` and wait until Triton has let go of it; an unknown name is no error.

        Triton answers the unload call as soon as the unload has begun; the model's instances
        (for the Python backend, stub processes) go away after that, so poll the index.
        """
        deadline = time.monotonic() + timeout_s
        try:
            await self._client.unload_model(name, client_timeout=timeout_s, headers=self._headers)
        except InferenceServerException as exc:
            if _is_not_found(exc):
                return
            raise
        while await self._busy(name, max(0.1, deadline - time.monotonic())):
            if time.monotonic() > deadline:
                raise TimeoutError(f"model {name!r} still unloading after {timeout_s:g} s")
            await asyncio.sleep(_UNLOAD_POLL_S)

    async def is_model_ready(self, name: str, timeout_s: float = 5.0) -> bool:
        try:
            return bool(await self._client.is_model_ready(name, client_timeout=timeout_s, headers=self._headers))
        except InferenceServerException as exc:
            if _is_not_found(exc):
                return False
            raise

    async def is_server_ready(self, timeout_s: float = 2.0) -> bool:
        """Never raises: any failure to get an answer means not ready."""
        try:
            return bool(await self._client.is_server_ready(client_timeout=timeout_s, headers=self._headers))
        except Exception:
            return False

    async def loaded_models(self, timeout_s: float = 5.0) -> set[str]:
        """Names with a version in state READY."""
        return {m["name"] for m in await self._index(timeout_s) if m.get("state") == "READY"}

    async def inference_statistics(self, name: str, timeout_s: float = 5.0) -> tuple[int, int]:
        """(inference_count, execution_count) summed over versions; their ratio is the mean batch."""
        stats = await self._client.get_inference_statistics(
            name, as_json=True, client_timeout=timeout_s, headers=self._headers
        )
        inferences = executions = 0
        for version in stats.get("model_stats", []):
            # uint64 fields arrive as JSON strings and are omitted when zero.
            inferences += int(version.get("inference_count", 0))
            executions += int(version.get("execution_count", 0))
        return inferences, executions

    async def close(self) -> None:
        await self._client.close()

    async def _index(self, timeout_s: float) -> list[dict]:
        index = await self._client.get_model_repository_index(
            as_json=True, client_timeout=timeout_s, headers=self._headers
        )
        return index.get("models", [])

    async def _busy(self, name: str, timeout_s: float) -> bool:
        """Whether some version of `name` is still READY, LOADING or UNLOADING."""
        return any(m.get("name") == name and m.get("state") in _BUSY_STATES for m in await self._index(timeout_s))


def _status_code(exc: InferenceServerException) -> grpc.StatusCode | None:
    """The gRPC status code of a failed call: tritonclient keeps only its text, str(code)."""
    return grpc.StatusCode.__members__.get((exc.status() or "").removeprefix("StatusCode."))


def _is_not_found(exc: InferenceServerException) -> bool:
    if _status_code(exc) is grpc.StatusCode.NOT_FOUND:
        return True
    # Older Tritons answer a call about an unknown model with UNAVAILABLE, which a server that is
    # down answers too; only the text ("Request for unknown model: 'x' is not found") tells them
    # apart, and Triton's own client examples match it the same way.
    text = (exc.message() or "").lower()
    return "not found" in text or "unknown model" in text
