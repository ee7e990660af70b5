"""An API as the registry and the gateway's catalog each see it: what the waits on an API's status
poll for, and what they show when the status never came."""

from __future__ import annotations

from dataclasses import dataclass

from services.gateway.app_keys import RUNTIME
from tests.urls import path_of
from torii.v1 import apis_pb2


@dataclass(frozen=True)
class Sighting:
    listed: dict
    """The registry's answer over HTTP: a management API's `api` or a Prediction One `classifier`."""
    in_catalog: int | None
    """The ApiStatus the gateway's catalog holds for it; None while the catalog lacks it."""

    def __repr__(self) -> str:
        catalog = "absent" if self.in_catalog is None else apis_pb2.ApiStatus.Name(self.in_catalog)
        return f"stayed {self.listed['status']} ({self.listed['status_message']}); the gateway's catalog: {catalog}"


def sighting(client, listed: dict) -> Sighting:
    """`listed` together with what the gateway behind `client` holds for its URL."""
    catalog = client.app[RUNTIME].catalog
    # Chat APIs share one URL: the catalog knows them by id (and by key).
    seen = catalog.get(listed["api_id"]) if "api_id" in listed else catalog.find(path_of(listed["url"]))
    return Sighting(listed, None if seen is None else seen.api.status)
