"""Route entries and the wrapper that authenticates and validates before a handler runs.

The app's router and the OpenAPI document are both built from lists of Route, so a route
cannot exist without being documented, nor be documented with a body it does not check.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from services.gateway.app_keys import ARTIFACTS, REGISTRY, SETTINGS, TRAINER
from services.gateway.artifacts import ArtifactStore
from services.gateway.auth import authenticate
from services.gateway.http_base.validation import Schema, read_json_body, read_query
from services.gateway.settings import GatewaySettings
from torii.v1 import (
    accounts_pb2,
    chat_key_service_pb2_grpc,
    console_session_service_pb2_grpc,
    ncp_key_service_pb2_grpc,
    registry_service_pb2_grpc,
    trainer_service_pb2_grpc,
    training_registry_service_pb2_grpc,
    workspace_service_pb2_grpc,
)


@dataclass(slots=True)
class Call:
    """What a handler needs from one request, already authenticated and validated. Not frozen: a
    frozen dataclass sets each field through object.__setattr__, five times the cost, on every
    request."""

    request: web.Request
    actor: accounts_pb2.User | None
    body: dict[str, Any]
    query: dict[str, str]

    @property
    def registry(self) -> registry_service_pb2_grpc.RegistryServiceStub:
        return self.request.app[REGISTRY].registry()

    @property
    def training_registry(self) -> training_registry_service_pb2_grpc.TrainingRegistryServiceStub:
        return self.request.app[REGISTRY].training_registry()

    @property
    def chat_keys(self) -> chat_key_service_pb2_grpc.ChatKeyServiceStub:
        return self.request.app[REGISTRY].chat_keys()

    @property
    def ncp_keys(self) -> ncp_key_service_pb2_grpc.NcpKeyServiceStub:
        return self.request.app[REGISTRY].ncp_keys()

    @property
    def console_sessions(self) -> console_session_service_pb2_grpc.ConsoleSessionServiceStub:
        return self.request.app[REGISTRY].console_sessions()

    @property
    def workspaces(self) -> workspace_service_pb2_grpc.WorkspaceServiceStub:
        return self.request.app[REGISTRY].workspaces()

    @property
    def trainer(self) -> trainer_service_pb2_grpc.TrainerServiceStub:
        return self.request.app[TRAINER]

    @property
    def settings(self) -> GatewaySettings:
        return self.request.app[SETTINGS]

    @property
    def artifacts(self) -> ArtifactStore:
        return self.request.app[ARTIFACTS]

    def path(self, name: str) -> str:
        return self.request.match_info[name]

    @property
    def user(self) -> accounts_pb2.User:
        if self.actor is None:
            raise RuntimeError("this route is not authenticated")
        return self.actor

    def account_id(self, given: str | None) -> str:
        """The account a request names, or the caller's own."""
        return given or self.user.account_id

    def base_url(self) -> str:
        return self.settings.public_base_url or f"{self.request.scheme}://{self.request.host}"


Handler = Callable[[Call], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Response:
    description: str
    schema: Schema | None = None
    media_type: str = "application/json"


@dataclass(frozen=True)
class SecurityScheme:
    """A credential a route takes, as the OpenAPI document's securitySchemes describe it."""

    name: str
    scheme: Schema


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    responses: dict[int, Response]
    body: Schema | None = None
    """JSON request body, validated before the handler runs."""
    form: Schema | None = None
    """multipart/form-data body, streamed by the handler itself (for documentation)."""
    query: Schema | None = None
    """Query parameters, validated when given; a route without one ignores its query string."""
    authenticated: bool = True
    errors: tuple[int, ...] = field(default=())
    """Error statuses this route answers besides those every route of its kind may."""
    contract_body: Schema | None = None
    """JSON body the handler reads itself, answering in its contract's shape (documented only)."""
    error_schema: Schema | None = None
    """The error body, for a route that answers in a contract's shape rather than the management one."""
    error_media_type: str = "application/json"
    """The error body's media type (the web console answers its failures as HTML pages)."""
    path_parameters: dict[str, Schema] = field(default_factory=dict)
    """Schemas of path parameters that are more than any string (an id's format, a number's bounds)."""
    contract_query: Schema | None = None
    """Query parameters the handler reads itself, answering in its contract's shape (documented only)."""
    raw_body: str | None = None
    """Media type of a body the handler streams as bytes (documented only)."""
    security: tuple[SecurityScheme, ...] = ()
    """Credentials the handler checks itself, any one of which it takes (documented only)."""
    before_password_change: bool = False
    """A console session whose password was set by someone else may call it (services.gateway.auth)."""


def aiohttp_handler(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handle(request: web.Request) -> web.StreamResponse:
        actor = None
        if route.authenticated:
            actor = await authenticate(
                request, request.app[REGISTRY], before_password_change=route.before_password_change
            )
        query = read_query(request, route.query) if route.query is not None else {}
        body: dict[str, Any] = {}
        if route.body is not None:
            body = await read_json_body(request, route.body, request.app[SETTINGS].max_json_bytes)
        return await route.handler(Call(request, actor, body, query))

    handle.__name__ = route.handler.__name__
    return handle


def json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status)
