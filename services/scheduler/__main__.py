"""`python -m services.scheduler`: run the scheduler until SIGTERM or SIGINT."""

from services.runtime.service_main import run_service
from services.scheduler.app import SchedulerApp
from services.scheduler.settings import SchedulerSettings

settings = SchedulerSettings()
run_service("scheduler", settings, lambda: SchedulerApp(settings))
