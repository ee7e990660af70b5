"""One Data Forest call: the signature checked, the body read in JSON or XML (§3), and the answer
written in the format the caller accepts. Operations see dicts shaped like the JSON bodies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from services.gateway.app_keys import RUNTIME
from services.gateway.dataforest import errors
from services.gateway.dataforest.access import signed_account
from services.gateway.dataforest.wire import WireError, parse_body, render, wants_xml
from services.gateway.http_base.inference_bodies import BodyRefused, is_large, raw_body
from services.gateway.serving.off_loop import off_the_loop
from services.gateway.serving.refusals import Refused
from torii.v1 import accounts_pb2

MAX_BODY_BYTES = 1024 * 1024
"""§7: a body over 1 MiB is the gateway layer's 413 / 430."""
READ_WAIT_S = 30.0


@dataclass(frozen=True)
class Operation:
    """An operation's names and what its XML leaves unsaid (wire.parse_body)."""

    request_root: str
    response_root: str
    list_paths: frozenset[str] = frozenset()
    types: Mapping[str, type[int] | type[bool]] = field(default_factory=dict)
    list_items: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DataForestCall:
    request: web.Request
    account: accounts_pb2.Account
    body: dict[str, Any]


async def read_call(request: web.Request, operation: Operation) -> DataForestCall:
    account = await signed_account(request)
    try:
        async with raw_body(request, MAX_BODY_BYTES, wait_s=READ_WAIT_S) as raw:
            if len(raw) > MAX_BODY_BYTES:
                raise errors.entity_too_large()
            content_type = request.headers.get("Content-Type")
            if is_large(request):
                body = await off_the_loop(request.app[RUNTIME], READ_WAIT_S, _parse, raw, content_type, operation)
            else:
                body = _parse(raw, content_type, operation)
    except BodyRefused as refused:
        raise errors.entity_too_large() if refused.too_large else errors.invalid_parameters() from None
    except Refused:
        raise errors.endpoint_error() from None
    except WireError as error:
        raise errors.bad_request() if error.kind == "encoding" else errors.invalid_parameters() from None
    return DataForestCall(request, account, body)


def _parse(raw: bytes, content_type: str | None, operation: Operation) -> dict[str, Any]:
    return parse_body(raw, content_type, operation.request_root, list_paths=operation.list_paths, types=operation.types)


def answer(call: DataForestCall, body: Mapping[str, Any], operation: Operation) -> web.Response:
    """The success answer, in XML when the caller accepts only XML (§3), else JSON."""
    data, content_type = render(
        body, operation.response_root, xml=answers_in_xml(call.request), list_items=operation.list_items
    )
    return web.Response(body=data, headers={"Content-Type": content_type})


def answers_in_xml(request: web.Request) -> bool:
    return wants_xml(request.headers.get("Accept"))
