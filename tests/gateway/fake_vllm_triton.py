"""A stand-in for Triton's gRPC inference service that streams answers as Triton's vLLM backend
makes them: no GPU here, so no vLLM. Used by the engine's tests and the gateway's."""

from __future__ import annotations

import asyncio

import numpy as np
from tritonclient.grpc import service_pb2, service_pb2_grpc
from tritonclient.utils import serialize_byte_tensor


def vllm_answer(
    text: str, finish_reason: str | None, prompt_tokens: int, new_tokens: int, *, final: bool = False
) -> service_pb2.ModelInferResponse:
    """One streamed answer as the vLLM backend makes it (src/utils/request.py create_response)."""
    response = service_pb2.ModelInferResponse(model_name="chat", id="r1")
    add_output(response, "text_output", "BYTES", [1], bytes_tensor(text))
    add_output(response, "finish_reason", "BYTES", [1], bytes_tensor(str(finish_reason)))
    # np.asarray(len(prompt_token_ids)): a scalar; the answer's count is one per sequence.
    add_output(response, "num_input_tokens", "UINT32", [], np.uint32(prompt_tokens).tobytes())
    add_output(response, "num_output_tokens", "UINT32", [1], np.array([new_tokens], np.uint32).tobytes())
    response.parameters["triton_final_response"].bool_param = final
    return response


def add_output(response: service_pb2.ModelInferResponse, name: str, datatype: str, shape, raw: bytes) -> None:
    response.outputs.add(name=name, datatype=datatype, shape=shape)
    response.raw_output_contents.append(raw)


def bytes_tensor(text: str) -> bytes:
    return serialize_byte_tensor(np.array([text.encode()], dtype=np.object_)).item()


def streamed(*responses: service_pb2.ModelInferResponse) -> list[service_pb2.ModelStreamInferResponse]:
    return [service_pb2.ModelStreamInferResponse(infer_response=response) for response in responses]


class FakeTriton(service_pb2_grpc.GRPCInferenceServiceServicer):
    """Answers each stream with `script`; with `hold`, then keeps the stream open until `release`
    is set or the client cancels it, as Triton sends a stream's status some time after its last
    answer. Records the requests and how each stream ended."""

    def __init__(self) -> None:
        self.script: list[service_pb2.ModelStreamInferResponse] = []
        self.hold = False
        self.release = asyncio.Event()
        self.requests: list[service_pb2.ModelInferRequest] = []
        self.ended: list[str] = []

    async def ModelStreamInfer(self, request_iterator, context):  # noqa: N802 (the service's name)
        try:
            async for request in request_iterator:
                self.requests.append(request)
                for answer in self.script:
                    yield answer
                if self.hold:
                    await self.release.wait()
        except asyncio.CancelledError:
            # grpc.aio cancels the handler when the client cancels the call, as Triton cancels the request.
            self.ended.append("cancelled")
            raise
        self.ended.append("finished")
