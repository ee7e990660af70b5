"""accounts/getList (§4): the Data Forest accounts the key may use. A key belongs to one Torii
account, so the list is that account: its id in Data Forest's base62 form (§4), its time with an
offset (§8.10), status RUNNING (the only value the documents show)."""

from __future__ import annotations

from datetime import UTC

from aiohttp import web

from services.gateway.dataforest.exchange import Operation, answer, read_call
from services.gateway.http_base.routing import Call
from services.policy.base62_ids import to_base62
from torii.v1 import accounts_pb2

OPERATION = Operation("GetAccountListRequest", "GetAccountListResponse", list_items={"contents": "contents"})


def account_json(account: accounts_pb2.Account) -> dict[str, object]:
    created = account.created_at.ToDatetime(tzinfo=UTC).replace(microsecond=0)
    return {
        "id": to_base62(account.account_id),
        "name": account.name,
        "principal": account.name,
        "status": "RUNNING",
        "createdAt": created.isoformat(),
        "disabled": False,
    }


async def get_account_list(routed: Call) -> web.Response:
    request = routed.request
    call = await read_call(request, OPERATION)
    return answer(
        call, {"contents": [account_json(call.account)], "message": "success", "success": True, "total": 1}, OPERATION
    )
