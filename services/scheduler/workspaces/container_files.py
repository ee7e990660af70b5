"""The file side of podman workspaces, run in threads: tar streams into and out of containers, paths contained.

Inputs go in as one tar stream holding each at its full container path (links stay links, owned by root);
outputs come out as a tar stream extracted into a staging folder beside their destination, links kept inside
the one output they belong to, then renamed into place. Container paths are checked to be absolute and
normalised before any of it, and a workdir is looked up in a mounted container without leaving its root.
"""

from __future__ import annotations

import os
import posixpath
import tarfile
import tempfile
from collections import deque
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from services.scheduler.workspaces.runner import DataInput, DataOutput, WorkspaceFailed, WorkspaceSpec


@dataclass(frozen=True)
class InputPlan:
    """What goes into the container before it starts, at archive names (container paths without the `/`)."""

    workdir: str | None
    sources: tuple[tuple[Path, str], ...]


def checked_container_path(text: str, what: str) -> str:
    """An absolute container path, normalised; the tar stream names it without the leading `/`."""
    if not text.startswith("/") or "\0" in text:
        raise WorkspaceFailed(f"{what} {text!r} is not an absolute path in the container")
    return posixpath.normpath(text).replace("//", "/")


def plan_inputs(spec: WorkspaceSpec, max_bytes: int) -> InputPlan:
    """Check every input exists and that together they stay within `max_bytes`."""
    total = 0
    sources = []
    for data_input in spec.inputs:
        path = checked_container_path(data_input.path, "input path")
        if path == "/":
            raise WorkspaceFailed(f"input {data_input.source} cannot replace the container's root folder")
        if not data_input.source.exists():
            raise WorkspaceFailed(f"input {data_input.source} not found")
        total += _size(data_input, max_bytes - total)
        if total > max_bytes:
            raise WorkspaceFailed(f"the input is over this runner's limit of {max_bytes} bytes")
        sources.append((data_input.source, path.lstrip("/")))
    workdir = checked_container_path(spec.workdir, "workdir").lstrip("/") if spec.workdir else None
    return InputPlan(workdir or None, tuple(sources))


def _size(data_input: DataInput, budget: int) -> int:
    """Bytes of the regular files under the input; stops counting once past `budget`."""
    if not data_input.source.is_dir():
        return data_input.source.lstat().st_size
    total = 0
    for folder, _, files in os.walk(data_input.source):
        for file in files:
            total += os.lstat(os.path.join(folder, file)).st_size
            if total > budget:
                return total
    return total


def write_inputs(fd: int, plan: InputPlan) -> None:
    with os.fdopen(fd, "wb", closefd=False) as pipe, tarfile.open(fileobj=pipe, mode="w|") as archive:
        if plan.workdir is not None:
            folder = tarfile.TarInfo(plan.workdir)
            folder.type = tarfile.DIRTYPE
            folder.mode = 0o755
            archive.addfile(folder)
        for source, name in plan.sources:
            # Links stay links (never their targets), so an input cannot carry files from outside itself.
            archive.add(source, arcname=name, recursive=True, filter=_owned_by_root)


def _owned_by_root(member: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """Inputs belong to the container's root user; devices and pipes are left out."""
    if not (member.isreg() or member.isdir() or member.issym() or member.islnk()):
        return None
    member.uid = member.gid = 0
    member.uname = member.gname = "root"
    return member


def extract_output(fd: int, folder: Path) -> None:
    folder.mkdir()
    with os.fdopen(fd, "rb", closefd=False) as pipe, tarfile.open(fileobj=pipe, mode="r|") as archive:
        archive.extractall(folder, filter=_contained)


def _contained(member: tarfile.TarInfo, destination: str) -> tarfile.TarInfo | None:
    """tarfile's "data" filter, and links must stay inside the one output they belong to: a link to a
    sibling of the destination would otherwise leave it once moved into place."""
    member = tarfile.data_filter(member, destination)
    if member.issym() or member.islnk():
        top = PurePosixPath(member.name).parts[0]
        base = posixpath.dirname(member.name) if member.issym() else ""
        target = posixpath.normpath(posixpath.join(base, member.linkname))
        if target != top and not target.startswith(top + "/"):
            raise tarfile.LinkOutsideDestinationError(member, target)
    return member


def refuse_existing(output: DataOutput) -> None:
    if not output.overwrite and (output.destination.exists() or output.destination.is_symlink()):
        raise WorkspaceFailed(f"output destination {output.destination} exists and overwrite is false")


def staging_folder(destination: Path) -> Path:
    """A new folder beside `destination` (same file system, so moving into place is a rename)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{destination.name}.torii-", dir=destination.parent))


def move_into_place(folder: Path, output: DataOutput) -> None:
    """Move the one entry under `folder`/copy to the destination; an older destination goes to `folder`/old
    first (so the new copy takes its place in one rename) and is deleted with the folder."""
    entries = list((folder / "copy").iterdir())
    if len(entries) != 1:
        raise WorkspaceFailed(f"output {output.path} did not copy as one file or folder")
    refuse_existing(output)
    destination = output.destination
    if destination.exists() or destination.is_symlink():
        destination.rename(folder / "old")
    entries[0].rename(destination)


def folder_within(root: Path, container_path: str) -> bool:
    """Whether `container_path` is a folder under the mounted container root, resolving links as the
    container would (an absolute link points into the container, never at the host)."""
    pending = deque(PurePosixPath(container_path).parts[1:])
    current = PurePosixPath("/")
    hops = 0
    while pending:
        part = pending.popleft()
        if part in (".", ".."):
            current = current.parent if part == ".." else current
            continue
        on_host = root / (current / part).relative_to("/")
        if on_host.is_symlink():
            hops += 1
            if hops > 40:
                return False
            target = PurePosixPath(os.readlink(on_host))
            pending.extendleft(reversed(target.parts[1:] if target.is_absolute() else target.parts))
            current = PurePosixPath("/") if target.is_absolute() else current
            continue
        if not on_host.exists():
            return False
        current = current / part
    return (root / current.relative_to("/")).is_dir()
