"""Batches of usage counts the registry did not take, kept on the gateway's disk until it does.

One file per batch, named by the batch's flush id and written all-or-nothing, so a gateway that
restarts (or crashes) while the registry or its database is down still delivers them later. The
registry applies each flush id once: a batch whose first send did commit (a timeout after the
commit), or one that two gateway workers replay at once, is not counted twice.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from google.protobuf.message import DecodeError

from services.runtime.files import write_private_file
from services.runtime.logging import get_logger
from torii.v1 import registry_service_pb2

log = get_logger("usage_spool")

SUFFIX = ".usage"


class UsageSpool:
    def __init__(self, folder: Path, max_batches: int) -> None:
        self._folder = folder
        self._max_batches = max_batches

    def keep(self, batch: registry_service_pb2.RecordUsageRequest) -> bool:
        """Write the batch; False when the spool already holds max_batches (the caller keeps it)."""
        uuid.UUID(batch.flush_id)  # the file name comes from it: never a path
        if self._folder.exists() and sum(1 for _ in self._files()) >= self._max_batches:
            log.error("usage_spool_full", folder=str(self._folder), batches=self._max_batches)
            return False
        write_private_file(self._folder / f"{batch.flush_id}{SUFFIX}", batch.SerializeToString())
        return True

    def pending(self, limit: int) -> list[tuple[Path, registry_service_pb2.RecordUsageRequest]]:
        """Up to `limit` kept batches, oldest first; an unreadable file is set aside, not retried."""
        if not self._folder.exists():
            return []
        found = []
        for path in sorted(self._files(), key=_age)[:limit]:
            try:
                found.append((path, registry_service_pb2.RecordUsageRequest.FromString(path.read_bytes())))
            except FileNotFoundError:  # another gateway worker delivered it meanwhile
                continue
            except DecodeError:
                log.error("usage_spool_file_unreadable", path=str(path))
                path.rename(path.with_suffix(".unreadable"))
        return found

    def done(self, path: Path) -> None:
        path.unlink(missing_ok=True)

    def _files(self):
        return self._folder.glob(f"*{SUFFIX}")


def _age(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0
