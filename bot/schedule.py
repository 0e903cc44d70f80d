"""Digest schedules: a cron expression in the team's time zone, an interval (``every 15m``), or a
subscriber's own ``HH:MM``. Parsed once into APScheduler triggers, which PTB's JobQueue runs and which
also answer "when is the next one?" and "was one missed while we were down?"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.errors import UserError

_INTERVAL_RE = re.compile(r"^every\s+(\d+)\s*(s|sec|m|min|h|d)$", re.IGNORECASE)
_UNITS = {"s": "seconds", "sec": "seconds", "m": "minutes", "min": "minutes", "h": "hours", "d": "days"}
_HHMM_RE = re.compile(r"^(\d{1,2}):(\d{2})$")


class ScheduleError(UserError, ValueError):
    """A schedule users wrote that cannot be read; the message says what is expected."""


@dataclass(frozen=True)
class Schedule:
    text: str
    trigger: BaseTrigger
    interval: timedelta | None = None  # set for "every N": PTB's run_repeating is used for those

    def next_after(self, moment: datetime) -> datetime | None:
        """The first run strictly after ``moment``."""
        fire: datetime | None = self.trigger.get_next_fire_time(None, moment + timedelta(microseconds=1))
        return fire

    def missed_since(self, last_run: datetime, now: datetime) -> bool:
        """Whether a run fell due between ``last_run`` and ``now`` (one or many: they coalesce to one)."""
        fire = self.next_after(last_run)
        return fire is not None and fire <= now


def parse_schedule(text: str, tz: ZoneInfo, *, start: datetime | None = None) -> Schedule:
    """``0 9 * * *`` (cron, in ``tz``) or ``every 15m`` / ``every 2s`` / ``every 1h``."""
    cleaned = text.strip()
    m = _INTERVAL_RE.match(cleaned)
    if m:
        amount = int(m.group(1))
        if amount <= 0:
            raise ScheduleError("schedule.interval_too_small", text=text)
        delta = timedelta(**{_UNITS[m.group(2).lower()]: amount})
        trigger = IntervalTrigger(seconds=delta.total_seconds(), timezone=tz, start_date=start)
        return Schedule(cleaned, trigger, delta)
    try:
        return Schedule(cleaned, CronTrigger.from_crontab(cleaned, timezone=tz))
    except ValueError as exc:
        raise ScheduleError("schedule.unreadable", text=text) from exc


def parse_hhmm(text: str) -> time:
    """``09:30`` -> time(9, 30); anything else -> ScheduleError with the expected form."""
    m = _HHMM_RE.match(text.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ScheduleError("schedule.not_a_time", text=text.strip()[:20])
    return time(int(m.group(1)), int(m.group(2)))


def daily_at(at: time, tz: ZoneInfo) -> Schedule:
    return Schedule(f"{at:%H:%M} daily", CronTrigger(hour=at.hour, minute=at.minute, timezone=tz))
