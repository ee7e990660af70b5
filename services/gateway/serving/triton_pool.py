"""The gateway's calls to Triton: one gRPC channel per address, used in turn, through Triton's
generated stub.

Tensors go straight from the decoded request into one ModelInferRequest, as raw bytes, and the
outputs come back as views of the response's raw bytes. tritonclient's aio client does the
same work through several wrapper objects per tensor, on the hot path of every inference. The
request id travels as Triton's request id and as an x-request-id header, so Triton's log and
ours share it.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass

import grpc
import numpy as np
from tritonclient.grpc import service_pb2, service_pb2_grpc
from tritonclient.utils import deserialize_bytes_tensor, serialize_byte_tensor, triton_to_np_dtype

from services.gateway.serving.chat_engine import ChatExchange, EngineChunk, generate
from services.gateway.serving.derived_once import DerivedOnce
from services.runtime.logging import REQUEST_ID_HEADER
from torii.v1 import models_pb2

_MAX_REMEMBERED_MODELS = 4096
# As tritonclient's own channels: the gateway bounds what it sends (max_inference_bytes), and an
# answer is as large as the model makes it.
_UNBOUNDED = 2**31 - 1
_CHANNEL_OPTIONS = [("grpc.max_receive_message_length", _UNBOUNDED), ("grpc.max_send_message_length", _UNBOUNDED)]


class TritonFailure(Exception):
    """Triton refused or did not answer a call."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message


@functools.cache
def triton_datatype(data_type: int) -> str:
    """Triton's wire name of a registry DataType: FP32 stays FP32, STRING travels as BYTES.
    Cached: the enum has a handful of values, and every inference asks."""
    name = models_pb2.DataType.Name(data_type).removeprefix("DATA_TYPE_")
    return "BYTES" if name == "STRING" else name


class TritonPool:
    def __init__(self, addresses: Sequence[str], headers: dict[str, str]) -> None:
        """headers: what Triton's restricted protocols ask for (service_auth.triton_headers)."""
        self._channels = [grpc.aio.insecure_channel(address, options=_CHANNEL_OPTIONS) for address in addresses]
        self._stubs = itertools.cycle(service_pb2_grpc.GRPCInferenceServiceStub(c) for c in self._channels)
        self._headers = tuple(headers.items())
        self._max_batch_sizes: dict[str, int] = {}

    def known_max_batch_size(self, model_name: str) -> int | None:
        """max_batch_size's answer when it is already known, without a coroutine: every call asks."""
        return self._max_batch_sizes.get(model_name)

    async def max_batch_size(self, model_name: str, *, timeout_s: float) -> int:
        """The most rows one request to the model may hold (0: it does not batch), from its
        config; asked once per model name (a name is one model version, whose config is fixed)."""
        size = self._max_batch_sizes.get(model_name)
        if size is None:
            try:
                answer = await next(self._stubs).ModelConfig(
                    service_pb2.ModelConfigRequest(name=model_name), metadata=self._headers, timeout=timeout_s
                )
            except grpc.aio.AioRpcError as error:
                raise TritonFailure(error.code(), error.details() or "") from None
            size = int(answer.config.max_batch_size)
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
        """Run the model; `outputs` names the outputs wanted (default: every output of the
        signature). TritonFailure when Triton refuses or does not answer within `timeout_s`."""
        request = service_pb2.ModelInferRequest(model_name=model_name, id=request_id)
        tensors = _tensors_of(signature)
        for name, datatype in tensors.inputs:
            array = inputs[name]
            request.inputs.add(name=name, datatype=datatype, shape=array.shape)
            request.raw_input_contents.append(_raw(array, datatype))
        names = tensors.outputs if outputs is None else tuple(outputs)
        for name in names:
            request.outputs.add(name=name)
        try:
            response = await next(self._stubs).ModelInfer(
                request, metadata=(*self._headers, (REQUEST_ID_HEADER, request_id)), timeout=timeout_s
            )
        except grpc.aio.AioRpcError as error:
            raise TritonFailure(error.code(), error.details() or "") from None
        answered = {
            tensor.name: _array(tensor, raw) for tensor, raw in zip(response.outputs, response.raw_output_contents)
        }
        return {name: answered[name] for name in names}

    def chat(
        self, model_name: str, exchange: ChatExchange, *, request_id: str, timeout_s: float
    ) -> AsyncGenerator[EngineChunk, None]:
        """A chat model's chunks for one request in its engine's protocol (serving.chat_engine:
        LlamaCppExchange, serving.vllm_engine: VllmExchange); close the iterator to stop it."""
        return generate(
            next(self._stubs), self._headers, model_name, exchange, request_id=request_id, timeout_s=timeout_s
        )

    async def close(self) -> None:
        for channel in self._channels:
            await channel.close()


# tritonclient's triton_to_np_dtype is a chain of comparisons; every tensor of every call asks.
_NUMPY_DTYPES = {
    name: np.dtype(triton_to_np_dtype(name))
    for name in ("BOOL", "INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64")
    + ("FP16", "FP32", "BF16", "FP64", "BYTES")
}


@dataclass(frozen=True)
class _SignatureTensors:
    inputs: tuple[tuple[str, str], ...]
    """(name, Triton datatype) of each input."""
    outputs: tuple[str, ...]


def _tensors(signature: models_pb2.Signature) -> _SignatureTensors:
    return _SignatureTensors(
        tuple((spec.name, triton_datatype(spec.data_type)) for spec in signature.inputs),
        tuple(spec.name for spec in signature.outputs),
    )


_tensors_of = DerivedOnce(_tensors)
"""A signature's tensors as a call names them, read once per signature object (a model version's
never changes)."""


def _raw(array: np.ndarray, datatype: str) -> bytes:
    if datatype == "BYTES":
        serialized = serialize_byte_tensor(array)
        return serialized.item() if serialized.size else b""
    return np.ascontiguousarray(array, dtype=_NUMPY_DTYPES[datatype]).tobytes()


def _array(tensor: service_pb2.ModelInferResponse.InferOutputTensor, raw: bytes) -> np.ndarray:
    shape = tuple(tensor.shape)
    if tensor.datatype == "BYTES":
        return deserialize_bytes_tensor(raw).reshape(shape)
    return np.frombuffer(raw, dtype=_NUMPY_DTYPES[tensor.datatype]).reshape(shape)
