"""`python -m services.trainer`: run the trainer until SIGTERM or SIGINT."""

from services.runtime.service_main import run_service
from services.trainer.app import TrainerApp
from services.trainer.settings import TrainerSettings

settings = TrainerSettings()
run_service("trainer", settings, lambda: TrainerApp(settings))
