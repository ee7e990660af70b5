"""The gateway's clients to Triton: one tritonclient.grpc.aio client per address, used in turn.

Tensors go straight from the decoded request to Triton; the request id travels with them as
Triton's request id and as an x-request-id header, so Triton's log and ours share it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from tritonclient.grpc import InferInput, InferRequestedOutput
from tritonclient.grpc.aio import InferenceServerClient
from tritonclient.utils import InferenceServerException

from services.runtime.logging import REQUEST_ID_HEADER
from torii.v1 import models_pb2

__all__ = ["InferenceServerException", "TritonPool"]

_MAX_REMEMBERED_MODELS = 4096


def triton_datatype(data_type: int) -> str:
    """Triton's wire name of a registry DataType: FP32 stays FP32, STRING travels as BYTES."""
    name = models_pb2.DataType.Name(data_type).removeprefix("DATA_TYPE_")
    return "BYTES" if name == "STRING" else name


class TritonPool:
    def __init__(self, addresses: Sequence[str], headers: dict[str, str]) -> None:
        """headers: what Triton's restricted protocols ask for (service_auth.triton_headers)."""
        self._clients = [InferenceServerClient(address) for address in addresses]
        self._headers = headers
        self._turn = itertools.cycle(self._clients)
        self._max_batch_sizes: dict[str, int] = {}

    async def max_batch_size(self, model_name: str, *, timeout_s: float) -> int:
        """The most rows one request to the model may hold (0: it does not batch), from its
        config; asked once per model name (a name is one model version, whose config is fixed)."""
        size = self._max_batch_sizes.get(model_name)
        if size is None:
            answer = await next(self._turn).get_model_config(
                model_name, as_json=True, client_timeout=timeout_s, headers=self._headers
            )
            size = int(answer["config"].get("max_batch_size", 0))
            if len(self._max_batch_sizes) >= _MAX_REMEMBERED_MODELS:
                self._max_batch_sizes.clear()
            self._max_batch_sizes[model_name] = size
        return size

    async def infer(
        self,
        model_name: str,
        inputs: dict[str, np.ndarray],
        signature: models_pb2.Signature,
        *,
        request_id: str,
        timeout_s: float,
        outputs: Sequence[str] | None = None,
    ) -> dict[str, np.ndarray]:
        """Run the model; `outputs` names the outputs wanted (default: every output of the signature)."""
        tensors = []
        for spec in signature.inputs:
            array = inputs[spec.name]
            tensor = InferInput(spec.name, list(array.shape), triton_datatype(spec.data_type))
            tensor.set_data_from_numpy(array)
            tensors.append(tensor)
        names = [spec.name for spec in signature.outputs] if outputs is None else list(outputs)
        wanted = [InferRequestedOutput(name) for name in names]
        result = await next(self._turn).infer(
            model_name,
            tensors,
            outputs=wanted,
            request_id=request_id,
            headers={**self._headers, REQUEST_ID_HEADER: request_id},
            client_timeout=timeout_s,
        )
        return {name: result.as_numpy(name) for name in names}

    async def close(self) -> None:
        for client in self._clients:
            await client.close()
