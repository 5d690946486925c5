"""Unit tests for crawl schedules: the text a source carries becomes the right beat entry."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from celery.schedules import crontab, schedule

from newsdesk.kernel.errors import ConfigError
from newsdesk.kernel.schedules import beat_schedule, expiry_seconds, next_run, parse_schedule
from newsdesk.kernel.sources import Source
from newsdesk.kernel.wire import CRAWL_QUEUE, CRAWL_TASK


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("every 10s", 10), ("every 15m", 900), ("Every  2 h", 7200), ("every 1d", 86400), ("every 90 s", 90)],
)
def test_intervals(text: str, seconds: int) -> None:
    parsed = parse_schedule(text)

    assert isinstance(parsed, schedule) and not isinstance(parsed, crontab)
    assert parsed.run_every == dt.timedelta(seconds=seconds)
    assert expiry_seconds(parsed) == seconds


def test_cron_lines_and_nicknames() -> None:
    every_quarter = parse_schedule("*/15 6-18 * * mon-fri")
    hourly = parse_schedule("@hourly")

    assert isinstance(every_quarter, crontab)
    assert every_quarter.minute == {0, 15, 30, 45}
    assert every_quarter.hour == set(range(6, 19))
    assert every_quarter.day_of_week == {1, 2, 3, 4, 5}
    assert hourly.minute == {0} and hourly.hour == set(range(24))
    assert expiry_seconds(hourly) == 3600


@pytest.mark.parametrize(
    "text", ["every 2s", "every ten minutes", "* * * *", "61 * * * *", "every 5 weeks", "", "@sometimes"]
)
def test_bad_schedules_are_config_errors_that_quote_the_text(text: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_schedule(text)

    assert repr(text) in str(raised.value)


def _source(name: str, schedule_text: str | None) -> Source:
    return Source(name=name, start_urls=["http://x.test/"], article_pattern="/a/", schedule=schedule_text)


def test_beat_schedule_has_one_entry_per_scheduled_source_and_the_drain() -> None:
    entries = beat_schedule([_source("a", "every 10s"), _source("b", None), _source("c", "0 3 * * *")])

    assert set(entries) == {"crawl:a", "crawl:c", "drain-dead-letters"}
    assert entries["crawl:a"]["task"] == CRAWL_TASK
    assert entries["crawl:a"]["args"] == ("a", "schedule")
    assert entries["crawl:a"]["options"] == {"expires": 10, "queue": CRAWL_QUEUE}
    assert isinstance(entries["crawl:c"]["schedule"], crontab)


def test_a_bad_schedule_names_its_source() -> None:
    # A registry entry never gets this far (Source validates its schedule); anything else beat is given can.
    unchecked = SimpleNamespace(name="b", schedule="whenever")

    with pytest.raises(ConfigError, match="source 'b'"):
        beat_schedule([_source("a", "every 10s"), unchecked])


def test_a_source_with_a_bad_schedule_does_not_load() -> None:
    with pytest.raises(ValueError, match="'whenever'"):
        _source("b", "whenever")


def test_next_run() -> None:
    now = dt.datetime(2026, 11, 27, 12, 0, 5, tzinfo=dt.UTC)
    every_ten = parse_schedule("every 10s")

    assert next_run(every_ten, None, now) == now
    assert next_run(every_ten, now - dt.timedelta(seconds=4), now) == now + dt.timedelta(seconds=6)
    assert next_run(every_ten, now - dt.timedelta(seconds=40), now) == now
