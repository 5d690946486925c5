"""The held-out date panel's integrity; its figures are a benchmark, not a test."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import lxml.html

from benchmarks.extraction.date_panel import PRECISIONS, PanelCase
from benchmarks.extraction.date_panel_holdout import CASES

LANGUAGES = {"en", "ko", "ru", "zh", "ja", "de", "fr", "es", "ar"}
PATTERNS = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}


def test_the_panel_is_large_and_covers_nine_languages():
    languages = Counter(case.language for case in CASES)
    assert len(CASES) >= 160
    assert set(languages) == LANGUAGES
    assert min(languages.values()) >= 14


def test_ids_are_unique():
    assert len({case.id for case in CASES}) == len(CASES)


def _date_faults(case: PanelCase) -> list[str]:
    if case.precision not in (*PRECISIONS, None):
        return [f"precision {case.precision!r}"]
    if case.date is None:
        return [] if case.precision is None else ["a precision without a date"]
    if not re.fullmatch(PATTERNS[case.precision or ""], case.date):
        return [f"{case.date!r} is not a {case.precision} date"]
    try:
        # The first day the statement covers: a month or a year starts on its first day.
        first_day = dt.date.fromisoformat((case.date + "-01-01")[:10])
    except ValueError:
        return [f"{case.date!r} is no calendar date"]
    fetched = dt.datetime.fromisoformat(case.fetched_at).date()
    return [] if first_day < fetched else ["fetched before the date"]


def test_each_case_states_a_valid_date_at_a_valid_precision():
    assert {case.id: faults for case in CASES if (faults := _date_faults(case))} == {}


def test_each_page_shows_an_article_text_at_an_address():
    def words(case: PanelCase) -> str:
        return " ".join(lxml.html.document_fromstring(case.html).find("body").text_content().split())

    assert [case.id for case in CASES if len(words(case)) < 200] == []
    assert [case.id for case in CASES if not case.url.startswith(("http://", "https://"))] == []


def test_every_kind_of_statement_is_there_several_times():
    precisions = Counter(case.precision for case in CASES)
    assert precisions[None] >= 12 and precisions["month"] >= 9 and precisions["year"] >= 9
    forms = Counter(case.form for case in CASES)
    assert forms["updated"] >= 9 and forms["dateline-no-year"] >= 9


def test_updates_and_undated_pages_appear_in_every_language():
    def languages_of(form: str) -> set[str]:
        return {case.language for case in CASES if case.form == form}

    assert languages_of("updated") == LANGUAGES
    assert languages_of("none") == LANGUAGES


def test_only_a_minority_of_pages_carries_metadata():
    # The panel measures reading what a page shows; metadata is there only to be weighed against it.
    with_metadata = [case.id for case in CASES if re.search(r"article:|application/ld\+json", case.html)]
    assert 0 < len(with_metadata) < len(CASES) // 4
