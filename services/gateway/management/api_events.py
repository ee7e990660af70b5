"""GET /manage/v1/apis/events: the caller's APIs as Server-Sent Events, so a page shows each
status as it changes (the web console's badges) without polling.

The gateway already watches every API (its inference catalog); a stream takes the ids that
change from there, and asks the registry for each, so what a caller sees, and whether it may see
it at all, is decided where every other management call decides it. A stream first sends every
API the caller may see, then changes: event `api` with GET /manage/v1/apis/{id}'s `api` object,
event `api_deleted` with {"api_id"} for an API it had sent that is gone (or no longer visible).
The caller's credential is checked again every HEARTBEAT_S, so a revoked token or an ended session
also ends its streams; streams are bounded per user and per gateway.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import grpc
import orjson
from aiohttp import web

from services.gateway.app_keys import REGISTRY, RUNTIME
from services.gateway.auth import authenticate
from services.gateway.errors import GatewayError
from services.gateway.http_base.routing import Call, Response, Route
from services.gateway.management import schemas
from services.gateway.management.converters import api_info
from services.gateway.serving.catalog import MAX_SUBSCRIPTIONS_PER_OWNER, ApiChanges, TooManySubscriptions
from torii.v1 import registry_service_pb2 as rs

HEARTBEAT_S = 15.0


def _event(name: str, data: dict) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


@contextlib.contextmanager
def _subscription(call: Call) -> Iterator[ApiChanges]:
    try:
        with call.request.app[RUNTIME].catalog.subscribe(call.user.user_id) as changes:
            yield changes
    except TooManySubscriptions as refused:
        if refused.whole_gateway:
            message = "the gateway holds as many event streams as it may; try again shortly"
        else:
            message = f"a user may hold {MAX_SUBSCRIPTIONS_PER_OWNER} event streams at once; close one"
        raise GatewayError(429, grpc.StatusCode.RESOURCE_EXHAUSTED.name, message, {"Retry-After": "5"}) from None


async def api_events(call: Call) -> web.StreamResponse:
    account_id = call.query.get("account_id", "")
    # The snapshot comes first: an account the caller may not see is refused before the stream opens.
    listed = await call.registry.ListApis(rs.ListApisRequest(actor_user_id=call.user.user_id, account_id=account_id))
    with _subscription(call) as changes:
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
        )
        await response.prepare(call.request)
        base_url = call.base_url()
        # The last event sent for each API: a change that leaves what the caller sees as it was is not sent.
        sent: dict[str, bytes] = {}
        for api in listed.apis:
            sent[api.api_id] = event = _event("api", api_info(api, base_url))
            await response.write(event)
        while True:
            try:
                changed = await asyncio.wait_for(changes.next(), HEARTBEAT_S)
            except TimeoutError:
                if not await _still_allowed(call):
                    break
                await response.write(b": still here\n\n")
                continue
            for api_id in sorted(changed):
                await _send_change(call, response, api_id, account_id, sent, base_url)
            if changes.ended:
                break
    return response


async def _send_change(
    call: Call, response: web.StreamResponse, api_id: str, account_id: str, sent: dict[str, bytes], base_url: str
) -> None:
    try:
        reply = await call.registry.GetApi(rs.GetApiRequest(actor_user_id=call.user.user_id, api_id=api_id))
    except grpc.aio.AioRpcError as error:
        if error.code() not in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED):
            raise
        if sent.pop(api_id, None) is not None:
            await response.write(_event("api_deleted", {"api_id": api_id}))
        return
    if account_id and reply.api.account_id != account_id:
        return
    event = _event("api", api_info(reply.api, base_url))
    if sent.get(api_id) != event:
        sent[api_id] = event
        await response.write(event)


async def _still_allowed(call: Call) -> bool:
    try:
        await authenticate(call.request, call.request.app[REGISTRY])
    except GatewayError:
        return False
    return True


ROUTES = [
    Route(
        "GET",
        "/manage/v1/apis/events",
        api_events,
        "The caller's APIs as Server-Sent Events: all of them first, then each change",
        "apis",
        {200: Response("events `api` and `api_deleted`", media_type="text/event-stream")},
        query=schemas.ACCOUNT_QUERY,
        errors=(403, 429),
    ),
]
