"""The web console's sign-in through the management API: session and CSRF cookies, passwords."""

from __future__ import annotations

from http.cookies import SimpleCookie

from services.gateway.auth import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from tests.gateway.conftest import bearer
from tests.gateway.helpers import assert_documented, error_of

SESSION = "/manage/v1/session"
FIRST_PASSWORD = "first-password-set-by-admin"
OWN_PASSWORD = "a password of my own"


async def _user(gateway, name: str, role: str = "member") -> dict:
    response = await gateway.client.post("/manage/v1/users", json={"name": name, "role": role}, headers=gateway.admin)
    body = await response.json()
    assert response.status == 201, body
    response = await gateway.client.put(
        f"/manage/v1/users/{body['user']['user_id']}/password",
        json={"new_password": FIRST_PASSWORD},
        headers=gateway.admin,
    )
    assert response.status == 204, await response.text()
    return body


def _set_cookies(response) -> SimpleCookie:
    cookies: SimpleCookie = SimpleCookie()
    for header in response.headers.getall("Set-Cookie", []):
        cookies.load(header)
    return cookies


def _csrf(gateway) -> dict[str, str]:
    jar = {cookie.key: cookie.value for cookie in gateway.client.session.cookie_jar}
    return {CSRF_HEADER: jar[CSRF_COOKIE]}


async def _sign_in(gateway, name: str, password: str, status: int = 200) -> dict:
    response = await gateway.client.post(SESSION, json={"user_name": name, "password": password})
    body = await response.json()
    assert response.status == status, body
    if status == 200:
        assert_documented("POST", SESSION, 200, body)
        cookies = _set_cookies(response)
        assert cookies[SESSION_COOKIE]["httponly"] and cookies[SESSION_COOKIE]["samesite"] == "Strict"
        assert not cookies[CSRF_COOKIE]["httponly"] and cookies[CSRF_COOKIE]["samesite"] == "Strict"
        assert cookies[SESSION_COOKIE]["path"] == "/" and int(cookies[SESSION_COOKIE]["max-age"]) > 0
        assert not cookies[SESSION_COOKIE]["secure"]  # plain HTTP here; HTTPS sets Secure
    return body


async def test_a_first_password_must_be_changed_before_anything_else(gateway):
    await _user(gateway, "newcomer")
    signed_in = await _sign_in(gateway, "newcomer", FIRST_PASSWORD)
    assert signed_in["user"]["name"] == "newcomer" and signed_in["must_change_password"] is True

    await error_of(await gateway.client.get("/manage/v1/apis"), 403, "PASSWORD_CHANGE_REQUIRED")
    current = await gateway.client.get(SESSION)
    assert current.status == 200 and (await current.json())["must_change_password"] is True

    response = await gateway.client.put(
        "/manage/v1/password",
        json={"current_password": FIRST_PASSWORD, "new_password": OWN_PASSWORD},
        headers=_csrf(gateway),
    )
    assert response.status == 204, await response.text()
    # Every session of the user ended, this one too: its cookies are cleared.
    assert _set_cookies(response)[SESSION_COOKIE].value == ""
    await error_of(await gateway.client.get(SESSION), 401, "UNAUTHENTICATED")

    await _sign_in(gateway, "newcomer", FIRST_PASSWORD, status=401)
    signed_in = await _sign_in(gateway, "newcomer", OWN_PASSWORD)
    assert signed_in["must_change_password"] is False
    response = await gateway.client.get("/manage/v1/apis")
    assert response.status == 200, await response.text()


async def test_a_change_needs_the_csrf_header_and_a_read_does_not(gateway):
    user = await _user(gateway, "careful")
    await _sign_in(gateway, "careful", FIRST_PASSWORD)
    await gateway.client.put(
        "/manage/v1/password",
        json={"current_password": FIRST_PASSWORD, "new_password": OWN_PASSWORD},
        headers=_csrf(gateway),
    )
    await _sign_in(gateway, "careful", OWN_PASSWORD)

    assert (await gateway.client.get("/manage/v1/users")).status == 200
    await error_of(
        await gateway.client.post(f"/manage/v1/users/{user['user']['user_id']}/tokens"), 403, "CSRF_TOKEN_MISMATCH"
    )
    await error_of(
        await gateway.client.post(
            f"/manage/v1/users/{user['user']['user_id']}/tokens", headers={CSRF_HEADER: "forged"}
        ),
        403,
        "CSRF_TOKEN_MISMATCH",
    )
    await error_of(await gateway.client.delete(SESSION), 403, "CSRF_TOKEN_MISMATCH")
    response = await gateway.client.post(f"/manage/v1/users/{user['user']['user_id']}/tokens", headers=_csrf(gateway))
    assert response.status == 201, await response.text()


async def test_sign_out_ends_the_session(gateway):
    await _user(gateway, "leaver")
    await _sign_in(gateway, "leaver", FIRST_PASSWORD)
    headers = _csrf(gateway)
    jar = {cookie.key: cookie.value for cookie in gateway.client.session.cookie_jar}
    response = await gateway.client.delete(SESSION, headers=headers)
    assert response.status == 204, await response.text()
    await error_of(await gateway.client.get(SESSION), 401, "UNAUTHENTICATED")
    # The ended session is refused even when its cookie is sent again.
    response = await gateway.client.get(SESSION, cookies={SESSION_COOKIE: jar[SESSION_COOKIE]})
    await error_of(response, 401, "UNAUTHENTICATED")


async def test_wrong_and_unknown_users_get_one_answer_and_no_cookie(gateway):
    await _user(gateway, "someone")
    wrong = await gateway.client.post(SESSION, json={"user_name": "someone", "password": "not the password"})
    unknown = await gateway.client.post(SESSION, json={"user_name": "nobody", "password": "not the password"})
    for response in (wrong, unknown):
        await error_of(response, 401, "UNAUTHENTICATED")
        assert SESSION_COOKIE not in _set_cookies(response)
    assert (await wrong.json())["error"]["message"] == (await unknown.json())["error"]["message"]


async def test_no_session_and_no_token_is_refused(gateway):
    await error_of(await gateway.client.get(SESSION), 401, "UNAUTHENTICATED")
    await error_of(await gateway.client.get("/manage/v1/apis"), 401, "UNAUTHENTICATED")
    await error_of(
        await gateway.client.get("/manage/v1/apis", cookies={SESSION_COOKIE: "made-up.session"}),
        401,
        "UNAUTHENTICATED",
    )


async def test_a_bearer_token_wins_over_a_session_cookie(gateway):
    body = await _user(gateway, "both")
    await _sign_in(gateway, "both", FIRST_PASSWORD)  # a session that must change its password first
    response = await gateway.client.get("/manage/v1/apis", headers=bearer(body["token"]))
    assert response.status == 200, await response.text()


async def test_a_member_cannot_set_another_users_password(gateway):
    member = await _user(gateway, "plain")
    target = await _user(gateway, "target")
    response = await gateway.client.put(
        f"/manage/v1/users/{target['user']['user_id']}/password",
        json={"new_password": "taken over, I hope"},
        headers=bearer(member["token"]),
    )
    await error_of(response, 403, "PERMISSION_DENIED")
    await _sign_in(gateway, "target", FIRST_PASSWORD)
