"""Fixtures shared by the suite: a real PostgreSQL, a fresh database per test, a real registry.

`--postgres-dsn` points the suite at an existing server; without it one embedded PostgreSQL
(pgserver) runs for the whole session.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from services.registry.app import RegistryApp
from services.registry.settings import RegistrySettings
from services.runtime.grpc_client import open_channel
from tests.service_token import SERVICE_TOKEN
from torii.v1 import registry_service_pb2, registry_service_pb2_grpc

# Every service's settings read it (CommonSettings.service_token), servers the tests spawn too.
os.environ["TORII_SERVICE_TOKEN"] = SERVICE_TOKEN


def pytest_addoption(parser):
    parser.addoption("--postgres-dsn", default=None, help="use this PostgreSQL instead of an embedded one")
    parser.addoption(
        "--triton-address",
        default=None,
        help="run the end-to-end tests against this Triton (host:port of its gRPC endpoint) instead of starting one;"
        " it must run with --model-control-mode=explicit over --triton-repository",
    )
    parser.addoption("--triton-repository", default=None, help="the model repository the existing Triton reads")
    parser.addoption(
        "--triton-trace-file",
        default=None,
        help="the existing Triton's trace file (--trace-config triton,file=…); without it the trace test is skipped",
    )


@pytest.fixture(scope="session")
def postgres_dsn(request):
    given = request.config.getoption("--postgres-dsn")
    if given:
        yield given
        return
    import pgserver

    # Not under pytest's basetemp: pytest prunes old basetemps, which would pull the data folder
    # from under a second test session running at the same time.
    pgdata = Path(tempfile.mkdtemp(prefix="torii-pgdata-"))
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    try:
        yield server.get_uri()
    finally:
        server.cleanup()
        shutil.rmtree(pgdata, ignore_errors=True)


def with_database(dsn: str, name: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.asynccontextmanager
async def own_database(postgres_dsn: str) -> AsyncIterator[str]:
    """A database of its own (its URL) for the block, dropped afterwards."""
    name = f"torii_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield with_database(postgres_dsn, name)
    finally:
        admin = await asyncpg.connect(postgres_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def database_url(postgres_dsn):
    """A database of its own for each test, dropped afterwards."""
    async with own_database(postgres_dsn) as url:
        yield url


@dataclass
class RunningRegistry:
    app: RegistryApp
    address: str
    stub: registry_service_pb2_grpc.RegistryServiceStub
    admin_token: str
    admin_user_id: str
    database_url: str
    app_account_id: str


@pytest.fixture
async def registry(database_url, tmp_path):
    async with running_registry(database_url, tmp_path) as running:
        yield running


@contextlib.asynccontextmanager
async def running_registry(database_url: str, data_dir: Path) -> AsyncIterator[RunningRegistry]:
    admin_token = f"{uuid.uuid4()}.{uuid.uuid4().hex}"
    settings = RegistrySettings(
        database_url=database_url,
        registry_port=0,
        bootstrap_admin_token=admin_token,
        data_dir=data_dir,
        shutdown_grace_s=2,
    )
    app = RegistryApp(settings)
    port = await app.start()
    address = f"127.0.0.1:{port}"
    channel = open_channel(address, default_timeout_s=10, service_token=SERVICE_TOKEN)
    stub = registry_service_pb2_grpc.RegistryServiceStub(channel)
    admin = (await stub.AuthenticateToken(registry_service_pb2.AuthenticateTokenRequest(token=admin_token))).user
    try:
        yield RunningRegistry(app, address, stub, admin_token, admin.user_id, database_url, admin.account_id)
    finally:
        await channel.close()
        await app.stop()


@pytest.fixture(scope="session")
def default_image() -> str:
    """The default workspace image, built once when this machine does not have it yet. Workspace
    tests run real containers: podman must be installed (the project installs it)."""
    from services.scheduler.workspaces.default_image import DEFAULT_PODMAN_IMAGE, ensure_default_image

    if shutil.which("podman") is None:
        pytest.fail("podman is not installed: the workspace tests run real containers (apt-get install podman)")
    ensure_default_image(name=DEFAULT_PODMAN_IMAGE)
    return DEFAULT_PODMAN_IMAGE
