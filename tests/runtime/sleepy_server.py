"""A process running the shared gRPC runtime with one slow method, for shutdown tests.

`python -m tests.runtime.sleepy_server`: prints "PORT <n>" once serving. test.Sleepy/Sleep prints
"SLEEPING <ms>", waits for the number of milliseconds in its request body, then answers b"done";
test.Sleepy/Fail raises.
"""

from __future__ import annotations

import asyncio
import os
import sys

import grpc

from services.runtime.errors import FailedPrecondition
from services.runtime.grpc_server import GrpcServer
from services.runtime.logging import configure_logging
from services.runtime.service_main import run_until_signalled


async def sleep(request: bytes, context) -> bytes:
    milliseconds = int(request.decode())
    print(f"SLEEPING {milliseconds}", flush=True)  # a test sends its signal once a call is in flight
    await asyncio.sleep(milliseconds / 1000)
    return b"done"


async def fail(request: bytes, context) -> bytes:
    if request == b"domain":
        raise FailedPrecondition("the thing is not ready")
    raise RuntimeError("secret internals /etc/passwd")


def handlers() -> grpc.GenericRpcHandler:
    return grpc.method_handlers_generic_handler(
        "test.Sleepy",
        {
            "Sleep": grpc.unary_unary_rpc_method_handler(sleep),
            "Fail": grpc.unary_unary_rpc_method_handler(fail),
        },
    )


async def main() -> None:
    configure_logging("sleepy")
    server = GrpcServer([], service_token=os.environ["TORII_SERVICE_TOKEN"], generic_handlers=[handlers()])

    async def start() -> None:
        port = await server.start("127.0.0.1", 0)
        print(f"PORT {port}", flush=True)

    await run_until_signalled(start, lambda: server.stop(grace_s=10))


if __name__ == "__main__":
    asyncio.run(main())
    sys.exit(0)
