"""The README's pictures of the console, taken of seeded data when TORII_CONSOLE_SCREENSHOTS names
the folder to write them to (docs/console); skipped otherwise, so the suite writes nothing."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from scripts.console_screenshots import VIEWPORT, signed_out_screenshot, take_screenshots
from tests.console.conftest import ConsolePage, bearer_of, new_person
from tests.gateway.helpers import create_api, upload_model
from torii.v1 import apis_pb2
from torii.v1 import registry_service_pb2 as rs

OUT = os.environ.get("TORII_CONSOLE_SCREENSHOTS")


@pytest.mark.skipif(not OUT, reason="set TORII_CONSOLE_SCREENSHOTS=docs/console to write the README's screenshots")
async def test_take_the_readmes_screenshots(console: ConsolePage):
    out_dir = Path(OUT or "")
    gateway = console.gateway
    admin = await new_person(gateway, name="admin-ada")
    await new_person(gateway, role="member", name="member-grace")
    uploaded = await upload_model(gateway, name="iris-classifier", headers=bearer_of(admin))
    api = (
        await create_api(
            gateway,
            uploaded["version"]["model_version_id"],
            headers=bearer_of(admin),
            name="iris",
            api_type="trial",
            rules=[{"cidr": "203.0.113.0/24"}],
        )
    )["api"]
    today = datetime.now(UTC).date()
    await gateway.registry.stub.RecordUsage(
        rs.RecordUsageRequest(
            increments=[
                apis_pb2.DailyUsage(
                    api_id=api["api_id"],
                    day=(today - timedelta(days=back)).isoformat(),
                    count_2xx=(back * 7) % 23 + 3,
                    count_4xx=back % 4,
                    count_5xx=1 if back % 9 == 0 else 0,
                )
                for back in range(0, 30, 2)
            ]
        )
    )
    await console.page.set_viewport_size(VIEWPORT)
    await signed_out_screenshot(console.page, console.base_url, out_dir)
    await console.sign_in(admin)
    written = await take_screenshots(console.page, console.base_url, out_dir)
    assert {path.name for path in written} >= {"apis.png", "api-screen.png", "models.png", "users.png"}
