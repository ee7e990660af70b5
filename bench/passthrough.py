"""`python -m bench.passthrough`: the floor under the gateway's cost, measured on the same machine.

A minimal HTTP-to-Triton pass-through doing the transport work of one NNC vector request and
nothing else: aiohttp on uvloop without an access log, the JSON body parsed by orjson, one FP32
tensor sent to Triton through its generated gRPC stub, the output written back as NNC's
comma-joined numbers. No key, allowlist, quota, catalog, type check, request id or log line.
bench.run drives it with the same load generator as the gateway, so `gateway us/req` minus this
row's is what Torii's own checks and bookkeeping cost per request on this machine.
"""

from __future__ import annotations

import argparse
import json

import grpc
import numpy as np
import orjson
import uvloop
from aiohttp import web
from tritonclient.grpc import service_pb2, service_pb2_grpc

from bench.load import FEATURES


def app(triton_address: str, model_name: str, headers: dict[str, str]) -> web.Application:
    channel: grpc.aio.Channel | None = None
    stub: service_pb2_grpc.GRPCInferenceServiceStub | None = None
    metadata = tuple(headers.items())

    async def open_channel(_: web.Application) -> None:
        nonlocal channel, stub
        channel = grpc.aio.insecure_channel(triton_address)
        stub = service_pb2_grpc.GRPCInferenceServiceStub(channel)

    async def close_channel(_: web.Application) -> None:
        if channel is not None:
            await channel.close()

    async def infer(request: web.Request) -> web.Response:
        assert stub is not None
        body = orjson.loads(await request.read())
        vector = np.asarray(body["inputs"][0]["data"], dtype=np.float32).reshape(1, FEATURES)
        call = service_pb2.ModelInferRequest(model_name=model_name)
        call.inputs.add(name="x", datatype="FP32", shape=vector.shape)
        call.raw_input_contents.append(vector.tobytes())
        call.outputs.add(name="y")
        answer = await stub.ModelInfer(call, metadata=metadata, timeout=30.0)
        output = np.frombuffer(answer.raw_output_contents[0], dtype=np.float32)
        data = ", ".join(map(str, output.tolist()))
        return web.Response(
            body=orjson.dumps({"outputs": [{"name": "y", "type": "vector", "data": data}]}),
            content_type="application/json",
        )

    application = web.Application()
    application.router.add_post("/infer", infer)
    application.on_startup.append(open_channel)
    application.on_cleanup.append(close_channel)
    return application


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.passthrough", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--triton", required=True, help="Triton's gRPC address")
    parser.add_argument("--model", required=True, help="the Triton model to call")
    parser.add_argument("--headers", default="{}", help="JSON: what Triton's restricted protocols ask for")
    args = parser.parse_args()
    web.run_app(
        app(args.triton, args.model, json.loads(args.headers)),
        host="127.0.0.1",
        port=args.port,
        access_log=None,
        print=None,
        loop=uvloop.new_event_loop(),
    )


if __name__ == "__main__":
    main()
