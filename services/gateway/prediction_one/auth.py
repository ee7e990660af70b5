"""Who calls, and whether their key may call this route.

The x-api-key header holds a user's secret key (Get API Key only), an API key that Get API Key
issued for one purpose (train, deploy or retrain), or a classifier's own key (inference only).
Each route declares which of them it takes (a KeyRule, in routes.py's table); `guarded` checks an
API key against that declaration before the handler runs, so no handler can forget to, and a key
reaches exactly the routes of its purpose.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import grpc
from aiohttp import web

from services.gateway.app_keys import REGISTRY
from services.gateway.http_base.routing import Call, Handler, SecurityScheme
from services.gateway.prediction_one.clients import CLIENTS
from services.gateway.prediction_one.contract_errors import (
    INACTIVE_CREDENTIAL,
    INVALID_API_KEY,
    NOT_FOUND_CREDENTIAL,
    PredictionOneError,
    rpc_overrides,
)
from torii.v1 import accounts_pb2, training_pb2
from torii.v1 import registry_service_pb2 as rs
from torii.v1 import training_registry_service_pb2 as tr

API_KEY_HEADER = "x-api-key"
TRAIN = training_pb2.KEY_PURPOSE_TRAIN
DEPLOY = training_pb2.KEY_PURPOSE_DEPLOY
RETRAIN = training_pb2.KEY_PURPOSE_RETRAIN
PURPOSE_NAMES = {TRAIN: "train", DEPLOY: "deploy", RETRAIN: "retrain"}


@dataclass(frozen=True)
class Caller:
    user: accounts_pb2.User
    key: training_pb2.ExternalKey


@dataclass(frozen=True)
class KeyRule:
    """What a route takes in x-api-key. `purposes`: the API-key purposes it admits, checked before
    its handler runs; empty for a route whose handler checks another credential itself.
    `schemes`: the same, as the OpenAPI document describes it (any one of them)."""

    takes: str
    purposes: frozenset[training_pb2.KeyPurpose] = frozenset()
    schemes: tuple[SecurityScheme, ...] = ()


def _x_api_key(name: str, description: str) -> SecurityScheme:
    return SecurityScheme(name, {"type": "apiKey", "in": "header", "name": API_KEY_HEADER, "description": description})


_PURPOSE_SCHEMES = {
    purpose: _x_api_key(f"predictionOne{name.capitalize()}Key", f"an API key Get API Key issued for {name}")
    for purpose, name in PURPOSE_NAMES.items()
}


def api_key(*purposes: training_pb2.KeyPurpose) -> KeyRule:
    names = " or ".join(PURPOSE_NAMES[purpose] for purpose in purposes)
    return KeyRule(f"an API key for {names}", frozenset(purposes), tuple(_PURPOSE_SCHEMES[p] for p in purposes))


SECRET_KEY = KeyRule(
    "the user's secret key",
    schemes=(_x_api_key("predictionOneSecretKey", "the user's secret key (their bearer token): Get API Key only"),),
)
SIGNED_URL = KeyRule("none: the URL is signed")
CLASSIFIER_KEY = KeyRule(
    "the classifier's own key", schemes=(_x_api_key("predictionOneClassifierKey", "the classifier's own key"),)
)

_CALLER = web.RequestKey("prediction_one_caller", Caller)


def _header_key(call: Call) -> str:
    key = call.request.headers.get(API_KEY_HEADER, "").strip()
    if not key:
        raise PredictionOneError(INVALID_API_KEY)
    return key


async def secret_key_user(call: Call) -> accounts_pb2.User:
    """The user whose secret key (their bearer token) is in x-api-key."""
    with rpc_overrides(
        {
            grpc.StatusCode.UNAUTHENTICATED: NOT_FOUND_CREDENTIAL,
            grpc.StatusCode.NOT_FOUND: NOT_FOUND_CREDENTIAL,
            grpc.StatusCode.INVALID_ARGUMENT: NOT_FOUND_CREDENTIAL,
        }
    ):
        reply = (
            await call.request.app[REGISTRY]
            .registry()
            .AuthenticateToken(rs.AuthenticateTokenRequest(token=_header_key(call)))
        )
    return reply.user


async def _api_key_caller(call: Call, purposes: frozenset[training_pb2.KeyPurpose]) -> Caller:
    """The caller of an API key issued for one of these purposes. A key for another purpose is
    the contract's wrong key (`Not_found_credential.`), as an unknown one is: §5 has no other
    answer for a management key that may not do this."""
    with rpc_overrides(
        {
            grpc.StatusCode.FAILED_PRECONDITION: INACTIVE_CREDENTIAL,
            grpc.StatusCode.UNAUTHENTICATED: NOT_FOUND_CREDENTIAL,
            grpc.StatusCode.NOT_FOUND: NOT_FOUND_CREDENTIAL,
            grpc.StatusCode.INVALID_ARGUMENT: NOT_FOUND_CREDENTIAL,
        }
    ):
        reply = await call.request.app[CLIENTS].training.AuthenticateExternalKey(
            tr.AuthenticateExternalKeyRequest(api_key=_header_key(call))
        )
    if reply.key.purpose not in purposes:
        raise PredictionOneError(NOT_FOUND_CREDENTIAL)
    return Caller(reply.user, reply.key)


def guarded(rule: KeyRule, handler: Handler) -> Handler:
    """The handler, behind a check of x-api-key against the route's rule when it takes API keys."""
    if not rule.purposes:
        return handler

    @functools.wraps(handler)
    async def check_key(call: Call) -> web.StreamResponse:
        call.request[_CALLER] = await _api_key_caller(call, rule.purposes)
        return await handler(call)

    return check_key


def api_key_caller(call: Call) -> Caller:
    """The API key's holder, checked by `guarded` against the route's purposes."""
    caller = call.request.get(_CALLER)
    if caller is None:
        raise RuntimeError(f"{call.request.method} {call.request.path} declares no API key in the route table")
    return caller
