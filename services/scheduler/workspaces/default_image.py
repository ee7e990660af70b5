"""The image every podman runner offers out of the box, and how contract image names become podman references.

Images cannot be pulled from a registry on the machines Torii runs on, so the default image is built from
Debian packages (mmdebstrap, then `podman import`) the first time a runner starts without it. Building is
synchronous: the launcher calls `ensure_default_image` once before it serves; `ensure_default_image_async`
runs the same in a thread for callers that already have an event loop.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from services.runtime.logging import get_logger

log = get_logger("workspaces")

DEFAULT_IMAGE_LIST: dict[str, list[str]] = {"python": ["torii-python:3.11"]}
"""The image list the operator offers (getDockerImageList), as the contract names images."""

DEFAULT_PODMAN_IMAGE = "localhost/torii-python:3.11"

# Measured on a 2-core Debian 12 machine: about 17 s for mmdebstrap and 4 s for the import; the limits
# leave room for a slow mirror without letting a hung build block the launcher for good.
_BUILD_TIMEOUT_S = 900
_IMPORT_TIMEOUT_S = 300
_QUERY_TIMEOUT_S = 60


class DefaultImageError(RuntimeError):
    """The default image is missing and cannot be built here."""


def podman_reference(name: str, tag: str) -> str:
    """The local podman image of the contract's `name:tag` (`dataforest/name:tag` alike): podman
    keeps images built here under `localhost/`."""
    return f"localhost/{name}:{tag}"


def ensure_default_image(podman: str = "podman", name: str = DEFAULT_PODMAN_IMAGE) -> bool:
    """Build `name` when podman does not have it. True when it was built, False when it was there."""
    podman_path = _require_tool(podman, "install it with apt-get install podman")
    if _image_exists(podman_path, name):
        log.info("workspace_image_present", image=name)
        return False
    mmdebstrap = _require_tool("mmdebstrap", "install it with apt-get install mmdebstrap")
    log.info("workspace_image_building", image=name, base="debian bookworm (mmdebstrap)")
    with tempfile.TemporaryDirectory(prefix="torii-image-") as folder:
        rootfs = Path(folder) / "rootfs.tar"
        began = time.monotonic()
        _run([mmdebstrap, "--variant=minbase", "--include=python3", "bookworm", str(rootfs)], _BUILD_TIMEOUT_S)
        log.info("workspace_image_root_built", image=name, seconds=round(time.monotonic() - began, 1))
        _run([podman_path, "import", str(rootfs), name], _IMPORT_TIMEOUT_S)
    log.info("workspace_image_built", image=name)
    return True


async def ensure_default_image_async(podman: str = "podman", name: str = DEFAULT_PODMAN_IMAGE) -> bool:
    """`ensure_default_image` off the event loop."""
    return await asyncio.to_thread(ensure_default_image, podman, name)


def _require_tool(tool: str, hint: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise DefaultImageError(f"{tool} is not installed ({hint}); the default image {DEFAULT_PODMAN_IMAGE} needs it")
    return path


def _image_exists(podman: str, name: str) -> bool:
    done = subprocess.run(
        [podman, "image", "exists", name], capture_output=True, text=True, timeout=_QUERY_TIMEOUT_S, check=False
    )
    if done.returncode in (0, 1):
        return done.returncode == 0
    raise DefaultImageError(f"podman image exists {name} failed ({done.returncode}): {done.stderr.strip()}")


def _run(command: list[str], timeout_s: float) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as error:
        raise DefaultImageError(f"{command[0]} did not finish within {timeout_s} s") from error
    if done.returncode != 0:
        tail = done.stderr.strip()[-2000:]
        raise DefaultImageError(f"{' '.join(command)} failed ({done.returncode}): {tail}")
