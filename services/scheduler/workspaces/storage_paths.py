"""Data paths of workspaces (`hdfs` in the contract) on the operator's storage: a folder on the
runner's host (TORII_WORKSPACE_STORAGE_ROOT). A path from a request is contained in it."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from services.scheduler.workspaces.runner import WorkspaceFailed


def contained(root: Path, uri: str) -> Path:
    """The storage path a data URI names: `hdfs://…`, `/x` and `x` alike are under the root."""
    text = uri.removeprefix("hdfs://")
    parts = [part for part in PurePosixPath(text).parts if part not in ("/", "")]
    if not parts or any(part in (".", "..") for part in parts) or "\0" in text:
        raise WorkspaceFailed(f"data path {uri!r} is not a path inside the storage")
    resolved_root = root.resolve()
    path = resolved_root.joinpath(*parts).resolve()
    if not path.is_relative_to(resolved_root):
        raise WorkspaceFailed(f"data path {uri!r} leads outside the storage")
    return path
