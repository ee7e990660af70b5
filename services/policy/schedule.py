"""UTC schedules of dedicated APIs and whether a moment falls inside the window.

The scheduler loads and unloads by it and the gateway refuses by it, so both read it here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta


@dataclass(frozen=True)
class Schedule:
    """Always on, or a daily UTC window on weekdays 1 (Monday) .. 7 (Sunday)."""

    always: bool = True
    start: time | None = None
    end: time | None = None
    weekdays: tuple[int, ...] = ()

    @property
    def window(self) -> tuple[time, time]:
        """(start, end) of a schedule that is not always on, which has both."""
        if self.start is None or self.end is None:
            raise ValueError("a schedule that is not always on needs its start and end")
        return self.start, self.end


def is_within(schedule: Schedule, moment: datetime) -> bool:
    """Whether moment (any timezone) falls in the window. A window whose end precedes its start
    runs past midnight and belongs to the weekday it started on."""
    if schedule.always:
        return True
    now = moment.astimezone(UTC)
    clock = now.time().replace(tzinfo=None)
    start, end = schedule.window
    if start < end:
        return now.isoweekday() in schedule.weekdays and start <= clock < end
    if clock >= start:
        return now.isoweekday() in schedule.weekdays
    if clock < end:
        return (now - timedelta(days=1)).isoweekday() in schedule.weekdays
    return False
