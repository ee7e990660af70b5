import asyncio
import os
import signal
import sys
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from services.registry.app import SERVICE_NAME
from services.runtime.grpc_client import open_channel
from services.runtime.grpc_server import GrpcServer
from tests.polling import eventually
from tests.runtime.sleepy_server import handlers
from tests.service_token import SERVICE_TOKEN
from torii.v1 import registry_service_pb2, registry_service_pb2_grpc

ROOT = Path(__file__).resolve().parents[2]


async def test_reflection_lists_the_registry_and_health(registry):
    async with grpc.aio.insecure_channel(registry.address) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)

        async def ask():
            yield reflection_pb2.ServerReflectionRequest(list_services="")

        names = set()
        async for reply in stub.ServerReflectionInfo(ask()):
            names.update(service.name for service in reply.list_services_response.service)
    assert {"torii.v1.RegistryService", "grpc.health.v1.Health", "grpc.reflection.v1alpha.ServerReflection"} <= names


async def test_health_reports_serving(registry):
    async with grpc.aio.insecure_channel(registry.address) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        for service in ("", SERVICE_NAME):
            reply = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=5)
            assert reply.status == health_pb2.HealthCheckResponse.SERVING


@pytest.fixture
async def sleepy():
    server = GrpcServer([], service_token=SERVICE_TOKEN, generic_handlers=[handlers()])
    port = await server.start("127.0.0.1", 0)
    channel = open_channel(f"127.0.0.1:{port}", default_timeout_s=5, service_token=SERVICE_TOKEN)
    yield channel
    await channel.close()
    await server.stop(1)


# The suite's token is random: its last character is changed to one it surely is not.
ALMOST_THE_TOKEN = SERVICE_TOKEN[:-1] + ("1" if SERVICE_TOKEN.endswith("0") else "0")


@pytest.mark.parametrize("token", [None, "", ALMOST_THE_TOKEN, SERVICE_TOKEN + "0"])
async def test_a_call_without_the_service_token_is_refused_before_it_runs(registry, token):
    metadata = () if token is None else (("x-torii-service-token", token),)
    async with grpc.aio.insecure_channel(registry.address) as channel:
        stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            # An empty actor would see every account's APIs if the call ran.
            await stub.ListApis(registry_service_pb2.ListApisRequest(), metadata=metadata, timeout=5)
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED
    assert "x-torii-service-token" in caught.value.details()


async def test_the_service_token_lets_a_call_through(registry):
    reply = await registry.stub.AuthenticateToken(
        registry_service_pb2.AuthenticateTokenRequest(token=registry.admin_token)
    )
    assert reply.user.user_id == registry.admin_user_id


async def test_every_streaming_shape_is_refused_without_the_token(registry):
    async with grpc.aio.insecure_channel(registry.address) as channel:
        watch = registry_service_pb2_grpc.RegistryServiceStub(channel).WatchApis(
            registry_service_pb2.WatchApisRequest(), timeout=5
        )
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            async for _ in watch:
                pass
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


def test_a_server_refuses_to_start_with_a_short_token():
    with pytest.raises(ValueError, match="TORII_SERVICE_TOKEN"):
        GrpcServer([], service_token="short")


async def test_domain_errors_keep_their_status_and_message(sleepy):
    call = sleepy.unary_unary("/test.Sleepy/Fail")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call(b"domain", timeout=5)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert caught.value.details() == "the thing is not ready"


async def test_unexpected_errors_become_internal_without_details(sleepy):
    call = sleepy.unary_unary("/test.Sleepy/Fail")
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call(b"bug", metadata=(("x-request-id", "req-123"),), timeout=5)
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert caught.value.details() == "internal error (request id req-123)"
    assert "passwd" not in caught.value.debug_error_string()


async def first_refusal(call, give_up_after_s: float) -> grpc.StatusCode:
    """Call until the server refuses (the signal may take a moment to arrive); the refusal's code."""

    async def refusal() -> grpc.StatusCode | None:
        try:
            await call(b"0", timeout=1)
        except grpc.aio.AioRpcError as error:
            return error.code()
        return None

    return await eventually(
        refusal, lambda code: code is not None, timeout_s=give_up_after_s, what="the stopping server to refuse a call"
    )


async def test_sigterm_drains_an_in_flight_call_then_refuses_new_ones():
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.runtime.sleepy_server",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        env=os.environ.copy(),
    )
    try:
        line = await asyncio.wait_for(process.stdout.readline(), timeout=30)
        port = int(line.split()[1])
        async with open_channel(f"127.0.0.1:{port}", default_timeout_s=5, service_token=SERVICE_TOKEN) as channel:
            sleep = channel.unary_unary("/test.Sleepy/Sleep")
            in_flight = asyncio.ensure_future(sleep(b"6000", timeout=20))
            started = await asyncio.wait_for(process.stdout.readline(), timeout=10)
            assert started == b"SLEEPING 6000\n", "the call must be in flight when the signal comes"
            process.send_signal(signal.SIGTERM)
            refused = await first_refusal(sleep, give_up_after_s=4.0)
            # A call racing the stop is cancelled, or, on a busy machine, left unanswered in the
            # stopping server's queue until its 1 s deadline (a 0 ms call that is served answers at
            # once); one after the stop finds the port closed.
            not_served = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED, grpc.StatusCode.DEADLINE_EXCEEDED}
            assert refused in not_served, "new calls must be refused"
            assert not in_flight.done(), "the in-flight call must still be running when new ones are refused"
            assert await in_flight == b"done"
        assert await asyncio.wait_for(process.wait(), timeout=10) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
