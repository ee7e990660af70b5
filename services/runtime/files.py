"""Durable files: fsync a file or a folder, so a rename into place survives a crash."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def fsync_path(path: Path) -> None:
    """fsync a file's data, or a folder's entries (after a rename into it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_private_file(path: Path, data: bytes) -> None:
    """Replace path with data, readable by its owner only, all or nothing: a crash leaves the old
    file or the new one, never an empty or partial one (written beside it, then renamed)."""
    staged = staged_private_file(path, data)
    try:
        os.replace(staged, path)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    fsync_path(path.parent)


def staged_private_file(path: Path, data: bytes) -> Path:
    """A new file beside path holding data, owner-only and on disk, under a name no other process
    or thread uses: ready to be linked or renamed to path, so path is never seen half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


def create_private_file(path: Path, data: bytes) -> bool:
    """Create path holding data, owner-only, all or nothing; False, leaving it alone, when path
    already exists. A hard link fails on an existing name where a rename would replace it, so of
    several processes creating the same file exactly one wins, and all then read the winner's."""
    staged = staged_private_file(path, data)
    try:
        os.link(staged, path)
    except FileExistsError:
        return False
    finally:
        staged.unlink()
    fsync_path(path.parent)
    return True
