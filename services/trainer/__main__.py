"""`python -m services.trainer`: run the trainer until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio

from services.runtime.logging import configure_logging
from services.runtime.service_main import run_until_signalled
from services.trainer.app import TrainerApp
from services.trainer.settings import TrainerSettings


def main() -> None:
    settings = TrainerSettings()
    configure_logging("trainer", settings.log_level)
    app = TrainerApp(settings)

    async def start() -> None:
        await app.start()

    asyncio.run(run_until_signalled(start, app.stop))


if __name__ == "__main__":
    main()
