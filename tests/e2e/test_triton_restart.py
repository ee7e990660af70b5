"""Triton dies mid-run: requests fail in the contract's shape, then everything comes back."""

from __future__ import annotations

import os
import signal
import socket

from services.runtime.api_watch import ApiWatcher
from services.scheduler.app import SchedulerApp
from services.scheduler.settings import SchedulerSettings
from tests.e2e.conftest import Clock, Platform
from tests.e2e.test_nnc_errors import VECTOR, assert_contract_error
from tests.polling import eventually
from tests.scheduler.onnx_models import affine_model
from torii.v1 import apis_pb2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_killed_triton_is_restarted_and_every_api_reloaded(registry, start_gateway, tmp_path):
    address = f"127.0.0.1:{free_port()}"
    scheduler = SchedulerApp(
        SchedulerSettings(
            data_dir=tmp_path / "scheduler",
            artifact_root=tmp_path,  # the gateway and trainer of the test keep their models under it
            registry_address=registry.address,
            scheduler_port=0,
            triton_mode="local",
            triton_addresses=[address],
            reconcile_interval_s=0.2,
        )
    )
    await scheduler.start()
    try:
        gateway = await start_gateway(triton_addresses=[address], usage_flush_interval_s=0.2)
        platform = Platform(gateway, scheduler, Clock(), address, 0.2)
        apis = [await platform.publish(affine_model(4, scale=float(n), bias=0.0)) for n in (2, 3)]
        for api in apis:
            assert (await platform.infer(api, VECTOR))[0] == 200

        seen: list[tuple[str, str, str]] = []

        def record(api_id, item):
            if item is not None:
                seen.append(
                    (
                        api_id,
                        apis_pb2.ApiStatus.Name(item.api.status).removeprefix("API_STATUS_").lower(),
                        item.api.status_message,
                    )
                )

        watcher = ApiWatcher(registry.stub, record)
        watcher.start()
        await watcher.synced.wait()
        supervisor = scheduler.triton_supervisor
        os.kill(supervisor.triton.pid, signal.SIGKILL)
        failures = []

        async def call_and_keep_failures() -> tuple[int, int]:
            status, body = await platform.infer(apis[0], VECTOR)
            if status != 200:
                failures.append((status, body))
            return status, supervisor.restarts

        await eventually(
            call_and_keep_failures,
            lambda seen: seen == (200, 1),
            timeout_s=60,
            what="Triton to be restarted once and to answer again (HTTP status, restarts)",
        )
        assert failures, "requests during the outage must fail"
        for status, body in failures:
            assert_contract_error(status, body, status, body["error"], "")
            assert status == 503 and body["error"] in ("TEMPORARILY_UNAVAILABLE", "API_NOT_READY")

        for n, api in zip((2, 3), apis):
            current = await platform.wait_for_status(api["api_id"], "running")
            assert current["status_message"] == ""
            status, body = await platform.infer(api, VECTOR)
            assert status == 200 and body["outputs"][0]["data"] == ", ".join(str(float(n * v)) for v in (1, 2, 3, 4))
        said = [message for api_id, status, message in seen if api_id == apis[0]["api_id"] and status == "building"]
        assert any("Triton exited unexpectedly" in message for message in said), seen
        await watcher.stop()
    finally:
        await scheduler.stop()
