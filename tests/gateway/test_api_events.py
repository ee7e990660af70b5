"""GET /manage/v1/apis/events: the caller's APIs as Server-Sent Events, first all, then changes."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from services.gateway.management import api_events
from services.gateway.serving.catalog import MAX_SUBSCRIPTIONS_PER_OWNER
from tests.gateway.conftest import bearer
from tests.gateway.helpers import create_api, error_of, member_elsewhere, published_api, upload_model

EVENTS = "/manage/v1/apis/events"
# One event is a few hundred bytes; a test waits at most this long for the next.
EVENT_WAIT_S = 10.0


class EventStream:
    def __init__(self, response) -> None:
        self.response = response

    async def next(self) -> tuple[str, dict]:
        """The next event, comments (the heartbeat) skipped."""
        while True:
            block = await asyncio.wait_for(self.response.content.readuntil(b"\n\n"), EVENT_WAIT_S)
            lines = block.decode().strip().split("\n")
            if all(line.startswith(":") for line in lines):
                continue
            fields = dict(line.split(": ", 1) for line in lines)
            return fields["event"], orjson.loads(fields["data"])

    async def next_of(self, api_id: str) -> tuple[str, dict]:
        """The next event about `api_id`, those about other APIs skipped."""
        while True:
            name, data = await self.next()
            if (data.get("api_id")) == api_id:
                return name, data


async def _open(gateway, headers, query: str = "") -> EventStream:
    response = await gateway.client.get(EVENTS + query, headers=headers)
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"] == "text/event-stream"
    return EventStream(response)


async def test_the_stream_starts_with_every_api_as_get_shows_it(gateway):
    first, second = await published_api(gateway, name="first"), await published_api(gateway, name="second")
    stream = await _open(gateway, gateway.admin)
    events = [await stream.next(), await stream.next()]
    assert [name for name, _ in events] == ["api", "api"]
    by_id = {data["api_id"]: data for _, data in events}
    for api in (first, second):
        shown = await (await gateway.client.get(f"/manage/v1/apis/{api['api_id']}", headers=gateway.admin)).json()
        assert by_id[api["api_id"]] == shown["api"]
    stream.response.close()


async def test_a_change_and_a_deletion_arrive_without_asking(gateway):
    api = await published_api(gateway)
    stream = await _open(gateway, gateway.admin)
    assert (await stream.next_of(api["api_id"]))[1]["status"] == "building"

    response = await gateway.client.post(f"/manage/v1/apis/{api['api_id']}/stop", headers=gateway.admin)
    assert response.status == 200, await response.text()
    name, data = await stream.next_of(api["api_id"])
    assert (name, data["status"]) == ("api", "stopped")

    response = await gateway.client.delete(f"/manage/v1/apis/{api['api_id']}", headers=gateway.admin)
    assert response.status == 204, await response.text()
    assert await stream.next_of(api["api_id"]) == ("api_deleted", {"api_id": api["api_id"]})
    stream.response.close()


async def test_a_member_sees_only_the_apis_of_its_account(gateway):
    outsider = await member_elsewhere(gateway, "outsider")
    uploaded = await upload_model(gateway, name="their-model", headers=outsider)
    theirs = (await create_api(gateway, uploaded["version"]["model_version_id"], headers=outsider))["api"]
    ours = await published_api(gateway, name="ours")
    stream = await _open(gateway, outsider)
    assert (await stream.next()) == ("api", (await stream_api(gateway, theirs, outsider)))

    # A change to another account's API is not sent; the next event is about the member's own.
    await gateway.client.post(f"/manage/v1/apis/{ours['api_id']}/stop", headers=gateway.admin)
    await gateway.client.post(f"/manage/v1/apis/{theirs['api_id']}/stop", headers=outsider)
    name, data = await stream.next()
    assert (name, data["api_id"], data["status"]) == ("api", theirs["api_id"], "stopped")
    stream.response.close()


async def stream_api(gateway, api: dict, headers) -> dict:
    return (await (await gateway.client.get(f"/manage/v1/apis/{api['api_id']}", headers=headers)).json())["api"]


async def test_another_accounts_stream_is_refused(gateway):
    outsider = await member_elsewhere(gateway, "curious")
    account_id = (await (await gateway.client.get("/manage/v1/users", headers=gateway.admin)).json())["users"][0][
        "account_id"
    ]
    response = await gateway.client.get(f"{EVENTS}?account_id={account_id}", headers=outsider)
    await error_of(response, 403, "PERMISSION_DENIED")


async def test_streams_are_bounded_per_user(gateway):
    outsider = await member_elsewhere(gateway, "greedy")
    streams = [await _open(gateway, outsider) for _ in range(MAX_SUBSCRIPTIONS_PER_OWNER)]
    response = await gateway.client.get(EVENTS, headers=outsider)
    await error_of(response, 429, "RESOURCE_EXHAUSTED")
    assert response.headers["Retry-After"]
    # Another user is not held back by this one's streams.
    (await _open(gateway, gateway.admin)).response.close()
    for stream in streams:
        stream.response.close()


async def test_a_revoked_token_ends_its_stream(gateway, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(api_events, "HEARTBEAT_S", 0.1)
    response = await gateway.client.post(
        "/manage/v1/users", json={"name": "leaving", "role": "member"}, headers=gateway.admin
    )
    token = (await response.json())["token"]
    stream = await _open(gateway, bearer(token))
    response = await gateway.client.delete(f"/manage/v1/credentials/{token.split('.', 1)[0]}", headers=gateway.admin)
    assert response.status == 204, await response.text()
    # The server ends the stream: reading reaches its end rather than waiting for the next event.
    rest = await asyncio.wait_for(stream.response.content.read(), EVENT_WAIT_S)
    assert b"event:" not in rest
