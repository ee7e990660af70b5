"""Who calls the management API: a user's bearer token, or a web console session.

A bearer token is resolved by the registry. A console session travels as an HttpOnly cookie; every
change it makes (any method but GET and HEAD) must also carry the session's CSRF token in a header,
which a page of another site cannot read or set, and the registry checks both. A session whose
password was set by someone else may only change it (and sign in or out) until it does.
"""

from __future__ import annotations

import grpc
from aiohttp import web

from services.gateway.app_keys import RegistryClients
from services.gateway.errors import GatewayError, unauthenticated
from torii.v1 import accounts_pb2, registry_service_pb2_grpc
from torii.v1 import console_session_service_pb2 as cs
from torii.v1 import registry_service_pb2 as rs

SESSION_COOKIE = "torii_session"
CSRF_COOKIE = "torii_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD"})

# However the registry words a refused token, the caller gets a 401, never a 404 that would
# tell a guesser something about tokens.
_REFUSED = {
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.INVALID_ARGUMENT,
}


def bearer_token(request: web.Request) -> str:
    header = request.headers.get("Authorization", "").strip()
    if not header:
        raise unauthenticated("missing bearer token: send the header Authorization: Bearer <token>")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated("the Authorization header must read: Bearer <token>")
    return token.strip()


def password_change_required() -> GatewayError:
    return GatewayError(
        403,
        "PASSWORD_CHANGE_REQUIRED",
        "this password was set for you: change it first (PUT /manage/v1/password)",
    )


async def authenticate(
    request: web.Request, clients: RegistryClients, *, before_password_change: bool = False
) -> accounts_pb2.User:
    """The caller: by the bearer token when one is sent, else by the console session's cookie.
    before_password_change: the route is one a session must reach while its password is to change."""
    if "Authorization" in request.headers or SESSION_COOKIE not in request.cookies:
        return await _bearer_user(request, clients.registry())
    session = await console_session(request, clients)
    if session.must_change_password and not before_password_change:
        raise password_change_required()
    return session.user


async def console_session(request: web.Request, clients: RegistryClients) -> cs.AuthenticateSessionResponse:
    """The request's console session, its CSRF token checked unless the method changes nothing."""
    token = request.cookies.get(SESSION_COOKIE, "")
    if not token:
        raise unauthenticated("not signed in: POST /manage/v1/session with a user name and password")
    try:
        return await clients.console_sessions().AuthenticateSession(
            cs.AuthenticateSessionRequest(
                session_token=token,
                csrf_token=request.headers.get(CSRF_HEADER, ""),
                check_csrf=request.method not in SAFE_METHODS,
            )
        )
    except grpc.aio.AioRpcError as error:
        if error.code() in _REFUSED:
            raise unauthenticated("the session has ended or is not valid: sign in again") from None
        if error.code() is grpc.StatusCode.PERMISSION_DENIED:
            raise GatewayError(
                403, "CSRF_TOKEN_MISMATCH", f"a change made in a session must send the {CSRF_HEADER} header"
            ) from None
        raise


async def _bearer_user(
    request: web.Request, registry: registry_service_pb2_grpc.RegistryServiceStub
) -> accounts_pb2.User:
    token = bearer_token(request)
    try:
        reply = await registry.AuthenticateToken(rs.AuthenticateTokenRequest(token=token))
    except grpc.aio.AioRpcError as error:
        if error.code() in _REFUSED or error.code() is grpc.StatusCode.PERMISSION_DENIED:
            raise unauthenticated("the bearer token is not valid") from None
        raise
    return reply.user
