"""Who calls: a request signed with an NCP access key (§2, §8.3, §8.9), checked by the registry,
which alone can read the key's secret. Every failure is the gateway layer's 401 / 200."""

from __future__ import annotations

import time

import grpc
from aiohttp import web

from services.gateway.app_keys import REGISTRY
from services.gateway.dataforest import errors
from services.gateway.dataforest.signature import Unsigned, signed_request
from services.policy.ncp_signature import within_window
from services.runtime.logging import get_logger
from torii.v1 import accounts_pb2
from torii.v1 import ncp_key_service_pb2 as nks

log = get_logger("dataforest")


async def signed_account(request: web.Request) -> accounts_pb2.Account:
    """The account of the key that signed the request."""
    try:
        signed = signed_request(request)
    except Unsigned as missing:
        log.info("dataforest_unsigned", header=missing.header)
        raise errors.authentication_failed() from None
    if not within_window(signed.timestamp, time.time_ns() // 1_000_000):
        raise errors.authentication_failed()
    try:
        verify = nks.VerifyNcpSignatureRequest(
            access_key=signed.access_key,
            signature=signed.signature,
            method=signed.method,
            targets=list(signed.targets),
            timestamp=signed.timestamp,
        )
    except ValueError:  # a header that is not UTF-8 text cannot be any key's
        raise errors.authentication_failed() from None
    try:
        answer = await request.app[REGISTRY].ncp_keys().VerifyNcpSignature(verify)
    except grpc.aio.AioRpcError as error:
        log.warning("dataforest_verify_failed", code=error.code().name)
        raise errors.endpoint_error() from None
    if not answer.verified:
        raise errors.authentication_failed()
    return answer.account
