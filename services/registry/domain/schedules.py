"""UTC schedules of dedicated APIs as users give them: validation (services.policy.schedule decides)."""

from __future__ import annotations

from datetime import datetime, time

from services.policy.schedule import Schedule
from services.registry.domain.types import ExecutionType
from services.runtime.errors import InvalidArgument


def parse_clock(text: str, what: str) -> time:
    try:
        parsed = datetime.strptime(text, "%H:%M")
    except (TypeError, ValueError):
        raise InvalidArgument(f"{what} must be a UTC time as HH:MM, not {text!r}") from None
    return parsed.time()


def make_schedule(always: bool, start: str, end: str, weekdays: list[int]) -> Schedule:
    if always:
        if start or end or weekdays:
            raise InvalidArgument("an 'always' schedule takes no start time, end time or weekdays")
        return Schedule()
    start_time = parse_clock(start, "schedule start time")
    end_time = parse_clock(end, "schedule end time")
    if start_time == end_time:
        raise InvalidArgument("schedule start and end times must differ (use 'always' for a full day)")
    days = sorted(set(weekdays))
    if not days:
        raise InvalidArgument("a scheduled API needs at least one weekday")
    if any(day not in range(1, 8) for day in days):
        raise InvalidArgument("weekdays must be Monday (1) through Sunday (7)")
    return Schedule(False, start_time, end_time, tuple(days))


def check_schedule_fits(schedule: Schedule, execution_type: ExecutionType) -> None:
    if not schedule.always and execution_type is ExecutionType.SERVERLESS:
        raise InvalidArgument("only dedicated APIs take a schedule; serverless APIs are always on")
