"""Bearer tokens of the management API, resolved to their user by the registry."""

from __future__ import annotations

import grpc
from aiohttp import web

from services.gateway.errors import unauthenticated
from torii.v1 import accounts_pb2, registry_service_pb2_grpc
from torii.v1 import registry_service_pb2 as rs

# However the registry words a refused token, the caller gets a 401, never a 404 that would
# tell a guesser something about tokens.
_REFUSED = {
    grpc.StatusCode.UNAUTHENTICATED,
    grpc.StatusCode.NOT_FOUND,
    grpc.StatusCode.INVALID_ARGUMENT,
    grpc.StatusCode.PERMISSION_DENIED,
}


def bearer_token(request: web.Request) -> str:
    header = request.headers.get("Authorization", "").strip()
    if not header:
        raise unauthenticated("missing bearer token: send the header Authorization: Bearer <token>")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise unauthenticated("the Authorization header must read: Bearer <token>")
    return token.strip()


async def authenticate(
    request: web.Request, registry: registry_service_pb2_grpc.RegistryServiceStub
) -> accounts_pb2.User:
    token = bearer_token(request)
    try:
        reply = await registry.AuthenticateToken(rs.AuthenticateTokenRequest(token=token))
    except grpc.aio.AioRpcError as error:
        if error.code() in _REFUSED:
            raise unauthenticated("the bearer token is not valid") from None
        raise
    return reply.user
