"""`python -m services.gateway`: run the gateway until SIGTERM or SIGINT."""

import uvloop

from services.gateway.main import GatewayServer
from services.gateway.settings import GatewaySettings
from services.runtime.service_main import run_service

settings = GatewaySettings()
# uvloop: every inference passes through this process's event loop, and uvloop's costs less CPU
# per request than asyncio's own (bench/README.md); gRPC's aio stack runs on any loop.
run_service("gateway", settings, lambda: GatewayServer(settings), loop_factory=uvloop.new_event_loop)
