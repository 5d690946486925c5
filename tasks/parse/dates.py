"""Reads publication dates as archives write them, and refuses the ones that cannot be true."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

EARLIEST_DATE = dt.date(1900, 1, 1)
FUTURE_TOLERANCE = dt.timedelta(days=2)
# Juche year 1 is 1912: the calendar counts from Kim Il Sung's birth.
JUCHE_OFFSET = 1911
# Year 1 of each era, less one: Reiwa 1 is 2019. The Republic of China's calendar counts like Juche.
ERA_OFFSETS = {"令和": 2018, "平成": 1988, "昭和": 1925, "民國": 1911, "民国": 1911}
# How precisely a date is stated, finest first: a time of day, a day, a month, a year.
PRECISIONS = ("time", "day", "month", "year")
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
# Russian months in the genitive of dates ("15 марта"), the nominative of a month alone ("март 2023"), the
# prepositional ("в марте 2023") and the abbreviations of bylines ("15 мар 2023").
RUSSIAN_MONTH_NAMES = {
    1: "января январь январе янв", 2: "февраля февраль феврале фев", 3: "марта март марте мар",
    4: "апреля апрель апреле апр", 5: "мая май мае", 6: "июня июнь июне июн", 7: "июля июль июле июл",
    8: "августа август августе авг", 9: "сентября сентябрь сентябре сен сент",
    10: "октября октябрь октябре окт", 11: "ноября ноябрь ноябре ноя нояб", 12: "декабря декабрь декабре дек",
}  # fmt: skip
# Arabic months as Egypt and the Gulf write them and as the Levant and Iraq do (Syriac names).
ARABIC_MONTH_NAMES = {
    1: ["يناير", "كانون الثاني"], 2: ["فبراير", "شباط"], 3: ["مارس", "آذار", "اذار"],
    4: ["أبريل", "ابريل", "إبريل", "نيسان"], 5: ["مايو", "أيار", "ايار"], 6: ["يونيو", "يونيه", "حزيران"],
    7: ["يوليو", "يوليه", "تموز"], 8: ["أغسطس", "اغسطس", "آب"], 9: ["سبتمبر", "أيلول", "ايلول"],
    10: ["أكتوبر", "اكتوبر", "تشرين الأول", "تشرين الاول"], 11: ["نوفمبر", "تشرين الثاني"],
    12: ["ديسمبر", "كانون الأول", "كانون الاول"],
}  # fmt: skip
MONTH_NAMES |= {name: month for month, names in RUSSIAN_MONTH_NAMES.items() for name in names.split()}
MONTH_NAMES |= {name: month for month, names in ARABIC_MONTH_NAMES.items() for name in names}
_MONTH_ALTERNATIVES = "|".join(sorted(MONTH_NAMES, key=len, reverse=True))
# A month may be written twice, in two calendars' names: "15 آذار/مارس 2023".
_MONTH = rf"(?P<month_name>{_MONTH_ALTERNATIVES})(?!\w)\.?(?:\s*/\s*(?:{_MONTH_ALTERNATIVES})(?!\w))?"
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
# Korean, Chinese and Japanese year-month-day ("2023년 5월 3일 (수) 오후 2:30", "2023年3月21日 10时30分").
CJK_DATE = re.compile(
    r"(?P<year>\d{4})\s*[년年]\s*(?P<month>\d{1,2})\s*[월月]\s*(?P<day>\d{1,2})\s*[일日号號]"
    r"(?:\s*(?:\([월화수목금토일月火水木金土日一二三四五六天]\))?\s*(?:星期.|週.|曜日)?\s*(?P<ampm>오전|오후|上午|下午|午前|午後)?"
    r"\s*(?P<hour>\d{1,2})\s*[:시時时点點]\s*(?P<minute>\d{1,2}))?"
)
MONTH_DAY_YEAR = re.compile(
    r"(?<![\w])" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})(?!\d)" + _TIME,
    re.IGNORECASE,
)
DAY_MONTH_YEAR = re.compile(
    r"(?<![\w])(?P<day>\d{1,2})(?:st|nd|rd|th|er|º|-?го)?\.?\s+(?:(?:of|de)\s+)?"
    + _MONTH
    + r"(?:\s*,\s*|\s+)(?:del?\s+)?(?P<year>\d{4})(?!\d)(?:\s*(?:г\.|года?(?!\w)))?"
    + _TIME,
    re.IGNORECASE,
)
# A year before its month and day, as a Juche dateline writes it once the year is Gregorian: "2023, May 3".
YEAR_MONTH_DAY = re.compile(
    r"(?<![\w])(?P<year>\d{4})\s*[,.]?\s+" + _MONTH + r"\s+(?P<day>\d{1,2})(?!\d)(?:st|nd|rd|th)?",
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
DAY_PATTERNS = (
    ISO_DATE,
    CJK_DATE,
    MONTH_DAY_YEAR,
    DAY_MONTH_YEAR,
    YEAR_MONTH_DAY,
    YEAR_FIRST_NUMERIC,
    NUMERIC_DATE,
)
# Statements of a month or a year alone: read only where the page states its date (a byline, a label,
# metadata), and only when no day is written there.
MONTH_YEAR = re.compile(
    r"(?<![\w])" + _MONTH + r",?\s+(?:(?:of|de|del)\s+)?(?P<year>\d{4})(?!\d)", re.IGNORECASE
)
CJK_MONTH = re.compile(r"(?P<year>\d{4})\s*[년年]\s*(?P<month>\d{1,2})\s*[월月](?!\s*\d)")
ISO_MONTH = re.compile(r"^\s*(?P<year>\d{4})-(?P<month>\d{2})\s*$")
# "2023年", "2023 г.", or a short piece that ends with a year: "2023", "Published in 2019", "نشر عام 2023".
YEAR_ALONE = re.compile(
    r"(?<!\d)(?P<year>\d{4})\s*(?:[년年](?!\s*\d)|г\.|года?(?!\w)|год(?!\w))"
    r"|^[^\d©]{0,30}?(?<!\d)(?P<bare>(?:1[89]|20)\d{2})\s*[.)]?$"
)
COPYRIGHT = re.compile(r"©|\(c\)|copyright|all rights reserved|版权|저작권", re.I)
# A time's units and am/pm: what may stand beside a month and a day in a byline ("10時30分", "2:30 pm").
TIME_WORDS = re.compile(
    r"(?<![^\W\d_])(?:[ap]\.?m\.?|오전|오후|午前|午後|上午|下午)(?![^\W\d_])|[時分秒时点시분초]", re.I
)
LETTER = re.compile(r"[^\W\d_]")
# A month and a day with no year, in a byline: "03月21日10時30分", "5월 3일", "May 3", "3 мая".
MONTH_DAY = (
    re.compile(r"(?<![\d年년])(?P<month>\d{1,2})\s*[月월]\s*(?P<day>\d{1,2})\s*[日일]"),
    re.compile(r"(?<![\w])" + _MONTH + r"\s+(?P<day>\d{1,2})(?!\d)", re.I),
    re.compile(r"(?<![\w\d])(?P<day>\d{1,2})\.?\s+" + _MONTH, re.I),
)
JUCHE_KOREAN = re.compile(r"주체\s*(?P<juche>\d{1,3})\s*(?:\(\s*(?P<year>\d{4})\s*\))?\s*(?P<nyeon>년)?")
JUCHE_LATIN = re.compile(r"\bJuche\s+(?P<juche>\d{1,3})(?:\s*\(\s*(?P<year>\d{4})\s*\))?", re.IGNORECASE)
ERA_YEAR = re.compile(r"(?P<era>" + "|".join(ERA_OFFSETS) + r")\s*(?P<year>\d{1,2}|元)\s*年")
# Arabic-Indic and Persian digits read as the digits they are; full-width ones are folded by NFKC.
EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Datelines give a day and a month; the year is the page's. "PYONGYANG, May 3 (KCNA) --",
# "МОСКВА, 15 марта. /ТАСС/.", "Madrid, 3 may (EFE).-", "新华社北京3月21日电", "【3月21日 AFP】",
# "(평양 5월 3일발 조선중앙통신)".
_AGENCY = r"\s*(?:\([^()]{2,40}\)|/[^/]{2,30}/|[A-Z][A-Za-z.]{2,20}\s*[-–—]|[-–—]{1,2})"
_YEAR_AFTER = r"(?:,?\s+(?P<year>\d{4}))?"
_PLACE = r"^[^\W\d_][^\d,.،()]{1,40}"
DATELINES = (
    re.compile(
        _PLACE + r"[,.،]\s*" + _MONTH + r"\s+(?P<day>\d{1,2})(?!\d)" + _YEAR_AFTER + r"\.?" + _AGENCY, re.I
    ),
    re.compile(
        _PLACE + r"(?:[,.،]|\s+في)\s*(?P<day>\d{1,2})\.?\s+" + _MONTH + _YEAR_AFTER + r"\.?" + _AGENCY, re.I
    ),
    re.compile(r"^\S{0,16}?(?P<month>\d{1,2})月(?P<day>\d{1,2})日(?:电|電|讯|訊)"),
    re.compile(r"^[【\[](?P<month>\d{1,2})月(?P<day>\d{1,2})日"),
    re.compile(r"^[(【\[](?:[^\d()=]{1,12})\s*(?P<month>\d{1,2})월\s*(?P<day>\d{1,2})일발"),
)
DATELINE_CHARS = 120
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
    # An article id of letters, the day and a serial number, as agencies number their stories:
    # /view/AKR20230503012300504.
    r"|(?<=[A-Za-z])(?P<id_year>(?:19|20)\d{2})(?P<id_month>0[1-9]|1[0-2])(?P<id_day>0[1-9]|[12]\d|3[01])(?=\d{6,})"
)
# A zone written at the end of a timestamp: "Z", "+02:00", "-0300", "UTC", "GMT", "KST".
WRITTEN_OFFSET = re.compile(r"(?:\d(?:Z|[+-]\d{2}:?\d{2})|\b(?:UTC|GMT|KST))\W*$", re.IGNORECASE)
TIMEZONES = {"Z": dt.UTC, "UTC": dt.UTC, "GMT": dt.UTC, "KST": dt.timezone(dt.timedelta(hours=9))}


@dataclass(frozen=True)
class DateReading:
    """A date found in text: its value, the string it came from, or the problem that voids it.

    `coarse` is "month" or "year" when the text states no day: the value is then the period's first day,
    which search sorts and filters by, and `iso` writes only what was stated ("2023-05", "2023"). `note`
    says how a value was completed from outside the text (a dateline's year from the fetch time).
    """

    raw: str
    value: dt.date | dt.datetime | None
    problem: str | None = None
    coarse: str | None = None
    note: str | None = None

    @property
    def precision(self) -> str | None:
        if self.value is None:
            return None
        if self.coarse:
            return self.coarse
        return "time" if isinstance(self.value, dt.datetime) else "day"

    @property
    def iso(self) -> str | None:
        if self.value is None:
            return None
        if self.coarse == "year":
            return f"{self.value.year:04d}"
        if self.coarse == "month":
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()

    def holds(self, day: dt.date) -> bool:
        """Whether `day` falls in the period this reading states (its day, month or year)."""
        value = self.value
        if value is None:
            return False
        start = value.date() if isinstance(value, dt.datetime) else value
        if self.coarse == "year":
            return day.year == start.year
        if self.coarse == "month":
            return (day.year, day.month) == (start.year, start.month)
        return day == start


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
    raw: str,
    year: int,
    month: int,
    day: int,
    fields: dict,
    tz: dt.tzinfo,
    fetched: dt.datetime,
    earliest: dt.date | None = None,
) -> DateReading:
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return DateReading(raw, None, "invalid_date")
    value: dt.date | dt.datetime = date
    if fields.get("hour") is not None:
        hour, minute = int(fields["hour"]), int(fields["minute"])
        ampm = "".join((fields.get("ampm") or "").lower().replace(".", "").split())
        if ampm in ("pm", "오후", "下午", "午後") and hour < 12:
            hour += 12
        elif ampm in ("am", "오전", "上午", "午前") and hour == 12:
            hour = 0
        try:
            second = int(fields.get("second") or 0)
            value = dt.datetime(
                year, month, day, hour, minute, second, tzinfo=_timezone(fields.get("tz"), tz)
            )
        except ValueError:
            value = date
    return _checked(DateReading(raw, value), fetched, earliest)


def _coarse(
    raw: str, year: int, month: int | None, fetched: dt.datetime, earliest: dt.date | None
) -> DateReading:
    """A month or a year stated without a day: the period's first day, marked as only that precise."""
    try:
        start = dt.date(year, month or 1, 1)
    except ValueError:
        return DateReading(raw, None, "invalid_date")
    return _checked(DateReading(raw, start, coarse="month" if month else "year"), fetched, earliest)


def _period_end(reading: DateReading) -> dt.date:
    value = reading.value
    start = value.date() if isinstance(value, dt.datetime) else value
    if reading.coarse == "year":
        return dt.date(start.year, 12, 31)
    if reading.coarse == "month":
        following = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    return start


def _checked(reading: DateReading, fetched: dt.datetime, earliest: dt.date | None = None) -> DateReading:
    """The reading, or the problem that voids it: a date after the fetch (beyond a small tolerance), or
    one before the source existed (`earliest`, from the registry) or before 1900. A month or a year is
    judged by the whole period it names."""
    value = reading.value
    day = value.date() if isinstance(value, dt.datetime) else value
    if _period_end(reading) < (earliest or EARLIEST_DATE):
        problem = "date_before_source_founded" if earliest else "date_before_1900"
        return DateReading(reading.raw, None, problem)
    if isinstance(value, dt.datetime):
        too_late = value > fetched + FUTURE_TOLERANCE
    else:
        too_late = day > (fetched + FUTURE_TOLERANCE).date()
    if too_late:
        return DateReading(reading.raw, None, "date_in_future")
    return reading


def normal_text(text: str) -> str:
    """Text with its digits as ASCII digits and its Japanese and Chinese era years as Gregorian ones:
    full-width forms folded (NFKC), Arabic-Indic digits read, "令和5年" as "2023年"."""
    text = unicodedata.normalize("NFKC", text).translate(EASTERN_DIGITS)
    if "年" in text:
        text = ERA_YEAR.sub(
            lambda m: f"{ERA_OFFSETS[m['era']] + (1 if m['year'] == '元' else int(m['year']))}年", text
        )
    return text


def _gregorian_juche(text: str) -> tuple[str, str | None, int | None]:
    """Juche years rewritten as Gregorian ones; a problem when the two years written disagree; the first
    Juche year stated (a year on its own, when nothing finer follows it)."""
    problem, first_year = None, None

    def replace(match: re.Match, suffix: str) -> str:
        nonlocal problem, first_year
        juche_year = int(match["juche"]) + JUCHE_OFFSET
        if match["year"] and int(match["year"]) != juche_year:
            problem = "inconsistent_juche_year"
        year = int(match["year"] or juche_year)
        first_year = first_year or year
        return f"{year}{suffix}"

    if "주체" in text:
        text = JUCHE_KOREAN.sub(lambda m: replace(m, "년" if m["nyeon"] else ""), text)
    if "uche" in text or "UCHE" in text:
        text = JUCHE_LATIN.sub(lambda m: replace(m, ""), text)
    return text, problem, first_year


def _day_reading(pattern: re.Pattern, match: re.Match, raw: str, day_first: bool, tz, fetched, earliest):
    fields = match.groupdict()
    if pattern is NUMERIC_DATE:
        first, second = int(fields["part1"]), int(fields["part2"])
        day, month = (first, second) if day_first else (second, first)
    elif fields.get("month_name"):
        day, month = int(fields["day"]), MONTH_NAMES[fields["month_name"].lower()]
    else:
        day, month = int(fields["day"]), int(fields["month"])
    return _build(raw, int(fields["year"]), month, day, fields, tz, fetched, earliest)


def first_day_match(normal: str) -> tuple[re.Pattern, re.Match] | None:
    found = []
    for pattern in DAY_PATTERNS:
        match = pattern.search(normal)
        if match:
            found.append((match.start(), pattern, match))
    if not found:
        return None
    _, pattern, match = min(found, key=lambda item: item[0])
    return pattern, match


def _coarse_statement(normal: str, raw: str, fetched, earliest, juche_year: int | None) -> DateReading | None:
    """A month the text states without a day, the first one written; else a year."""
    found = []
    for pattern in (MONTH_YEAR, CJK_MONTH, ISO_MONTH):
        match = pattern.search(normal)
        if match:
            found.append((match.start(), pattern, match))
    if not found and (match := YEAR_ALONE.search(normal)):
        found.append((match.start(), YEAR_ALONE, match))
    if found:
        _, pattern, match = min(found, key=lambda item: item[0])
        if pattern is YEAR_ALONE:
            if match["bare"] and COPYRIGHT.search(normal):
                return None
            return _coarse(raw, int(match["year"] or match["bare"]), None, fetched, earliest)
        month = MONTH_NAMES[match["month_name"].lower()] if pattern is MONTH_YEAR else int(match["month"])
        return _coarse(raw, int(match["year"]), month, fetched, earliest)
    if juche_year:
        return _coarse(raw, juche_year, None, fetched, earliest)
    return None


def parse_date(
    text: str,
    fetched_at: str | dt.datetime | None = None,
    *,
    day_first: bool = True,
    tz: dt.tzinfo = dt.UTC,
    relative: bool = True,
    coarse: bool = False,
    earliest: dt.date | None = None,
) -> DateReading | None:
    """The first date written in `text`, or None when it holds none.

    `day_first` comes from the source's locale, never from the digits: 04/05/2019 is 4 May where the
    day comes first and 5 April where it does not. Times without an offset are in `tz`. Relative
    dates ("2 hours ago") count back from `fetched_at`; `relative=False` reads only dates written out.
    `coarse=True` also reads a month or a year stated alone ("March 2023", "2023年3月", "Juche 112"),
    as only that precise, when no day is written; a day is never filled in. Dates before `earliest` (the
    source's founding) are refused like dates in the future.
    """
    raw = " ".join(text.split())
    if not raw:
        return None
    fetched = fetch_time(fetched_at)
    normal, juche_problem, juche_year = _gregorian_juche(normal_text(raw))
    if juche_problem:
        return DateReading(raw, None, juche_problem)
    first = first_day_match(normal)
    if first is not None:
        return _day_reading(*first, raw, day_first, tz, fetched, earliest)
    if coarse:
        stated = _coarse_statement(normal, raw, fetched, earliest, juche_year)
        if stated is not None:
            return stated
    return _relative(raw, fetched) if relative else None


def dateline_day(text: str) -> tuple[int, int, str, int | None] | None:
    """(month, day, the dateline, its year or None) when `text` opens with an agency dateline, which most
    often states no year."""
    head = normal_text(" ".join(text[: DATELINE_CHARS * 2].split())[:DATELINE_CHARS])
    for pattern in DATELINES:
        match = pattern.search(head)
        if match:
            fields = match.groupdict()
            named = fields.get("month_name")
            month = MONTH_NAMES[named.lower()] if named else int(fields["month"])
            year = int(fields["year"]) if fields.get("year") else None
            return month, int(fields["day"]), match.group(0).strip(), year
    return None


def month_day(text: str) -> tuple[int, int, str] | None:
    """(month, day, the text) when a short text is a month and a day with no year, and perhaps a time:
    "03月21日10時30分", "May 3, 10:30". Anything else around them ("bis 3. April") makes it an event's."""
    normal = normal_text(text)
    for pattern in MONTH_DAY:
        match = pattern.search(normal)
        if match and not LETTER.search(
            TIME_WORDS.sub("", normal[: match.start()] + " " + normal[match.end() :])
        ):
            named = match.groupdict().get("month_name")
            month = MONTH_NAMES[named.lower()] if named else int(match["month"])
            return month, int(match["day"]), text
    return None


def stated_year(text: str, month: int | None = None) -> int | None:
    """A year a text states for itself: a Juche year with its Gregorian one ("Juche 111 (2022)",
    "주체111(2022)년"), or, in a URL, a year followed by `month` (/2023-05/, AKR20230503…)."""
    if month is not None:
        match = re.search(rf"(?<!\d)((?:19|20)\d{{2}})[/_-]?{month:02d}(?:[/_-]|\d{{2}}|$)", text)
        return int(match[1]) if match else None
    for pattern in (JUCHE_LATIN, JUCHE_KOREAN):
        match = pattern.search(text)
        if match:
            return int(match["juche"]) + JUCHE_OFFSET
    return None


def with_year(
    month: int, day: int, raw: str, year: int | None, fetched_at: str | dt.datetime | None, earliest=None
) -> DateReading:
    """A day and month completed with the year the page states elsewhere (`year`) or, when it states
    none, the latest year that does not put the day after the fetch: a dateline is written the day its
    dispatch is sent. The reading's `note` says when the year came from the fetch time."""
    fetched = fetch_time(fetched_at)
    note = None
    if year is None:
        year, note = fetched.year, "year_from_fetch_time"
        try:
            if dt.date(year, month, day) > (fetched + FUTURE_TOLERANCE).date():
                year -= 1
        except ValueError:
            pass
    reading = _build(raw, year, month, day, {}, dt.UTC, fetched, earliest)
    return replace(reading, note=note) if reading.value is not None else reading


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
    if match["id_year"]:
        year, month, day = int(match["id_year"]), int(match["id_month"]), int(match["id_day"])
    else:
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
    return replace(reading, value=value.astimezone(zone))


def states_offset(raw: str) -> bool:
    """Whether a timestamp says in which zone it is written ("…T10:00:00Z", "…+02:00"), not only a time."""
    return bool(WRITTEN_OFFSET.search(raw.strip()))


def same_moment_elsewhere(utc_reading: DateReading, other: DateReading) -> bool:
    """Whether `other` is the same instant as a UTC reading, written with a local (non-zero) offset."""
    value = other.value
    if not isinstance(value, dt.datetime) or value.utcoffset() in (None, dt.timedelta(0)):
        return False
    return value == utc_reading.value
