"""`python -m services.registry`: run the registry until SIGTERM or SIGINT."""

from services.registry.app import RegistryApp
from services.registry.settings import RegistrySettings
from services.runtime.service_main import run_service

settings = RegistrySettings()
run_service("registry", settings, lambda: RegistryApp(settings))
