"""A contract the gateway speaks: its paths, its routes and how it words every failure.

Each contract package declares one `Contract` (its `CONTRACT`); the app is assembled from a list
of them, and one middleware answers every failure of a route in that route's contract. The
tables a contract keeps (a core refusal, a gRPC status → its failure) are declared beside the
renderers that read them, so a reader finds a contract's whole error surface in one object.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
from aiohttp import web

from services.gateway.http_base.routing import Route
from services.gateway.http_base.unreadable_requests import Unreadable
from services.gateway.serving.refusals import Refusal


@dataclass(frozen=True)
class Contract:
    name: str
    prefixes: tuple[str, ...]
    """Paths it answers for, unknown ones included; () for the gateway's own shape, which answers
    every path no other contract claims."""
    routes: tuple[Route, ...]
    failure: Callable[[web.Request, Exception], web.Response]
    """A route's failure (its own error, a refused gRPC call, a crash) as this contract's answer;
    called inside the `except` block, so a crash is logged with its traceback."""
    http_error: Callable[[web.Request, web.HTTPException], web.Response]
    """aiohttp's own refusals (no such route, wrong method, body too large) in this contract's
    shape; a 405 gets its Allow header from the middleware."""
    unreadable: Callable[[Unreadable, str], web.Response]
    """A request the HTTP parser refused (services.gateway.http_connections), with its request id."""
    refusals: Mapping[Refusal, Any] = field(default_factory=dict)
    """The inference core's refusal → this contract's failure."""
    rpc_failures: Mapping[grpc.StatusCode, Any] = field(default_factory=dict)
    """A refused gRPC call's status → this contract's failure; a status missing is a 500."""


class Contracts:
    """Which contract answers a request: its matched route's, else the one whose prefix its path
    starts with (the longest: Prediction One's lie under NNC's /v1/), else the gateway's own."""

    def __init__(self, contracts: Sequence[Contract]) -> None:
        defaults = [contract for contract in contracts if not contract.prefixes]
        if len(defaults) != 1:
            raise ValueError("exactly one contract answers the paths no other claims (prefixes=())")
        self.all = tuple(contracts)
        self.default = defaults[0]
        self._by_prefix = sorted(
            ((prefix, contract) for contract in contracts for prefix in contract.prefixes),
            key=lambda entry: len(entry[0]),
            reverse=True,
        )
        self._by_route: dict[web.AbstractRoute, Contract] = {}

    def add_routes(self, router: web.UrlDispatcher, handler_of: Callable[[Route], Any]) -> None:
        """Every contract's routes on the router, each remembered as its contract's."""
        for contract in self.all:
            for route in contract.routes:
                self._by_route[router.add_route(route.method, route.path, handler_of(route))] = contract

    def of_path(self, path: str) -> Contract:
        for prefix, contract in self._by_prefix:
            if path.startswith(prefix):
                return contract
        return self.default

    def of_request(self, request: web.BaseRequest) -> Contract:
        match_info = getattr(request, "match_info", None)
        route = getattr(match_info, "route", None)
        found = self._by_route.get(route) if route is not None else None
        return found if found is not None else self.of_path(request.path)
