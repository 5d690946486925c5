"""Crawl schedules: a source's `schedule` text becomes a Celery beat entry (interval or cron)."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from celery.schedules import crontab, schedule

from newsdesk.kernel.errors import ConfigError
from newsdesk.kernel.wire import CRAWL_QUEUE, CRAWL_TASK
from newsdesk.kernel.wire import DRAIN_DEAD_LETTERS_TASK as DRAIN_TASK

DRAIN_EVERY_SECONDS = 60
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
INTERVAL = re.compile(r"^every\s+(\d+)\s*(s|m|h|d)$")
NICKNAMES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
}
MIN_INTERVAL_SECONDS = 5


def parse_schedule(text: str) -> schedule | crontab:
    """`every 10s` / `every 15m` / `every 2h` / `every 1d`, a five-field cron line, or @hourly/@daily/…

    Cron lines are read in UTC, like every time newsdesk records.
    """
    cleaned = " ".join(text.strip().lower().split())
    match = INTERVAL.match(cleaned)
    if match:
        seconds = int(match.group(1)) * UNITS[match.group(2)]
        if seconds < MIN_INTERVAL_SECONDS:
            raise ConfigError(f"schedule {text!r}: at least {MIN_INTERVAL_SECONDS}s between crawls")
        return schedule(dt.timedelta(seconds=seconds))
    fields = NICKNAMES.get(cleaned, cleaned).split(" ")
    if len(fields) != 5:
        raise ConfigError(
            f"schedule {text!r}: expected 'every N s|m|h|d', five cron fields "
            f"(minute hour day-of-month month day-of-week) or one of {', '.join(NICKNAMES)}"
        )
    minute, hour, day_of_month, month, day_of_week = fields
    try:
        return crontab(
            minute=minute,
            hour=hour,
            day_of_month=day_of_month,
            month_of_year=month,
            day_of_week=day_of_week,
        )
    except ValueError as exc:
        raise ConfigError(f"schedule {text!r}: {exc}") from exc


def expiry_seconds(entry: schedule | crontab) -> float:
    """A tick not picked up before the next one is dropped: crawls never pile up behind busy workers."""
    if isinstance(entry, crontab):
        return 3600.0
    return max(1.0, entry.run_every.total_seconds())


def entry_name(source: str) -> str:
    return f"crawl:{source}"


def beat_schedule(sources: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """One beat entry per source beat should crawl (a `schedule`, enabled, its site known), plus the
    periodic dead-letter drain."""
    entries: dict[str, dict[str, Any]] = {
        "drain-dead-letters": {
            "task": DRAIN_TASK,
            "schedule": dt.timedelta(seconds=DRAIN_EVERY_SECONDS),
            "options": {"expires": DRAIN_EVERY_SECONDS},
        }
    }
    for source in sources:
        text = getattr(source, "schedule", None)
        if not text or not getattr(source, "scheduled", True):
            continue
        try:
            when = parse_schedule(text)
        except ConfigError as exc:
            raise ConfigError(f"source {source.name!r}: {exc}") from exc
        entries[entry_name(source.name)] = {
            "task": CRAWL_TASK,
            "schedule": when,
            "args": (source.name, "schedule"),
            "options": {"expires": expiry_seconds(when), "queue": CRAWL_QUEUE},
        }
    return entries


def next_run(entry: schedule | crontab, last_run_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """When `entry` is next due, given its last run (None: never ran, so due now)."""
    if last_run_at is None:
        return now
    at_now = copy.copy(entry)
    at_now.nowfun = lambda: now  # Celery's estimate reads the clock; ours is the caller's `now`
    return now + max(at_now.remaining_estimate(last_run_at), dt.timedelta(0))
