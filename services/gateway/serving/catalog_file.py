"""The last catalog a gateway saw, on its own disk: a gateway restarted while the registry (or its
database) is down serves formal APIs from it instead of answering 404 for every URL.

The file holds what the registry's watch stream sent (key digests, never keys) and the model
versions the APIs serve; it is written all-or-nothing, readable by its owner only, and replaced
as soon as the registry answers again. What changed meanwhile (a key revoked, an API deleted)
applies once the gateway's watch is back.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from google.protobuf.message import DecodeError

from services.runtime.api_watch import WatchedApi
from services.runtime.files import write_private_file
from services.runtime.logging import get_logger
from torii.v1 import gateway_cache_pb2, models_pb2, registry_service_pb2

log = get_logger("catalog_file")


class CatalogFile:
    def __init__(self, path: Path) -> None:
        self.path = path

    def save(self, apis: Iterable[WatchedApi], versions: Iterable[models_pb2.ModelVersion]) -> None:
        snapshot = gateway_cache_pb2.GatewayCatalogSnapshot(
            apis=[
                registry_service_pb2.WatchApisResponse(
                    type=registry_service_pb2.WATCH_EVENT_TYPE_UPSERTED,
                    api_id=item.api.api_id,
                    api=item.api,
                    keys=item.keys,
                )
                for item in apis
            ],
            model_versions=list(versions),
        )
        write_private_file(self.path, snapshot.SerializeToString())

    def load(self) -> tuple[dict[str, WatchedApi], list[models_pb2.ModelVersion]] | None:
        """The saved catalog, or None when there is none (or it cannot be read)."""
        try:
            snapshot = gateway_cache_pb2.GatewayCatalogSnapshot.FromString(self.path.read_bytes())
        except FileNotFoundError:
            return None
        except (OSError, DecodeError) as error:
            log.error("catalog_file_unreadable", path=str(self.path), error=repr(error))
            return None
        apis = {event.api_id: WatchedApi(event.api, tuple(event.keys)) for event in snapshot.apis}
        return apis, list(snapshot.model_versions)
