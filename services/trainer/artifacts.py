"""The artifact store: files under `<data_dir>/artifacts`, named by `file://` URIs.

Files are written under a temporary name, fsynced and renamed into place, so a reader never sees
half a file and a crash leaves at most a temporary file behind.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import AsyncIterable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from services.runtime.errors import InvalidArgument, NotFound
from services.runtime.files import fsync_path

READ_CHUNK_BYTES = 1 << 20


class TooLarge(InvalidArgument):
    """An upload went past its size limit; nothing of it was kept."""


@dataclass(frozen=True)
class StoredFile:
    uri: str
    path: Path
    sha256: str
    size_bytes: int


class _NewFile:
    """A file being written: counted against its limit and hashed as it goes."""

    def __init__(self, handle: BinaryIO, max_bytes: int) -> None:
        self._handle = handle
        self._max_bytes = max_bytes
        self.digest = hashlib.sha256()
        self.size = 0
        self._stored: StoredFile | None = None

    @property
    def stored(self) -> StoredFile:
        """The file in place; only once the block that wrote it has ended."""
        if self._stored is None:
            raise RuntimeError("the file is read before its block ended")
        return self._stored

    def place(self, stored: StoredFile) -> None:
        self._stored = stored

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self._max_bytes:
            raise TooLarge(f"the file is larger than the limit of {self._max_bytes} bytes")
        self.digest.update(chunk)
        self._handle.write(chunk)


class ArtifactStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._temporary = self.root / "tmp"

    def _new_temporary(self) -> Path:
        self._temporary.mkdir(parents=True, exist_ok=True)
        return self._temporary / f"{uuid.uuid4().hex}.part"

    def _place(self, temporary: Path, folder: str, name: str) -> Path:
        target_dir = self.root / folder
        target_dir.mkdir(parents=True, exist_ok=True)
        target = target_dir / name
        os.replace(temporary, target)
        fsync_path(target_dir)
        return target

    @contextmanager
    def _new_file(self, folder: str, name: str, max_bytes: int) -> Iterator[_NewFile]:
        """A file to write; placed when the block ends, removed when it raises."""
        temporary = self._new_temporary()
        try:
            with open(temporary, "wb") as handle:
                new_file = _NewFile(handle, max_bytes)
                yield new_file
                handle.flush()
                os.fsync(handle.fileno())
            target = self._place(temporary, folder, name)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        new_file.place(StoredFile(target.as_uri(), target, new_file.digest.hexdigest(), new_file.size))

    async def write_stream(self, chunks: AsyncIterable[bytes], *, folder: str, name: str, max_bytes: int) -> StoredFile:
        """Store a stream; TooLarge (and nothing kept) once it passes max_bytes."""
        with self._new_file(folder, name, max_bytes) as new_file:
            async for chunk in chunks:
                new_file.write(chunk)
        return new_file.stored

    def write_chunks(self, chunks: Iterable[bytes], *, folder: str, name: str, max_bytes: int) -> StoredFile:
        """write_stream for a blocking source (call it in a thread), such as a zip member inflating."""
        with self._new_file(folder, name, max_bytes) as new_file:
            for chunk in chunks:
                new_file.write(chunk)
        return new_file.stored

    def adopt(self, source: Path, *, folder: str, name: str) -> StoredFile:
        """Move a finished file (a worker's output) into the store."""
        temporary = self._new_temporary()
        shutil.move(source, temporary)
        fsync_path(temporary)
        digest = hashlib.sha256()
        with open(temporary, "rb") as handle:
            for block in iter(lambda: handle.read(READ_CHUNK_BYTES), b""):
                digest.update(block)
        size = temporary.stat().st_size
        target = self._place(temporary, folder, name)
        return StoredFile(target.as_uri(), target, digest.hexdigest(), size)

    def path_of(self, uri: str) -> Path:
        """The file a URI names; NotFound unless it is a file inside this store."""
        if not uri.startswith("file://"):
            raise NotFound(f"no artifact {uri!r}")
        path = Path(uri.removeprefix("file://")).resolve()
        if self.root not in path.parents or self._temporary in path.parents or not path.is_file():
            raise NotFound(f"no artifact {uri!r}")
        return path

    def read_chunks(self, uri: str) -> Iterator[bytes]:
        with open(self.path_of(uri), "rb") as handle:
            yield from iter(lambda: handle.read(READ_CHUNK_BYTES), b"")

    def remove(self, uri: str) -> None:
        try:
            self.path_of(uri).unlink(missing_ok=True)
        except NotFound:
            pass

    def scratch_dir(self) -> Path:
        """A fresh private folder for a worker's outputs, inside the store so a rename is atomic."""
        folder = self._temporary / uuid.uuid4().hex
        folder.mkdir(parents=True)
        return folder
