"""Reads publication dates as archives write them, and refuses the ones that cannot be true."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

EARLIEST_DATE = dt.date(1900, 1, 1)
FUTURE_TOLERANCE = dt.timedelta(days=2)
# Juche year 1 is 1912: the calendar counts from Kim Il Sung's birth.
JUCHE_OFFSET = 1911
# Locales that write the month before the day (04/26/2019); every other locale writes the day first.
MONTH_FIRST_LOCALES = {"en-us", "en-ph", "fil", "fil-ph", "en-fm", "en-mh", "en-pw", "en-as", "en-gu"}

MONTH_NAMES = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
# The months as bylines write them in the languages archives meet most after English: "15. Oktober 2023",
# "3 de mayo de 2022", "1er mars 2021", "12 gennaio 2020", "5 de março de 2019", "3 mei 2018".
FOREIGN_MONTH_NAMES = {
    1: "januar jänner janvier janv enero gennaio gen janeiro januari",
    2: "februar février fevrier févr fevr febrero febbraio fevereiro fev februari",
    3: "märz maerz mär mars marzo março maart mrt",
    4: "avril avr abril aprile",
    5: "mai mayo maggio mag maio mei",
    6: "juni juin junio giugno giu junho",
    7: "juli juillet juil julio luglio lug julho",
    8: "août aout agosto ago augustus",
    9: "septembre septiembre setiembre settembre setembro",
    10: "oktober okt octobre octubre ottobre ott outubro",
    11: "novembre noviembre novembro",
    12: "dezember dez décembre decembre déc diciembre dicembre dic dezembro",
}
MONTH_NAMES |= {name: month for month, names in FOREIGN_MONTH_NAMES.items() for name in names.split()}
_MONTH = r"(?P<month_name>" + "|".join(sorted(MONTH_NAMES, key=len, reverse=True)) + r")\.?"
_AMPM = r"(?P<ampm>[aApP]\.?\s?[mM]\.?(?!\w))"
_TIME = (
    r"(?:[T\s,]+(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
    r"\s*" + _AMPM + r"?\s*(?P<tz>Z|UTC|GMT|KST|[+-]\d{2}:?\d{2})?)?"
)

ISO_DATE = re.compile(
    r"(?<!\d)(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:[T ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?(?!\d)"
)
KOREAN_DATE = re.compile(
    r"(?P<year>\d{4})\s*년\s*(?P<month>\d{1,2})\s*월\s*(?P<day>\d{1,2})\s*일"
    r"(?:\s*(?:\([월화수목금토일]\))?\s*(?P<ampm>오전|오후)?\s*(?P<hour>\d{1,2})\s*[:시]\s*(?P<minute>\d{1,2}))?"
)
MONTH_DAY_YEAR = re.compile(
    r"(?<![\w])" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})(?!\d)" + _TIME,
    re.IGNORECASE,
)
DAY_MONTH_YEAR = re.compile(
    r"(?<![\w])(?P<day>\d{1,2})(?:st|nd|rd|th|er|º)?\.?\s+(?:(?:of|de)\s+)?"
    + _MONTH
    + r",?\s+(?:del?\s+)?(?P<year>\d{4})(?!\d)"
    + _TIME,
    re.IGNORECASE,
)
YEAR_FIRST_NUMERIC = re.compile(
    r"(?<![\d.])(?P<year>\d{4})(?P<sep>[/.])\s?(?P<month>\d{1,2})(?P=sep)\s?(?P<day>\d{1,2})\.?(?![\d])"
    r"(?:\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*" + _AMPM + "?)?"
)
NUMERIC_DATE = re.compile(
    r"(?<![\d./-])(?P<part1>\d{1,2})(?P<sep>[/.-])(?P<part2>\d{1,2})(?P=sep)(?P<year>\d{4})(?![\d])"
    r"(?:\s+(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*" + _AMPM + "?)?"
)
JUCHE_KOREAN = re.compile(r"주체\s*(?P<juche>\d{1,3})\s*(?:\(\s*(?P<year>\d{4})\s*\))?\s*년")
JUCHE_LATIN = re.compile(r"\bJuche\s+(?P<juche>\d{1,3})(?:\s*\(\s*(?P<year>\d{4})\s*\))?", re.IGNORECASE)
RELATIVE = re.compile(
    r"(?P<count>\d+|an?|one)\s+(?P<unit>second|minute|min|hour|hr|day|week|month|year)s?\s+ago\b"
    r"|(?P<kcount>\d+)\s*(?P<kunit>초|분|시간|일|주|개월|달|년)\s*전",
    re.IGNORECASE,
)
RELATIVE_WORDS = {"just now": 0, "today": 0, "yesterday": 1, "방금": 0, "오늘": 0, "어제": 1}
UNIT_SECONDS = {
    "second": 1, "minute": 60, "min": 60, "hour": 3600, "hr": 3600, "day": 86400,
    "week": 7 * 86400, "month": 30 * 86400, "year": 365 * 86400,
    "초": 1, "분": 60, "시간": 3600, "일": 86400, "주": 7 * 86400, "개월": 30 * 86400, "달": 30 * 86400,
    "년": 365 * 86400,
}  # fmt: skip
URL_DATE = re.compile(
    r"(?<!\d)(?P<year>(?:19|20)\d{2})(?P<sep>[/_-]?)(?P<month>0[1-9]|1[0-2])(?P=sep)(?P<day>0[1-9]|[12]\d|3[01])"
    r"(?!\d)"
)
# A zone written at the end of a timestamp: "Z", "+02:00", "-0300", "UTC", "GMT", "KST".
WRITTEN_OFFSET = re.compile(r"(?:\d(?:Z|[+-]\d{2}:?\d{2})|\b(?:UTC|GMT|KST))\W*$", re.IGNORECASE)
TIMEZONES = {"Z": dt.UTC, "UTC": dt.UTC, "GMT": dt.UTC, "KST": dt.timezone(dt.timedelta(hours=9))}


@dataclass(frozen=True)
class DateReading:
    """A date found in text: its value, the string it came from, or the problem that voids it."""

    raw: str
    value: dt.date | dt.datetime | None
    problem: str | None = None

    @property
    def iso(self) -> str | None:
        return self.value.isoformat() if self.value is not None else None


def day_first_for(locale: str | None) -> bool:
    """Whether a locale writes 26/04/2019 (day first); only a few write the month first."""
    if not locale:
        return True
    return locale.strip().lower().replace("_", "-") not in MONTH_FIRST_LOCALES


def fetch_time(fetched_at: str | dt.datetime | None) -> dt.datetime:
    """The moment a page was fetched, tz-aware; now when unknown or unreadable."""
    if isinstance(fetched_at, dt.datetime):
        moment = fetched_at
    else:
        try:
            moment = dt.datetime.fromisoformat(fetched_at or "")
        except ValueError:
            moment = dt.datetime.now(dt.UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _timezone(text: str | None, default: dt.tzinfo) -> dt.tzinfo:
    if not text:
        return default
    if text.upper() in TIMEZONES:
        return TIMEZONES[text.upper()]
    digits = text.replace(":", "")
    sign = -1 if digits[0] == "-" else 1
    return dt.timezone(sign * dt.timedelta(hours=int(digits[1:3]), minutes=int(digits[3:5])))


def _build(
    raw: str, year: int, month: int, day: int, fields: dict, tz: dt.tzinfo, fetched: dt.datetime
) -> DateReading:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return DateReading(raw, None, "invalid_date")
    value: dt.date | dt.datetime = date
    if fields.get("hour") is not None:
        hour, minute = int(fields["hour"]), int(fields["minute"])
        ampm = "".join((fields.get("ampm") or "").lower().replace(".", "").split())
        if ampm in ("pm", "오후") and hour < 12:
            hour += 12
        elif ampm in ("am", "오전") and hour == 12:
            hour = 0
        try:
            second = int(fields.get("second") or 0)
            value = dt.datetime(
                year, month, day, hour, minute, second, tzinfo=_timezone(fields.get("tz"), tz)
            )
        except ValueError:
            value = date
    return _checked(DateReading(raw, value), fetched)


def _checked(reading: DateReading, fetched: dt.datetime) -> DateReading:
    value = reading.value
    day = value.date() if isinstance(value, dt.datetime) else value
    if day < EARLIEST_DATE:
        return DateReading(reading.raw, None, "date_before_1900")
    if isinstance(value, dt.datetime):
        too_late = value > fetched + FUTURE_TOLERANCE
    else:
        too_late = day > (fetched + FUTURE_TOLERANCE).date()
    if too_late:
        return DateReading(reading.raw, None, "date_in_future")
    return reading


def _gregorian_juche(text: str) -> tuple[str, str | None]:
    """Juche years rewritten as Gregorian ones; a problem when the two years written disagree."""
    problem = None

    def replace(match: re.Match, suffix: str) -> str:
        nonlocal problem
        juche_year = int(match["juche"]) + JUCHE_OFFSET
        if match["year"] and int(match["year"]) != juche_year:
            problem = "inconsistent_juche_year"
        return f"{match['year'] or juche_year}{suffix}"

    text = JUCHE_KOREAN.sub(lambda m: replace(m, "년"), text)
    text = JUCHE_LATIN.sub(lambda m: replace(m, ""), text)
    return text, problem


def parse_date(
    text: str,
    fetched_at: str | dt.datetime | None = None,
    *,
    day_first: bool = True,
    tz: dt.tzinfo = dt.UTC,
    relative: bool = True,
) -> DateReading | None:
    """The first date written in `text`, or None when it holds none.

    `day_first` comes from the source's locale, never from the digits: 04/05/2019 is 4 May where the
    day comes first and 5 April where it does not. Times without an offset are in `tz`. Relative
    dates ("2 hours ago") count back from `fetched_at`; `relative=False` reads only dates written out.
    """
    raw = " ".join(text.split())
    if not raw:
        return None
    fetched = fetch_time(fetched_at)
    normal, juche_problem = _gregorian_juche(raw)
    if juche_problem:
        return DateReading(raw, None, juche_problem)
    found = []
    for pattern in (ISO_DATE, KOREAN_DATE, MONTH_DAY_YEAR, DAY_MONTH_YEAR, YEAR_FIRST_NUMERIC, NUMERIC_DATE):
        match = pattern.search(normal)
        if match:
            found.append((match.start(), pattern, match))
    if found:
        _, pattern, match = min(found, key=lambda item: item[0])
        fields = match.groupdict()
        if pattern is NUMERIC_DATE:
            first, second = int(fields["part1"]), int(fields["part2"])
            day, month = (first, second) if day_first else (second, first)
        elif "month_name" in fields and fields["month_name"]:
            day, month = int(fields["day"]), MONTH_NAMES[fields["month_name"].lower()]
        else:
            day, month = int(fields["day"]), int(fields["month"])
        return _build(raw, int(fields["year"]), month, day, fields, tz, fetched)
    return _relative(raw, fetched) if relative else None


def _relative(raw: str, fetched: dt.datetime) -> DateReading | None:
    lowered = raw.lower()
    match = RELATIVE.search(lowered)
    if match:
        if match["kcount"]:
            count, unit = int(match["kcount"]), UNIT_SECONDS[match["kunit"]]
        else:
            count = 1 if match["count"] in ("a", "an", "one") else int(match["count"])
            unit = UNIT_SECONDS[match["unit"]]
        moment = fetched - dt.timedelta(seconds=count * unit)
        # Hours and minutes keep their time; days and longer are only as precise as the day.
        value = moment if unit < 86400 else moment.date()
        return _checked(DateReading(raw, value), fetched)
    for word, days_back in RELATIVE_WORDS.items():
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", lowered):
            return _checked(DateReading(raw, (fetched - dt.timedelta(days=days_back)).date()), fetched)
    return None


def date_from_url(url: str, fetched_at: str | dt.datetime | None = None) -> DateReading | None:
    """A date written in a URL's path (/2019/04/26/, /2019-04-26-title, /20190426/), if any."""
    path = urlsplit(url).path
    match = URL_DATE.search(path)
    if not match:
        return None
    year, month, day = int(match["year"]), int(match["month"]), int(match["day"])
    return _build(match.group(0), year, month, day, {}, dt.UTC, fetch_time(fetched_at))


