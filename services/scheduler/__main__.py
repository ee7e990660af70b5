"""`python -m services.scheduler`: run the scheduler until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio

from services.runtime.logging import configure_logging
from services.runtime.service_main import run_until_signalled
from services.scheduler.app import SchedulerApp
from services.scheduler.settings import SchedulerSettings


def main() -> None:
    settings = SchedulerSettings()
    configure_logging("scheduler", settings.log_level)
    app = SchedulerApp(settings)

    async def start() -> None:
        await app.start()

    asyncio.run(run_until_signalled(start, app.stop))


if __name__ == "__main__":
    main()
