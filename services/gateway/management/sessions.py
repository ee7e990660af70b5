"""The web console's sign-in: sessions as cookies, and passwords.

Signing in sets two cookies: the session (HttpOnly, so no script reads it) and its CSRF token
(readable by the console's own script, which sends it back in a header with every change; a page
of another site can neither read it nor make the browser send the session at all, SameSite=Strict).
Both are Secure when the gateway is reached over HTTPS. Changing one's own password closes every
session of the user, this one included: the console signs in again with the new password.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from services.gateway.app_keys import REGISTRY, RUNTIME
from services.gateway.auth import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, console_session
from services.gateway.http_base.peers import caller_address
from services.gateway.http_base.routing import Call, Response, Route, SecurityScheme, json
from services.gateway.http_base.schema_words import uuids
from services.gateway.management import schemas
from services.gateway.management.converters import timestamp, user_json
from services.gateway.management.sign_in_limits import SIGN_IN_LIMITS
from torii.v1 import console_session_service_pb2 as cs

CONSOLE_SESSION_SCHEME = SecurityScheme(
    "console_session",
    {
        "type": "apiKey",
        "in": "cookie",
        "name": SESSION_COOKIE,
        "description": f"the web console's session (POST /manage/v1/session); every change also sends the "
        f"{CSRF_COOKIE} cookie's value in the {CSRF_HEADER} header",
    },
)


def _session_json(user, must_change_password: bool, expires_at) -> dict:
    return {
        "user": user_json(user),
        "must_change_password": must_change_password,
        "expires_at": timestamp(expires_at),
    }


def _secure(call: Call) -> bool:
    return call.request.secure or call.settings.public_base_url.startswith("https://")


def _set_cookies(call: Call, response: web.Response, reply: cs.SignInResponse) -> None:
    max_age = max(0, int((reply.expires_at.ToDatetime(tzinfo=UTC) - datetime.now(UTC)).total_seconds()))
    secure = _secure(call)
    for name, value, http_only in (
        (SESSION_COOKIE, reply.session_token, True),
        (CSRF_COOKIE, reply.csrf_token, False),
    ):
        response.set_cookie(
            name, value, path="/", max_age=max_age, secure=secure, httponly=http_only, samesite="Strict"
        )


def _clear_cookies(call: Call, response: web.StreamResponse) -> None:
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.del_cookie(name, path="/", secure=_secure(call), samesite="Strict")


async def sign_in(call: Call) -> web.Response:
    runtime = call.request.app[RUNTIME]
    await call.request.app[SIGN_IN_LIMITS].admit(caller_address(call.request, runtime.trusted_proxies))
    reply = await call.console_sessions.SignIn(
        cs.SignInRequest(
            user_name=call.body["user_name"],
            account_name=call.body.get("account_name", ""),
            password=call.body["password"],
        )
    )
    response = json(_session_json(reply.user, reply.must_change_password, reply.expires_at))
    _set_cookies(call, response, reply)
    return response


async def current_session(call: Call) -> web.Response:
    session = await console_session(call.request, call.request.app[REGISTRY])
    return json(_session_json(session.user, session.must_change_password, session.expires_at))


async def sign_out(call: Call) -> web.StreamResponse:
    await console_session(call.request, call.request.app[REGISTRY])  # the CSRF token is checked too
    await call.console_sessions.SignOut(cs.SignOutRequest(session_token=call.request.cookies[SESSION_COOKIE]))
    response = web.Response(status=204)
    _clear_cookies(call, response)
    return response


async def change_own_password(call: Call) -> web.StreamResponse:
    await call.console_sessions.SetPassword(
        cs.SetPasswordRequest(
            actor_user_id=call.user.user_id,
            current_password=call.body["current_password"],
            new_password=call.body["new_password"],
        )
    )
    response = web.Response(status=204)
    _clear_cookies(call, response)
    return response


async def set_user_password(call: Call) -> web.StreamResponse:
    await call.console_sessions.SetPassword(
        cs.SetPasswordRequest(
            actor_user_id=call.user.user_id, user_id=call.path("user_id"), new_password=call.body["new_password"]
        )
    )
    return web.Response(status=204)


_SESSION = "/manage/v1/session"
_SESSION_INFO = {200: Response("the signed-in user", schemas.CONSOLE_SESSION)}

ROUTES = [
    Route(
        "POST",
        _SESSION,
        sign_in,
        "Sign in to the web console: sets the session and CSRF cookies",
        "sessions",
        _SESSION_INFO,
        body=schemas.SIGN_IN,
        authenticated=False,
        errors=(401, 413, 429),
    ),
    Route(
        "GET",
        _SESSION,
        current_session,
        "The console session's user, and whether its password must change",
        "sessions",
        _SESSION_INFO,
        authenticated=False,
        errors=(401,),
        security=(CONSOLE_SESSION_SCHEME,),
    ),
    Route(
        "DELETE",
        _SESSION,
        sign_out,
        "Sign out: the session ends and its cookies are cleared",
        "sessions",
        {204: Response("signed out")},
        authenticated=False,
        errors=(401, 403),
        security=(CONSOLE_SESSION_SCHEME,),
    ),
    Route(
        "PUT",
        "/manage/v1/password",
        change_own_password,
        "Change one's own password; every session of the user ends, so sign in again",
        "sessions",
        {204: Response("changed; the cookies are cleared")},
        body=schemas.CHANGE_PASSWORD,
        errors=(401, 403, 413),
        before_password_change=True,
    ),
    Route(
        "PUT",
        "/manage/v1/users/{user_id}/password",
        set_user_password,
        "Set another user's password (admins); they must change it when they next sign in",
        "accounts",
        {204: Response("set; the user's sessions are closed")},
        body=schemas.SET_PASSWORD,
        errors=(403, 404, 413),
        path_parameters=uuids("user_id"),
    ),
]
