"""The one error middleware: every failure of a route answered in that route's contract."""

from __future__ import annotations

from aiohttp import web

from services.gateway.http_base.contract import Contracts


def failure_middleware(contracts: Contracts):
    @web.middleware
    async def answer_failures(request: web.Request, handler) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPException as error:
            if error.status < 400:
                raise
            response = contracts.of_request(request).http_error(request, error)
            if error.status == 405:
                # RFC 9110 §15.5.6: a 405 lists the methods the URL takes, in every contract.
                response.headers["Allow"] = ", ".join(allowed_methods(error))
            return response
        except Exception as error:  # noqa: BLE001 - each contract logs it and answers in its shape
            return contracts.of_request(request).failure(request, error)

    return answer_failures


def allowed_methods(error: web.HTTPException) -> list[str]:
    return sorted(method for method in getattr(error, "allowed_methods", ()) if method != "HEAD")
