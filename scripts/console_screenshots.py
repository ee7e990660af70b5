"""Screenshots of the web console's main pages for the README (docs/console/*.png).

Against a running gateway (`make run`), signed in as a user whose password needs no change:

    .venv/bin/python -m scripts.console_screenshots --base-url http://127.0.0.1:8080 --user admin --password …

It photographs what that gateway holds (the first model and the first API). The console's tests
take the same pictures of seeded data: TORII_CONSOLE_SCREENSHOTS=docs/console .venv/bin/pytest
tests/console/test_screenshots.py. Chromium is Debian's, at /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from playwright.async_api import Page, ViewportSize, async_playwright

CHROMIUM = "/usr/bin/chromium"
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}


async def _settled(page: Page) -> None:
    await page.wait_for_load_state("networkidle")
    # Charts draw on the next frames; two frames are enough once their data is in.
    await page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


async def take_screenshots(page: Page, base_url: str, out_dir: Path) -> list[Path]:
    """The signed-out page, then (signed in) APIs, the first API's screen, models, the first model
    and users; the page's context must hold a session. Returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    # A new document: a console opened before the sign-in would still hold its signed-out state.
    await page.goto("about:blank")

    async def shoot(name: str, route: str, heading: str | None = None, ready: str | None = None) -> None:
        await page.goto(f"{base_url}/console/{route}")
        if heading:
            await page.get_by_role("heading", name=heading, exact=True).wait_for()
        if ready:
            await page.get_by_test_id(ready).wait_for()
        await _settled(page)
        path = out_dir / f"{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        written.append(path)

    await shoot("apis", "#/apis", "APIs")
    first_api = page.locator("table[data-testid=apis] a").first
    if await first_api.count():
        api_id = (await first_api.get_attribute("href") or "").removeprefix("#/apis/")
        await shoot("api-screen", f"#/apis/{api_id}", ready="usage-chart")
        await page.goto(f"{base_url}/console/#/apis")
        await page.get_by_role("button", name="Create API").click()
        await page.get_by_test_id("create-api").wait_for()
        await page.screenshot(path=str(out_dir / "create-api.png"))
        written.append(out_dir / "create-api.png")
    await shoot("models", "#/models", "Models")
    first_model = page.locator("table[data-testid=models] a").first
    if await first_model.count():
        await shoot("model", (await first_model.get_attribute("href") or "#/models"))
    await shoot("users", "#/users", "Users")
    return written


async def signed_out_screenshot(page: Page, base_url: str, out_dir: Path) -> Path:
    await page.goto(f"{base_url}/console/")
    await page.get_by_role("heading", name="Sign in").wait_for()
    path = out_dir / "sign-in.png"
    out_dir.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(path))
    return path


async def main(base_url: str, user: str, password: str, out_dir: Path) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = await browser.new_context(viewport=VIEWPORT, locale="en-US")
            page = await context.new_page()
            await signed_out_screenshot(page, base_url, out_dir)
            response = await page.request.post(
                f"{base_url}/manage/v1/session", data={"user_name": user, "password": password}
            )
            if response.status != 200:
                raise SystemExit(f"sign-in refused ({response.status}): {await response.text()}")
            for path in await take_screenshots(page, base_url, out_dir):
                print(path)
        finally:
            await browser.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8080")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--out", type=Path, default=Path("docs/console"))
    arguments = parser.parse_args()
    asyncio.run(main(arguments.base_url.rstrip("/"), arguments.user, arguments.password, arguments.out))
