"""JSON answers written with orjson: compact (the contracts' sources answer {"version":"...",...}
without spaces) and fast on the inference path."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web


def json_response(body: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(body), status=status, content_type="application/json")
