"""The artifact store writer: model files land whole or not at all.

A file is streamed to a temporary name in its final folder, counted and hashed on the way,
fsynced, and renamed into place only once it is complete and accepted; a failed or abandoned
upload leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

from services.runtime.files import fsync_path


class ArtifactTooLarge(Exception):
    def __init__(self, limit_bytes: int) -> None:
        super().__init__(f"artifact exceeds {limit_bytes} bytes")
        self.limit_bytes = limit_bytes


@dataclass(frozen=True)
class StoredArtifact:
    path: Path
    sha256: str
    size_bytes: int

    @property
    def uri(self) -> str:
        return self.path.as_uri()

    def delete(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


class PendingArtifact:
    """A file being written; commit() puts it in place, discard() forgets it."""

    def __init__(self, final_path: Path, limit_bytes: int) -> None:
        self.final_path = final_path
        self.temp_path = final_path.with_name(f".{final_path.name}.{uuid.uuid4().hex}.part")
        self._limit_bytes = limit_bytes
        self._hash = hashlib.sha256()
        self.size_bytes = 0
        self._file = open(self.temp_path, "xb")  # noqa: SIM115 - closed by seal() or discard()

    async def write(self, chunk: bytes) -> None:
        """Append chunk; raises ArtifactTooLarge (and writes nothing more) past the limit."""
        if self.size_bytes + len(chunk) > self._limit_bytes:
            raise ArtifactTooLarge(self._limit_bytes)
        self.size_bytes += len(chunk)
        await asyncio.to_thread(self._write, chunk)

    def _write(self, chunk: bytes) -> None:
        self._file.write(chunk)
        self._hash.update(chunk)

    async def seal(self) -> None:
        """Make the bytes durable under the temporary name; they can be checked before commit()."""
        await asyncio.to_thread(self._seal)

    def _seal(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    async def commit(self, suffix: str | None = None) -> StoredArtifact:
        """Put the file in place; `suffix` (e.g. ".gguf") names what the form turned out to carry."""
        if suffix is not None:
            self.final_path = self.final_path.with_suffix(suffix)
        await asyncio.to_thread(self._commit)
        return StoredArtifact(self.final_path, self._hash.hexdigest(), self.size_bytes)

    def _commit(self) -> None:
        if not self._file.closed:
            self._seal()
        os.rename(self.temp_path, self.final_path)
        fsync_path(self.final_path.parent)

    def discard(self) -> None:
        # Synchronous on purpose: it runs from cancellation paths where awaiting is not safe.
        self._file.close()
        with contextlib.suppress(FileNotFoundError):
            self.temp_path.unlink()


class ArtifactStore:
    """<data_dir>/artifacts/models/<uuid>.onnx, one file per model version."""

    def __init__(self, data_dir: Path) -> None:
        self.models_dir = (Path(data_dir) / "artifacts" / "models").resolve()

    def new_model_file(self, limit_bytes: int, suffix: str = ".onnx") -> PendingArtifact:
        self.models_dir.mkdir(parents=True, exist_ok=True)
        return PendingArtifact(self.models_dir / f"{uuid.uuid4()}{suffix}", limit_bytes)
