"""`python -m services.registry`: run the registry until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio

from services.registry.app import RegistryApp
from services.registry.settings import RegistrySettings
from services.runtime.logging import configure_logging
from services.runtime.service_main import run_until_signalled


async def main() -> None:
    settings = RegistrySettings()
    configure_logging("registry", settings.log_level)
    app = RegistryApp(settings)

    async def start() -> None:
        await app.start()

    await run_until_signalled(start, app.stop)


if __name__ == "__main__":
    asyncio.run(main())
