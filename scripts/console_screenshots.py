"""Screenshots of the web console's main pages for the README (docs/console/*.png).

Against a running gateway (`make run`), signed in as a user whose password needs no change:

    .venv/bin/python -m scripts.console_screenshots --base-url http://127.0.0.1:8080 --user admin --password …

It photographs what that gateway holds (the first model, the first API, a running training job or
else the newest). The console's tests take the same pictures of seeded data:
TORII_CONSOLE_SCREENSHOTS=docs/console .venv/bin/pytest tests/console/test_screenshots.py.
Chromium is Debian's, at /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from playwright.async_api import FloatRect, Page, ViewportSize, async_playwright

CHROMIUM = "/usr/bin/chromium"
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
# The console's "common.loading" in English (static/i18n.js).
LOADING = "Loading…"
# Room left below the last element a clipped picture shows.
MARGIN_PX = 24


async def _settled(page: Page) -> None:
    await page.wait_for_load_state("networkidle")
    # Parts of a page read on their own after it shows; each says "Loading…" (English, as this context's locale)
    # until its answer is in.
    await page.wait_for_function(f"() => !document.body.innerText.includes({LOADING!r})")
    # Charts draw on the next frames; two frames are enough once their data is in.
    await page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


async def take_screenshots(page: Page, base_url: str, out_dir: Path) -> list[Path]:
    """Signed in: APIs, the first API's screen and the create dialog, models, the first model, users,
    chat keys, workspaces, training and one training job (a running one where there is one); the
    page's context must hold a session. Returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    async def shoot(
        name: str,
        route: str,
        heading: str | None = None,
        ready: str | None = None,
        full_page: bool = True,
        ends_at: str | None = None,
    ) -> None:
        """The page at route once heading and the test id ready show: the whole page, or the viewport, or
        from the top down to the element of test id ends_at (what follows it repeats what the picture shows)."""
        # A new document each time: only a load (not a change of the hash) makes "networkidle" wait for the
        # page, and a console opened before the sign-in would still hold its signed-out state.
        await page.goto("about:blank")
        await page.goto(f"{base_url}/console/{route}")
        if heading:
            await page.get_by_role("heading", name=heading, exact=True).wait_for()
        if ready:
            await page.get_by_test_id(ready).wait_for()
        await _settled(page)
        path = out_dir / f"{name}.png"
        clip: FloatRect | None = None
        if ends_at:
            box = await page.get_by_test_id(ends_at).bounding_box()
            if box:
                clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": box["y"] + box["height"] + MARGIN_PX}
        await page.screenshot(path=str(path), full_page=full_page, clip=clip)
        written.append(path)

    await shoot("apis", "#/apis", "APIs")
    first_api = page.locator("table[data-testid=apis] a").first
    if await first_api.count():
        api_id = (await first_api.get_attribute("href") or "").removeprefix("#/apis/")
        # Down to the curl example: the Python one below says the same at twice the height.
        await shoot("api-screen", f"#/apis/{api_id}", ready="usage-chart", ends_at="curl-example")
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
    # The keys, and the top of the long form for a new one.
    await shoot("chat-keys", "#/chat-keys", "Chat keys", full_page=False)
    await shoot("workspaces", "#/workspaces", "Workspaces")
    await shoot("training", "#/training", "Training")
    # A job under way shows the most (its progress bar and ticking time); any job does otherwise.
    jobs = page.locator("table[data-testid=training-jobs] tbody tr")
    running = jobs.filter(has=page.locator("[data-status=running]"))
    job_link = (running if await running.count() else jobs).locator("a").first
    if await job_link.count():
        await shoot("training-job", await job_link.get_attribute("href") or "#/training", ready="training-job-info")
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
