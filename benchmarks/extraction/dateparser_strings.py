"""The parse stage with dateparser reading each date string instead of our own rules: the A/B that decides
which of the two reads the dates our sources write.

Everything around the string reader stays ours (which pieces of a page are read, labels, datelines,
the chain's order), so the panel measures only the reader. dateparser searches the text for a date
(`search_dates`), then says how precise it is (`DateDataParser.get_date_data`'s period).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from unittest import mock

from dateparser.date import DateDataParser
from dateparser.search import search_dates

from tasks.parse import page_dates
from tasks.parse.dates import DateReading, fetch_time
from tasks.parse.text import clean


def dateparser_date(
    text: str,
    fetched_at: str | dt.datetime | None = None,
    *,
    day_first: bool = True,
    tz: dt.tzinfo = dt.UTC,
    relative: bool = True,
    coarse: bool = False,
    earliest: dt.date | None = None,
) -> DateReading | None:
    """What `tasks.parse.dates.parse_date` answers, read by dateparser instead."""
    raw = clean(text)
    if not raw:
        return None
    fetched = fetch_time(fetched_at)
    settings = {
        "DATE_ORDER": "DMY" if day_first else "MDY",
        "RELATIVE_BASE": fetched.replace(tzinfo=None),
        "PREFER_DATES_FROM": "past",
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    try:
        found = search_dates(raw, settings=settings)
    except (ValueError, OverflowError):
        return None
    if not found:
        return None
    written, value = found[0]
    period = DateDataParser(settings=settings).get_date_data(written).period or "day"
    if period in ("month", "year") and not coarse:
        return None
    if period == "time" and not relative and not any(ch.isdigit() for ch in written):
        return None  # "yesterday", "2 hours ago" written in words: a relative date
    if period in ("month", "year"):
        start = dt.date(value.year, value.month if period == "month" else 1, 1)
        reading = DateReading(raw, start, coarse=period)
    elif period == "time":
        reading = DateReading(raw, value.replace(tzinfo=tz))
    else:
        reading = DateReading(raw, value.date())
    day = reading.value.date() if isinstance(reading.value, dt.datetime) else reading.value
    if day > (fetched + dt.timedelta(days=2)).date():
        return DateReading(raw, None, "date_in_future")
    if earliest and day < earliest:
        return DateReading(raw, None, "date_before_source_founded")
    return reading


@contextmanager
def dateparser_strings() -> Iterator[None]:
    """The parse stage's page-level date logic with dateparser as its string reader."""
    with mock.patch.object(page_dates, "parse_date", dateparser_date):
        yield


def with_dateparser_strings(reader: Callable) -> Callable:
    def read(case):
        with dateparser_strings():
            return reader(case)

    return read