def publisher_day(reading: DateReading, url_reading: DateReading | None) -> DateReading:
    """A UTC timestamp whose moment some time zone lived as the day in the page's URL becomes that day.

    Sites store times in UTC but date their URLs by their own calendar: 2019-01-01 00:30 in Berlin is
    2018-12-31T23:30Z. Only a whole day is known then, so the time is dropped; the raw string is kept.
    The parse stage also hands in the one day a page's metadata states without a time, for a timestamp
    written without a zone (read as UTC).
    """
    value = reading.value
    if url_reading is None or url_reading.value is None or not isinstance(value, dt.datetime):
        return reading
    if value.utcoffset() != dt.timedelta(0) or url_reading.value == value.date():
        return reading
    # Only a day some real time zone (UTC-12 to UTC+14) was living at that moment.
    earliest, latest = (value - dt.timedelta(hours=12)).date(), (value + dt.timedelta(hours=14)).date()
    if not earliest <= url_reading.value <= latest:
        return reading
    return DateReading(reading.raw, url_reading.value)


def in_source_zone(reading: DateReading, zone: dt.tzinfo) -> DateReading:
    """A UTC timestamp as the source's own clock showed it: its day is the day the publisher printed.

    2022-11-06T23:00Z from a Berlin source is a page dated 7 November (midnight there). A timestamp written
    with another offset is the publisher's own statement and stays as written.
    """
    value = reading.value
    if not isinstance(value, dt.datetime) or value.utcoffset() != dt.timedelta(0):
        return reading
    return DateReading(reading.raw, value.astimezone(zone), reading.problem)


def states_offset(raw: str) -> bool:
    """Whether a timestamp says in which zone it is written ("…T10:00:00Z", "…+02:00"), not only a time."""
    return bool(WRITTEN_OFFSET.search(raw.strip()))


def same_moment_elsewhere(utc_reading: DateReading, other: DateReading) -> bool:
    """Whether `other` is the same instant as a UTC reading, written with a local (non-zero) offset."""
    value = other.value
    if not isinstance(value, dt.datetime) or value.utcoffset() in (None, dt.timedelta(0)):
        return False
    return value == utc_reading.value
