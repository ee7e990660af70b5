"""Run the `tritonserver` binary shipped in the nvidia-pytriton wheel as a child process.

Facts this relies on are in shared/notes/triton-on-cpu.md: the wheel's Python-backend stub is
per Python version and must sit beside `libtriton_python.so`; its libraries resolve through an
RPATH relative to the wheel, so a copy elsewhere needs `nvidia_pytriton.libs` on
LD_LIBRARY_PATH; and the stub imports model.py's modules from the environment it inherits, so
this venv goes first on PATH with VIRTUAL_ENV set.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import shutil
import signal
import socket
import sys
import time
from pathlib import Path

from tritonclient.grpc.aio import InferenceServerClient
from tritonclient.utils import InferenceServerException

from services.runtime.exec_tied import tied_command
from services.runtime.logging import get_logger
from services.runtime.service_auth import triton_restriction_flags

log = get_logger(__name__)

LOG_NAME = "tritonserver.log"
_POLL_S = 0.1
_LOG_TAIL_BYTES = 4000


class TritonStartError(RuntimeError):
    """Triton exited or did not become ready; the message ends with its log's tail."""


class LocalTriton:
    def __init__(
        self,
        model_repository: Path,
        work_dir: Path,
        *,
        host: str = "127.0.0.1",
        grpc_port: int = 0,
        exit_timeout_s: int = 5,
        log_verbose: int = 0,
        trace_file: Path | None = None,
        service_token: str,
        nice: int = 0,
    ) -> None:
        """service_token: Triton refuses inference and model control without the token derived
        from it (service_auth.triton_headers), so reaching its port is not enough. nice: Triton's
        CPU priority below the scheduler's (and its models' processes with it)."""
        self._nice = nice
        self._model_repository = model_repository
        self._restriction_flags = triton_restriction_flags(service_token)
        self._work_dir = work_dir
        self._host = host
        self._grpc_port = grpc_port
        self._exit_timeout_s = exit_timeout_s
        self._log_verbose = log_verbose
        # Triton only takes a trace file at start; tracing itself stays off until a model's
        # trace settings turn it on (update_trace_settings), e.g. to follow one request id.
        self._trace_file = trace_file
        self._process: asyncio.subprocess.Process | None = None
        self._ports: tuple[int, int, int] | None = None

    @property
    def log_path(self) -> Path:
        return self._work_dir / LOG_NAME

    @property
    def grpc_address(self) -> str:
        if self._ports is None:
            raise RuntimeError("Triton has not been started")
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"{host}:{self._ports[0]}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self, ready_timeout_s: float = 60.0) -> str:
        """Start Triton and return its gRPC address once it answers ready."""
        if self.running:
            raise RuntimeError("Triton is already running")
        self._work_dir.mkdir(parents=True, exist_ok=True)
        self._model_repository.mkdir(parents=True, exist_ok=True)
        package = _pytriton_dir() / "tritonserver"
        backends = _prepare_backends(package, self._work_dir / "backends")
        if self._ports is None:
            # Picked once: a restart keeps the address that clients were given.
            self._ports = _ports(self._host, self._grpc_port)
        grpc_port, http_port, metrics_port = self._ports
        args = [
            str(package / "bin" / "tritonserver"),
            f"--model-repository={self._model_repository}",
            "--model-control-mode=explicit",
            f"--backend-directory={backends}",
            f"--grpc-address={self._host}",
            f"--grpc-port={grpc_port}",
            f"--http-address={self._host}",
            f"--http-port={http_port}",
            f"--metrics-address={self._host}",
            f"--metrics-port={metrics_port}",
            f"--exit-timeout-secs={self._exit_timeout_s}",
            f"--log-verbose={self._log_verbose}",
            *(
                [f"--trace-config=triton,file={self._trace_file}", "--trace-config=level=OFF"]
                if self._trace_file
                else []
            ),
            # Not strict: strict readiness turns the whole server unready after one model
            # fails to load (measured), and one tenant's broken model must not look like a
            # broken server. Model readiness is asked per model instead.
            "--strict-readiness=false",
            # Our configs are complete; auto-complete would only hide mismatches and, for the
            # Python backend, start an extra stub process per load.
            "--disable-auto-complete-config",
            *self._restriction_flags,
        ]
        started = time.monotonic()
        with open(self.log_path, "ab") as log_file:
            # Tied to this process: Triton never outlives the scheduler, even one killed by SIGKILL.
            self._process = await asyncio.create_subprocess_exec(
                # A process group of its own: the Python backend's stub processes (a chat model's
                # llama.cpp among them) are Triton's children, and outlive a Triton that crashed
                # or was killed unless they are stopped with it (_stop_leftovers).
                *tied_command(args, own_group=True, nice=self._nice),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log_file,
                stderr=asyncio.subprocess.STDOUT,
                env=_child_env(package),
            )
        log.info("triton_starting", pid=self._process.pid, grpc_address=self.grpc_address)
        try:
            await self._wait_ready(ready_timeout_s)
        except BaseException:
            await self.stop(timeout_s=2.0)
            raise
        log.info("triton_ready", pid=self._process.pid, seconds=round(time.monotonic() - started, 2))
        return self.grpc_address

    async def wait(self) -> int:
        """Wait for Triton to exit and return its exit status (negative: killed by a signal);
        what it had started is stopped with it."""
        if self._process is None:
            raise RuntimeError("Triton has not been started")
        code = await self._process.wait()
        _stop_leftovers(self._process)
        return code

    async def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM (Triton drains requests up to exit_timeout_s), then SIGKILL after timeout_s."""
        process = self._process
        if process is None or process.returncode is not None:
            return
        _signal(process, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), timeout_s)
        except TimeoutError:
            log.warning("triton_stop_timeout", pid=process.pid, timeout_s=timeout_s)
            _signal(process, signal.SIGKILL)
            await process.wait()
        _stop_leftovers(process)
        log.info("triton_stopped", pid=process.pid, returncode=process.returncode)

    async def _wait_ready(self, timeout_s: float) -> None:
        assert self._process is not None
        exited = asyncio.ensure_future(self._process.wait())
        deadline = time.monotonic() + timeout_s
        client = InferenceServerClient(self.grpc_address)
        try:
            while True:
                if exited.done():
                    raise TritonStartError(
                        f"tritonserver exited with status {exited.result()} before it was ready\n" + self._log_tail()
                    )
                if time.monotonic() > deadline:
                    raise TritonStartError(f"tritonserver not ready after {timeout_s:g} s\n" + self._log_tail())
                try:
                    if await client.is_server_ready(client_timeout=1.0):
                        return
                except InferenceServerException:
                    pass  # not listening yet
                await asyncio.wait({exited}, timeout=_POLL_S)
        finally:
            if not exited.done():
                exited.cancel()
            await client.close()

    def _log_tail(self) -> str:
        try:
            with open(self.log_path, "rb") as handle:
                handle.seek(max(0, handle.seek(0, os.SEEK_END) - _LOG_TAIL_BYTES))
                return handle.read().decode(errors="replace")
        except OSError as exc:
            return f"(log {self.log_path} unreadable: {exc})"


def _pytriton_dir() -> Path:
    spec = importlib.util.find_spec("pytriton")
    if spec is None or not spec.submodule_search_locations:
        raise TritonStartError("the nvidia-pytriton package (which carries tritonserver) is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _libs_dir(package: Path) -> Path:
    # site-packages/pytriton/tritonserver -> site-packages/nvidia_pytriton.libs
    return package.parent.parent / "nvidia_pytriton.libs"


def _prepare_backends(package: Path, backends: Path) -> Path:
    """A backend directory of our own with the Python backend and this Python's stub.

    Copies rather than writing into the wheel, so site-packages stays read-only and two
    Python versions can share it; the RPATH the copies lose is made up by LD_LIBRARY_PATH.
    """
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    stub = package / "python_backend_stubs" / version / "triton_python_backend_stub"
    if not stub.exists():
        raise TritonStartError(f"no Triton Python-backend stub for Python {version} in {package}")
    python_dir = backends / "python"
    python_dir.mkdir(parents=True, exist_ok=True)
    sources = [
        package / "backends" / "python" / "libtriton_python.so",
        package / "backends" / "python" / "triton_python_backend_utils.py",
        stub,
    ]
    for source in sources:
        _install(source, python_dir / source.name)
    return backends


def _install(source: Path, destination: Path) -> None:
    """Copy unless an identical copy is there; replace by rename, never by writing in place.

    After a crash the old stub processes may still be running the old copy, and opening a
    running executable for writing fails with ETXTBSY; a rename just unlinks the old inode.
    """
    wanted = source.stat()
    try:
        present = destination.stat()
        if (present.st_size, present.st_mtime_ns) == (wanted.st_size, wanted.st_mtime_ns):
            return
    except FileNotFoundError:
        pass
    staging = destination.with_name(f".{destination.name}.{os.getpid()}")
    shutil.copy2(source, staging)  # copy2 keeps the stub's exec bit and the mtime compared above
    os.replace(staging, destination)


def _child_env(package: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in (str(_libs_dir(package)), env.get("LD_LIBRARY_PATH", "")) if p)
    # The stub runs model.py with whatever Python environment it inherits.
    env["PATH"] = os.pathsep.join(p for p in (str(Path(sys.executable).parent), env.get("PATH", "")) if p)
    env["VIRTUAL_ENV"] = sys.prefix
    return env


def _ports(host: str, grpc_port: int) -> tuple[int, int, int]:
    """(grpc, http, metrics); 0 picks a free port. Held open together so they differ.

    The ports are free when picked, not reserved: another process could take one before
    Triton binds it, and then start() fails with the bind error in the log.
    """
    sockets = []
    try:
        ports = []
        for wanted in (grpc_port, 0, 0):
            if wanted:
                ports.append(wanted)
                continue
            sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.bind((host, 0))
            ports.append(sock.getsockname()[1])
        return ports[0], ports[1], ports[2]
    finally:
        for sock in sockets:
            sock.close()


def _stop_leftovers(process: asyncio.subprocess.Process) -> None:
    """SIGKILL whatever is left of Triton's process group once Triton itself has exited."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # nothing left


def _signal(process: asyncio.subprocess.Process, signum: int) -> None:
    try:
        process.send_signal(signum)
    except ProcessLookupError:
        pass
