"""The folder Triton reads models from, changed only by whole-folder renames.

Triton (explicit model-control mode) reads `<root>/<name>/` when told to load `<name>`. A model
folder is assembled beside the others under a dot-name, flushed to disk, and renamed into place,
so Triton never reads a half-written config or model file, and a crash leaves only dot-folders
that `clear_stale_temporaries` removes. Not safe for two writers of the same name at once: the
scheduler's reconciler is the only writer.

A vLLM entry has no model file: its version folder holds `model.json`, the engine arguments
Triton's vLLM backend starts vLLM with, and vLLM fetches the weights itself.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path

from services.runtime.files import fsync_path
from services.runtime.logging import get_logger
from services.scheduler.triton.model_config import (
    VLLM_ENGINE_ARGS_FILE,
    ModelEntry,
    render_config,
    render_engine_args,
)
from services.tabular import predictor

log = get_logger(__name__)

VERSION = "1"
PYTHON_MODEL_SOURCE = Path(__file__).parent / "onnx_python_model" / "model.py"
TABULAR_MODEL_SOURCE = Path(__file__).parent / "tabular_python_model" / "model.py"
CHAT_MODEL_SOURCE = Path(__file__).parent / "chat_python_model" / "model.py"
# The tabular model.py imports this file, placed beside it: it runs outside the Torii package.
TABULAR_PREDICTOR_SOURCE = Path(predictor.__file__)
TABULAR_PREDICTOR_FILE = "tabular_predictor.py"
# The files each kind of Python-backend model needs beside its artifact: {name in 1/: source}.
PYTHON_MODEL_FILES = {
    "onnx": {"model.py": PYTHON_MODEL_SOURCE},
    "tabular": {"model.py": TABULAR_MODEL_SOURCE, TABULAR_PREDICTOR_FILE: TABULAR_PREDICTOR_SOURCE},
    "chat": {"model.py": CHAT_MODEL_SOURCE},
}
_TEMPORARY_PREFIXES = (".tmp-", ".old-")


class ModelRepository:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def write(self, entry: ModelEntry) -> None:
        """Place (or replace) `<root>/<entry.name>/` with config.pbtxt and version 1."""
        _check_name(entry.name)
        staging = self.root / f".tmp-{entry.name}-{secrets.token_hex(4)}"
        try:
            version_dir = staging / VERSION
            version_dir.mkdir(parents=True)
            _write_file(staging / "config.pbtxt", render_config(entry).encode())
            if entry.backend == "vllm":
                _write_file(version_dir / VLLM_ENGINE_ARGS_FILE, render_engine_args(entry).encode())
            else:
                # render_config refused an entry of any other backend without its model file.
                assert entry.artifact_path is not None and entry.artifact_file is not None
                _place_artifact(entry.artifact_path, version_dir / entry.artifact_file)
            if entry.backend == "python":
                for name, source in PYTHON_MODEL_FILES[entry.python_model].items():
                    _write_file(version_dir / name, source.read_bytes())
            fsync_path(version_dir)
            fsync_path(staging)
            self._swap_in(staging, self.root / entry.name)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    def remove(self, name: str) -> None:
        """Delete `<root>/<name>/`; nothing happens when it is absent."""
        _check_name(name)
        target = self.root / name
        if not target.exists():
            return
        # Rename first so that Triton sees the model vanish at once, not file by file.
        doomed = self.root / f".old-{name}-{secrets.token_hex(4)}"
        os.rename(target, doomed)
        fsync_path(self.root)
        shutil.rmtree(doomed, ignore_errors=True)

    def names(self) -> set[str]:
        return {p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")}

    def clear_stale_temporaries(self) -> None:
        """Remove `.tmp-*` / `.old-*` folders a crash left behind; call before writing."""
        for path in self.root.iterdir():
            if path.name.startswith(_TEMPORARY_PREFIXES):
                log.info("triton_repository_stale_removed", path=str(path))
                shutil.rmtree(path, ignore_errors=True)

    def _swap_in(self, staging: Path, target: Path) -> None:
        # rename(2) cannot replace a non-empty folder, so the old one steps aside first; between
        # the two renames the name is briefly absent, never half-written.
        old = None
        if target.exists():
            old = self.root / f".old-{target.name}-{secrets.token_hex(4)}"
            os.rename(target, old)
        os.rename(staging, target)
        fsync_path(self.root)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _check_name(name: str) -> None:
    if not name or name.startswith(".") or "/" in name or "\\" in name or "\0" in name:
        raise ValueError(f"invalid model name {name!r}")


def _place_artifact(source: Path, destination: Path) -> None:
    """Hard link when the artifact lies on the same filesystem (instant, no extra space), else copy.

    Artifacts are immutable once stored, so sharing the inode is safe.
    """
    try:
        os.link(source, destination)
        return
    except OSError:  # EXDEV across filesystems, or links not allowed: copy instead
        pass
    shutil.copyfile(source, destination)
    fsync_path(destination)


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
