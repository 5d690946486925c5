"""Unit tests for date reading: locales, Korean and Juche years, relative dates, URLs, implausible dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tasks.parse.dates import (
    date_from_url,
    day_first_for,
    in_source_zone,
    parse_date,
    publisher_day,
    same_moment_elsewhere,
    states_offset,
)

FETCHED_AT = "2025-07-31T10:00:00+00:00"
KST = dt.timezone(dt.timedelta(hours=9))


def iso(text: str, **kwargs) -> str | None:
    reading = parse_date(text, FETCHED_AT, **kwargs)
    assert reading is not None, f"no date found in {text!r}"
    return reading.iso


def test_day_month_trap_is_decided_by_the_locale_not_the_digits() -> None:
    assert iso("04/05/2019", day_first=day_first_for("en-GB")) == "2019-05-04"
    assert iso("04/05/2019", day_first=day_first_for("en_US")) == "2019-04-05"
    assert iso("04/05/2019", day_first=day_first_for("ko")) == "2019-05-04"
    assert iso("04/05/2019", day_first=day_first_for(None)) == "2019-05-04"


def test_day_first_date_that_only_fits_month_first_is_invalid_not_swapped() -> None:
    reading = parse_date("04/26/2019", FETCHED_AT, day_first=True)

    assert reading is not None
    assert reading.value is None
    assert reading.problem == "invalid_date"
    assert iso("04/26/2019", day_first=False) == "2019-04-26"
    assert iso("26/04/2019") == "2019-04-26"
    assert iso("26.04.2019") == "2019-04-26"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("July 30, 2025", "2025-07-30"),
        ("Published: Jul. 30, 2025", "2025-07-30"),
        ("30 July 2025", "2025-07-30"),
        ("Wednesday, 30th of July, 2025", "2025-07-30"),
        ("July 30, 2025 at 4:15 PM", "2025-07-30T16:15:00+00:00"),
    ],
)
def test_month_names(text: str, expected: str) -> None:
    assert iso(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15. Oktober 2023", "2023-10-15"),
        ("Veröffentlicht am 3. März 2020, 14:05", "2020-03-03T14:05:00+00:00"),
        ("1er mars 2021", "2021-03-01"),
        ("19 février 2020", "2020-02-19"),
        ("3 de mayo de 2022", "2022-05-03"),
        ("12 gennaio 2020", "2020-01-12"),
        ("5 de março de 2019", "2019-03-05"),
        ("3 mei 2018", "2018-05-03"),
    ],
)
def test_month_names_in_other_languages(text: str, expected: str) -> None:
    assert iso(text) == expected


def test_relative_dates_can_be_left_unread() -> None:
    assert parse_date("2 hours ago", FETCHED_AT, relative=False) is None
    assert iso("2 hours ago, 30 July 2025", relative=False) == "2025-07-30"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-04-26", "2019-04-26"),
        ("2019-04-26T08:30:00Z", "2019-04-26T08:30:00+00:00"),
        ("2019-04-26T08:30:00.123+09:00", "2019-04-26T08:30:00+09:00"),
        ("2019-04-26 08:30", "2019-04-26T08:30:00+00:00"),
        ("2019/04/26", "2019-04-26"),
        ("26/04/2019 10:15", "2019-04-26T10:15:00+00:00"),
        ("2019.4.26.", "2019-04-26"),
    ],
)
def test_iso_and_year_first(text: str, expected: str) -> None:
    assert iso(text) == expected


def test_naive_times_take_the_source_timezone() -> None:
    assert iso("2019-04-26T08:30:00", tz=KST) == "2019-04-26T08:30:00+09:00"
    assert iso("2019-04-26T08:30:00+02:00", tz=KST) == "2019-04-26T08:30:00+02:00"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019년 4월 26일", "2019-04-26"),
        ("2019년 04월 26일 (금) 오후 3:05", "2019-04-26T15:05:00+00:00"),
        ("주체108(2019)년 4월 26일", "2019-04-26"),
        ("주체108년 4월 26일", "2019-04-26"),
        ("주체 114 (2025)년 7월 30일 《로동신문》", "2025-07-30"),
        ("Pyongyang, April 26, Juche 108 (2019)", "2019-04-26"),
        ("26 April Juche 108 (2019)", "2019-04-26"),
        ("April 26, Juche 108", "2019-04-26"),
    ],
)
def test_korean_dates_and_juche_years(text: str, expected: str) -> None:
    assert iso(text) == expected


def test_juche_year_that_disagrees_with_its_gregorian_year_is_not_a_date() -> None:
    reading = parse_date("주체108(2020)년 4월 26일", FETCHED_AT)

    assert reading is not None
    assert reading.value is None
    assert reading.problem == "inconsistent_juche_year"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 hours ago", "2025-07-31T08:00:00+00:00"),
        ("an hour ago", "2025-07-31T09:00:00+00:00"),
        ("15 minutes ago", "2025-07-31T09:45:00+00:00"),
        ("3 days ago", "2025-07-28"),
        ("yesterday", "2025-07-30"),
        ("Updated today", "2025-07-31"),
        ("2시간 전", "2025-07-31T08:00:00+00:00"),
        ("3일 전", "2025-07-28"),
    ],
)
def test_relative_dates_count_back_from_the_fetch_time(text: str, expected: str) -> None:
    assert iso(text) == expected


def test_relative_dates_move_with_the_fetch_time() -> None:
    reading = parse_date("2 hours ago", "2019-04-26T01:00:00+00:00")

    assert reading is not None
    assert reading.iso == "2019-04-25T23:00:00+00:00"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/2019/04/26/some-title/", "2019-04-26"),
        ("https://example.org/news/2019-04-26-some-title.html", "2019-04-26"),
        ("https://example.org/article/20190426/123", "2019-04-26"),
        ("https://example.org/2019_04_26/x", "2019-04-26"),
    ],
)
def test_dates_in_the_url(url: str, expected: str) -> None:
    reading = date_from_url(url, FETCHED_AT)

    assert reading is not None
    assert reading.iso == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/article/123456/",
        "https://example.org/2019/13/40/x",
        "https://example.org/p?d=2019-04-26",
    ],
)
def test_urls_without_a_date(url: str) -> None:
    assert date_from_url(url, FETCHED_AT) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("26/04/2031", "date_in_future"),
        ("2025-08-03", "date_in_future"),
        ("2025-08-02T11:00:00Z", "date_in_future"),
        ("01/01/1850", "date_before_1900"),
        ("1899-12-31", "date_before_1900"),
        ("31/02/2019", "invalid_date"),
        ("2019년 13월 1일", "invalid_date"),
    ],
)
def test_implausible_dates_are_rejected_not_stored(text: str, problem: str) -> None:
    reading = parse_date(text, FETCHED_AT)

    assert reading is not None
    assert reading.value is None
    assert reading.iso is None
    assert reading.problem == problem
    assert reading.raw == text


def test_small_future_tolerance_and_1900_itself_are_accepted() -> None:
    assert iso("02/08/2025") == "2025-08-02"
    assert iso("1900-01-01") == "1900-01-01"


def test_a_future_date_in_the_url_is_rejected() -> None:
    reading = date_from_url("https://example.org/2031/04/26/x", FETCHED_AT)

    assert reading is not None
    assert reading.problem == "date_in_future"


@pytest.mark.parametrize("text", ["", "   ", "no date here", "Page 12 of 40", "call 555-1234"])
def test_text_without_a_date(text: str) -> None:
    assert parse_date(text, FETCHED_AT) is None


def test_the_raw_string_is_kept() -> None:
    reading = parse_date("  Posted   July 30, 2025 ", FETCHED_AT)

    assert reading is not None
    assert reading.raw == "Posted July 30, 2025"


@pytest.mark.parametrize(
    ("timestamp", "url", "expected"),
    [
        # 23:11 UTC on 31 December was already 1 January east of London: the URL's day wins
        ("2018-12-31T23:11:59+00:00", "https://blog.example/2019/01/01/new-year/", "2019-01-01"),
        # 02:25 UTC was still the evening before in New York
        ("2020-02-25T02:25:54Z", "https://news.example/2020/02/24/story/", "2020-02-24"),
        # 05:30 UTC on the 25th was the 26th nowhere: the timestamp stays
        ("2019-04-25T05:30:00Z", "https://news.example/2019/04/26/story/", "2019-04-25T05:30:00+00:00"),
        # a timestamp with its own offset is already the publisher's day
        ("2022-05-07T13:43:46-05:00", "https://news.example/2022/05/06/story/", "2022-05-07T13:43:46-05:00"),
        # no date in the URL, or the same day
        ("2020-02-25T02:25:54Z", "https://news.example/story/", "2020-02-25T02:25:54+00:00"),
        ("2020-02-25T02:25:54Z", "https://news.example/2020/02/25/story/", "2020-02-25T02:25:54+00:00"),
    ],
)
def test_a_utc_timestamp_takes_the_publishers_day_from_the_url(
    timestamp: str, url: str, expected: str
) -> None:
    reading = publisher_day(parse_date(timestamp, FETCHED_AT), date_from_url(url, FETCHED_AT))

    assert reading.iso == expected
    assert reading.raw == timestamp


def test_the_same_moment_written_with_the_publishers_offset_is_recognised() -> None:
    utc = parse_date("2022-05-04T03:37:37+00:00", FETCHED_AT)

    assert same_moment_elsewhere(utc, parse_date("2022-05-03T23:37:37-04:00", FETCHED_AT))
    assert not same_moment_elsewhere(utc, parse_date("2022-05-03T23:37:37-05:00", FETCHED_AT))
    assert not same_moment_elsewhere(utc, parse_date("2022-05-04T03:37:37Z", FETCHED_AT))
    assert not same_moment_elsewhere(utc, parse_date("2022-05-04", FETCHED_AT))


@pytest.mark.parametrize(
    ("timestamp", "states"),
    [
        ("2019-10-19T03:00:00.000Z", True),
        ("2022-05-03T23:37:37-04:00", True),
        ("2022-11-21T18:24:08+0100", True),
        ("10 May 2022 10:00 GMT", True),
        # a time, but in no named zone
        ("2022-05-10T23:35:55", False),
        ("2022-05-03 13:32:45.000000", False),
        ("2022-05-10", False),
    ],
)
def test_a_timestamp_states_its_zone_only_when_it_writes_one(timestamp: str, states: bool) -> None:
    assert states_offset(timestamp) is states


@pytest.mark.parametrize(
    ("timestamp", "zone", "expected"),
    [
        # midnight in Berlin, stored in UTC: the publisher printed the 7th
        ("2022-11-06T23:00:00.000Z", "Europe/Berlin", "2022-11-07T00:00:00+01:00"),
        ("2019-04-25T20:30:00Z", "Asia/Pyongyang", "2019-04-26T05:30:00+09:00"),
        # the publisher's own offset stays as written
        ("2022-05-03T23:37:37-04:00", "Europe/Berlin", "2022-05-03T23:37:37-04:00"),
        # a day has no clock time to move
        ("2022-11-06", "Europe/Berlin", "2022-11-06"),
    ],
)
def test_a_utc_timestamp_is_read_on_the_sources_own_clock(timestamp: str, zone: str, expected: str) -> None:
    reading = in_source_zone(parse_date(timestamp, FETCHED_AT), ZoneInfo(zone))

    assert reading.iso == expected
    assert reading.raw == timestamp


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("04 de mayo 2022, 12:00 A. M.", "2022-05-04T00:00:00+00:00"),
        ("May 3, 2022 at 5:22 p.m.", "2022-05-03T17:22:00+00:00"),
        ("10/05/2022 05:22 pm", "2022-05-10T17:22:00+00:00"),
        ("2022/05/10 05:36:11 PM", "2022-05-10T17:36:11+00:00"),
        # "am" only as a word of its own
        ("May 3, 2022 10:00 amazing", "2022-05-03T10:00:00+00:00"),
    ],
)
def test_am_and_pm_are_read_however_they_are_written(text: str, expected: str) -> None:
    assert parse_date(text, FETCHED_AT).iso == expected
