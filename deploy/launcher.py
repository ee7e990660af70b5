"""`python -m deploy.launcher`: the whole platform on one machine, from one command.

Starts PostgreSQL (embedded, unless DATABASE_URL names one), applies the registry's migrations,
starts registry, scheduler, trainer and gateway as supervised child processes, waits until each
is ready, prints where they listen and a fresh admin token, and stops everything on Ctrl-C or
SIGTERM.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import os
import secrets
import shutil
import signal
import socket
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from uuid import uuid4

import aiohttp

from deploy import readiness
from deploy.default_chat import DefaultChat, DefaultChatError, ensure_default_chat
from deploy.embedded_postgres import EmbeddedPostgres
from deploy.settings import LauncherSettings
from deploy.supervisor import ChildSpec, Supervisor
from services.registry.migrations import apply_migrations
from services.runtime.addresses import host_and_port
from services.runtime.files import write_private_file
from services.runtime.logging import configure_logging, get_logger
from services.runtime.service_auth import check_token_strength, new_service_token
from services.runtime.tasks import cancel_and_wait
from services.scheduler.workspaces.default_image import DEFAULT_IMAGE_LIST, ensure_default_image

log = get_logger("launcher")

STOP_MARGIN_S = 5.0
"""A child gets its shutdown grace plus this long to exit after SIGTERM before it is killed."""

POSTGRES_CHECK_INTERVAL_S = 1.0
POSTGRES_MAX_RESTART_DELAY_S = 10.0


class StartupError(Exception):
    """The platform could not start; the message tells a person what to do."""


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    port: int
    protocol: str  # "grpc" or "http"
    host: str  # bind address: the gateway may have a public one, the gRPC services keep the internal one


def new_admin_token() -> str:
    return f"{uuid4()}.{secrets.token_hex(32)}"


class Launcher:
    def __init__(self, settings: LauncherSettings) -> None:
        self._settings = settings
        self._data_dir = settings.data_dir.resolve()
        self._connect_host = _connect_host(settings.host)
        gateway_host = settings.gateway_host or settings.host
        gateways = tuple(
            Service(
                "gateway" if n == 1 else f"gateway-{n}", "services.gateway", settings.gateway_port, "http", gateway_host
            )
            for n in range(1, settings.gateway_workers + 1)
        )
        internal = settings.host
        self.services = (
            Service("registry", "services.registry", settings.registry_port, "grpc", internal),
            Service("scheduler", "services.scheduler", settings.scheduler_port, "grpc", internal),
            Service("trainer", "services.trainer", settings.trainer_port, "grpc", internal),
            *gateways,
        )
        # Dependents first: each tier stops before the next, so in-flight work still reaches the registry.
        self.stop_tiers = ((*(gateway.name for gateway in gateways), "scheduler", "trainer"), ("registry",))
        self._postgres_dir = self._data_dir / "postgres"
        self._postgres = None if settings.database_url else EmbeddedPostgres(self._postgres_dir)
        self._supervisor: Supervisor | None = None
        self._postgres_watch: asyncio.Task[None] | None = None
        given_token = settings.service_token.get_secret_value()
        # A new token at each start revokes the previous one; a given one is for multi-host set-ups.
        self._service_token = check_token_strength(given_token) if given_token else new_service_token()
        # The first admin's console password until they change it: a new one at every start, as the token.
        self.admin_password = secrets.token_urlsafe(12)

    @property
    def logs_dir(self) -> Path:
        return self._data_dir / "logs"

    def address(self, service: Service) -> str:
        return f"{_connect_host(service.host)}:{service.port}"

    @property
    def gateway_url(self) -> str:
        return f"http://{self.address(self.services[-1])}"

    @property
    def service_token_path(self) -> Path:
        """Where operators read the service token that grpcurl must send (`x-torii-service-token`)."""
        return self._data_dir / "service-token"

    @property
    def database_description(self) -> str:
        # Never the DSN itself: it may hold a password.
        return f"embedded PostgreSQL in {self._postgres_dir}" if self._postgres else "DATABASE_URL"

    @property
    def triton_description(self) -> str:
        addresses = ", ".join(self._settings.triton_addresses)
        local = self._settings.triton_mode == "local"
        return f"{addresses} (started by the scheduler)" if local else f"{addresses} (remote)"

    async def start(self) -> str:
        """Start everything and wait until it is ready; return the bootstrap admin token."""
        self._check_ports_free()
        self._data_dir.mkdir(parents=True, exist_ok=True)
        write_private_file(self.service_token_path, self._service_token.encode())
        database_url = self._settings.database_url
        if self._postgres is not None:
            try:
                database_url = await self._postgres.start()
            except Exception as error:
                raise StartupError(
                    f"the embedded PostgreSQL did not start ({error!r}); its log is {self._postgres_dir / 'log'}"
                ) from error
        try:
            applied = await apply_migrations(database_url)
        except Exception as error:
            raise StartupError(f"could not apply the database migrations: {error!r}") from error
        log.info("migrations_applied", applied=applied)

        await self._prepare_workspace_image()
        token = new_admin_token()
        self._supervisor = supervisor = Supervisor(
            [ChildSpec(s.name, s.module, self.child_env(s, database_url, token)) for s in self.services],
            self.logs_dir,
            max_restarts_per_minute=self._settings.max_restarts_per_minute,
            stop_timeout_s=self._settings.shutdown_grace_s + STOP_MARGIN_S,
        )
        supervisor.start()
        if self._postgres is not None:
            self._postgres_watch = asyncio.create_task(
                self._keep_postgres_running(self._postgres), name="postgres-watch"
            )
        await self._wait_ready(supervisor)
        return token

    @property
    def workspace_images(self) -> dict[str, list[str]]:
        return self._settings.dataforest_images or DEFAULT_IMAGE_LIST

    @property
    def workspace_runner(self) -> str:
        """The runner the scheduler is given: podman only where it is installed (else none, and
        workspaces stay pending rather than failing every pass)."""
        runner = self._settings.workspace_runner
        return "none" if runner == "podman" and shutil.which("podman") is None else runner

    async def _prepare_workspace_image(self) -> None:
        """Build the default workspace image the first time (about 20 s, offline). Without podman or
        mmdebstrap everything else still starts; workspaces then fail saying the image is missing."""
        if self._settings.workspace_runner == "podman" and self.workspace_runner == "none":
            log.warning("workspaces_not_run", reason="podman is not installed (make installs it as root)")
            return
        if self._settings.workspace_runner != "podman" or self._settings.dataforest_images:
            return
        try:
            built = await asyncio.to_thread(ensure_default_image)
        except Exception as error:  # a start without workspaces beats no start
            log.warning("workspace_image_not_built", error=str(error))
            return
        log.info("workspace_image_ready", built=built)

    async def stop(self) -> None:
        await cancel_and_wait(self._postgres_watch)
        if self._supervisor is not None:
            await self._supervisor.stop(self.stop_tiers)
        if self._postgres is not None:
            await self._postgres.stop()

    async def _keep_postgres_running(self, postgres: EmbeddedPostgres) -> None:
        """Supervise the embedded PostgreSQL like the services: one that exits is started again,
        after 1, 2, 4, … up to 10 s while it keeps failing. Meanwhile the registry answers
        UNAVAILABLE and reports NOT_SERVING; it reconnects by itself once PostgreSQL is back."""
        delay_s = 1.0
        while True:
            await asyncio.sleep(POSTGRES_CHECK_INTERVAL_S)
            if postgres.running:
                delay_s = 1.0
                continue
            log.error("embedded_postgres_exited", log_path=str(self._postgres_dir / "log"))
            try:
                await postgres.restart()
            except Exception as error:  # logged; the next check tries again
                log.error("embedded_postgres_restart_failed", error=repr(error), retry_in_s=delay_s)
                await asyncio.sleep(delay_s)
                delay_s = min(delay_s * 2, POSTGRES_MAX_RESTART_DELAY_S)

    def kill(self) -> None:
        """Kill the children now instead of waiting for their graceful stop."""
        if self._supervisor is not None:
            self._supervisor.kill()

    def child_env(self, service: Service, database_url: str, admin_token: str) -> dict[str, str]:
        """The environment `service`'s process starts with: this process's without its secrets, plus
        the settings every service shares (the service token among them). Only the registry is given
        the database and the bootstrap admin token."""
        s = self._settings
        env = {k: v for k, v in os.environ.items() if k not in _SECRETS}
        env.update(
            TORII_HOST=s.host,
            TORII_GATEWAY_HOST=s.gateway_host,
            TORII_DATA_DIR=str(self._data_dir),
            TORII_LOG_LEVEL=s.log_level,
            TORII_SHUTDOWN_GRACE_S=str(s.shutdown_grace_s),
            TORII_RPC_TIMEOUT_S=str(s.rpc_timeout_s),
            TORII_GATEWAY_PORT=str(s.gateway_port),
            TORII_REGISTRY_PORT=str(s.registry_port),
            TORII_SCHEDULER_PORT=str(s.scheduler_port),
            TORII_TRAINER_PORT=str(s.trainer_port),
            TORII_REGISTRY_ADDRESS=f"{self._connect_host}:{s.registry_port}",
            TORII_TRAINER_ADDRESS=f"{self._connect_host}:{s.trainer_port}",
            TORII_GATEWAY_REUSE_PORT=str(s.gateway_workers > 1).lower(),
            TORII_SERVICE_TOKEN=self._service_token,
            TORII_WORKSPACE_RUNNER=self.workspace_runner,
            TORII_DATAFOREST_IMAGES=json.dumps(self.workspace_images),
            PYTHONUNBUFFERED="1",
        )
        if service.name == "registry":  # only the registry runs SQL and knows the bootstrap token
            env.update(
                TORII_DATABASE_URL=database_url,
                TORII_BOOTSTRAP_ADMIN_TOKEN=admin_token,
                TORII_BOOTSTRAP_ADMIN_PASSWORD=self.admin_password,
            )
        return env

    def _ports_to_check(self) -> list[tuple[str, str, int, str]]:
        """(what, host, port, the variable that moves it) for each port Torii will listen on."""
        ports = {
            service.port: (service.name, service.host, service.port, f"TORII_{service.name.upper()}_PORT")
            for service in reversed(self.services)  # the first gateway names the shared port
        }
        if self._settings.triton_mode == "local":
            host, port = host_and_port(self._settings.triton_addresses[0])
            ports[port] = ("triton", host, port, "TORII_TRITON_ADDRESSES")
        return list(ports.values())

    def _check_ports_free(self) -> None:
        """Fail early and clearly instead of letting a health check reach whatever holds the port."""
        for name, host, port, variable in self._ports_to_check():
            with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind((host, port))
                except OSError as error:
                    if error.errno != errno.EADDRINUSE:
                        raise
                    raise StartupError(
                        f"port {port} ({name}) is already in use on {host}; "
                        f"is another Torii running? Set {variable} to use another port."
                    ) from error

    async def _wait_ready(self, supervisor: Supervisor) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        deadline = started + self._settings.ready_timeout_s
        for service in self.services:
            if service.protocol == "grpc":
                probe = partial(readiness.grpc_serving, self.address(service))
            else:
                probe = partial(readiness.http_ok, f"{self.gateway_url}/readyz")
            if not await readiness.wait_until(probe, deadline):
                child = supervisor.children[service.name]
                raise StartupError(
                    f"{service.name} did not become ready within {self._settings.ready_timeout_s:g} s. "
                    f"Last lines of {child.log_path}:\n{child.log_tail()}"
                )
            log.info("service_ready", child=service.name, after_s=round(loop.time() - started, 2))


_SECRETS = {
    "DATABASE_URL",
    "TORII_DATABASE_URL",
    "TORII_BOOTSTRAP_ADMIN_TOKEN",
    "TORII_BOOTSTRAP_ADMIN_PASSWORD",
    "TORII_SERVICE_TOKEN",
}


def _connect_host(host: str) -> str:
    """Where a client on this machine reaches a server bound to host."""
    return {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def banner(launcher: Launcher, token: str, chat: DefaultChat | str | None = None) -> str:
    """What `make run` prints; `chat`: the default chat API, or why it is missing (None: turned off)."""
    registry, scheduler, trainer, *gateways = launcher.services
    workers = f" ({len(gateways)} worker processes)" if len(gateways) > 1 else ""
    return "\n".join(
        [
            "Torii is running.",
            f"  gateway (HTTP):    {launcher.gateway_url}{workers}",
            f"  web console:       {launcher.gateway_url}/console/",
            f"  registry (gRPC):   {launcher.address(registry)}",
            f"  scheduler (gRPC):  {launcher.address(scheduler)}",
            f"  trainer (gRPC):    {launcher.address(trainer)}",
            f"  triton (gRPC):     {launcher.triton_description}",
            f"  database:          {launcher.database_description}",
            f"  service logs:      {launcher.logs_dir}/<service>.log",
            f"  service token:     in {launcher.service_token_path} (grpcurl -H 'x-torii-service-token: …')",
            f"  admin token:       {token}",
            '                     (user "admin", account "default"; a new token is made at every start)',
            f"  admin password:    {launcher.admin_password}",
            "                     (for the web console; change it at first sign-in, after which it stays yours)",
            *_chat_lines(launcher, chat),
            "Press Ctrl-C to stop.",
        ]
    )


def _chat_lines(launcher: Launcher, chat: DefaultChat | str | None) -> list[str]:
    if chat is None:
        return []
    if isinstance(chat, str):
        return [f"  chat model:        not set up ({chat})"]
    return [
        f"  chat model:        {chat.model_id} ({chat.status}; OpenAI-compatible at {launcher.gateway_url}/v1)",
        f"  chat API key:      {chat.api_key}",
        "                     (a new key is made at every start; TORII_DEFAULT_CHAT_MODEL=false turns it off)",
    ]


async def _default_chat(launcher: Launcher, settings: LauncherSettings, token: str) -> DefaultChat | str | None:
    if not settings.default_chat_model:
        return None
    try:
        return await ensure_default_chat(launcher.gateway_url, token, settings.data_dir, settings.chat_ready_timeout_s)
    except (DefaultChatError, aiohttp.ClientError, OSError) as error:
        log.warning("default_chat_failed", error=str(error))
        return str(error)


async def run(settings: LauncherSettings) -> int:
    """Run until SIGINT/SIGTERM (exit status 0) or until startup fails (1)."""
    launcher = Launcher(settings)
    stop_requested = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(signum: int) -> None:
        if stop_requested.is_set():
            log.warning("second_signal_killing_children", signal=signal.Signals(signum).name)
            launcher.kill()
        stop_requested.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)
    startup = asyncio.create_task(launcher.start())
    stop_wait = asyncio.create_task(stop_requested.wait())
    status = 0
    try:
        await asyncio.wait({startup, stop_wait}, return_when=asyncio.FIRST_COMPLETED)
        if startup.done():
            token = startup.result()
            chat = await _default_chat(launcher, settings, token)
            print(banner(launcher, token, chat), flush=True)
            await stop_wait
        log.info("shutdown_requested")
    except StartupError as error:
        print(f"torii: could not start: {error}", file=sys.stderr, flush=True)
        status = 1
    finally:
        stop_wait.cancel()
        if not startup.done():
            startup.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await startup
        print("Stopping Torii...", flush=True)
        await launcher.stop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    print("Torii stopped.", flush=True)
    return status


def main() -> None:
    settings = LauncherSettings()
    configure_logging("launcher", settings.log_level)
    sys.exit(asyncio.run(run(settings)))


if __name__ == "__main__":
    main()
