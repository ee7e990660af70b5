"""`python -m services.gateway`: run the gateway until SIGTERM or SIGINT."""

from services.gateway.main import GatewayServer
from services.gateway.settings import GatewaySettings
from services.runtime.service_main import run_service

settings = GatewaySettings()
run_service("gateway", settings, lambda: GatewayServer(settings))
