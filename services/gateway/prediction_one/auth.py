"""Who calls: the x-api-key header holds a user's secret key (Get API Key only) or an API key
that Get API Key issued, for one purpose (train, deploy or retrain)."""

from __future__ import annotations

from dataclasses import dataclass

import grpc

from services.gateway.keys import REGISTRY
from services.gateway.prediction_one import contract_errors as failures
from services.gateway.prediction_one.clients import CLIENTS
from services.gateway.prediction_one.contract_errors import PredictionOneError
from services.gateway.routing import Call
from torii.v1 import accounts_pb2, registry_service_pb2 as rs, training_pb2, training_registry_service_pb2 as tr

API_KEY_HEADER = "x-api-key"


@dataclass(frozen=True)
class Caller:
    user: accounts_pb2.User
    key: training_pb2.ExternalKey


def _header_key(call: Call) -> str:
    key = call.request.headers.get(API_KEY_HEADER, "").strip()
    if not key:
        raise PredictionOneError(failures.INVALID_API_KEY)
    return key


async def secret_key_user(call: Call) -> accounts_pb2.User:
    """The user whose secret key (their bearer token) is in x-api-key."""
    try:
        reply = await call.request.app[REGISTRY].registry().AuthenticateToken(
            rs.AuthenticateTokenRequest(token=_header_key(call))
        )
    except grpc.aio.AioRpcError as error:
        if error.code() in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
            raise PredictionOneError(failures.NOT_FOUND_CREDENTIAL) from None
        raise
    return reply.user


async def api_key_caller(call: Call, *purposes: int) -> Caller:
    """The caller of an API key issued for one of these purposes."""
    try:
        reply = await call.request.app[CLIENTS].training.AuthenticateExternalKey(
            tr.AuthenticateExternalKeyRequest(api_key=_header_key(call))
        )
    except grpc.aio.AioRpcError as error:
        if error.code() == grpc.StatusCode.FAILED_PRECONDITION:
            raise PredictionOneError(failures.INACTIVE_CREDENTIAL) from None
        if error.code() in (grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INVALID_ARGUMENT):
            raise PredictionOneError(failures.NOT_FOUND_CREDENTIAL) from None
        raise
    if reply.key.purpose not in purposes:
        raise PredictionOneError(failures.NOT_FOUND_CREDENTIAL)
    return Caller(reply.user, reply.key)
