"""The date panel's integrity and its scorer's arithmetic; the panel's figures are a benchmark, not a test."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import lxml.html
import pytest

from benchmarks.extraction.date_panel import CASES, PRECISIONS, PanelCase
from benchmarks.extraction.date_score import Found, judge, precision_of, run_panel, table_rows

LANGUAGES = {"en", "ko", "ru", "zh", "ja", "de", "fr", "es", "ar"}


def test_the_panel_is_large_and_covers_nine_languages():
    languages = Counter(case.language for case in CASES)
    assert len(CASES) >= 180
    assert set(languages) >= LANGUAGES
    assert min(languages[language] for language in LANGUAGES) >= 15


def test_ids_are_unique():
    assert len({case.id for case in CASES}) == len(CASES)


def _date_faults(case: PanelCase) -> list[str]:
    if case.precision not in (*PRECISIONS, None):
        return [f"precision {case.precision!r}"]
    if case.date is None:
        return [] if case.precision is None else ["a precision without a date"]
    pattern = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}.get(
        case.precision or ""
    )
    if not pattern or not re.fullmatch(pattern, case.date):
        return [f"{case.date!r} is not a {case.precision} date"]
    try:
        first_day = dt.date.fromisoformat((case.date + "-01-01")[:10])
    except ValueError:
        return [f"{case.date!r} is no calendar date"]
    return (
        [] if first_day < dt.datetime.fromisoformat(case.fetched_at).date() else ["fetched before the date"]
    )


def test_each_case_states_a_valid_date_at_a_valid_precision():
    assert {case.id: faults for case in CASES if (faults := _date_faults(case))} == {}


def test_each_page_shows_an_article_text():
    def words(case: PanelCase) -> str:
        return " ".join(lxml.html.document_fromstring(case.html).find("body").text_content().split())

    assert [case.id for case in CASES if len(words(case)) < 200] == []
    assert [case.id for case in CASES if not case.url.startswith(("http://", "https://"))] == []


def test_every_kind_of_statement_is_there_several_times():
    precisions = Counter(case.precision for case in CASES)
    assert precisions[None] >= 10 and precisions["month"] >= 9 and precisions["year"] >= 9
    forms = Counter(case.form for case in CASES)
    assert forms["updated"] >= 9 and forms["dateline-no-year"] >= 9


def test_a_claim_is_read_at_its_own_precision():
    assert precision_of(Found("2023-05-03T10:30:00+09:00")) == "day"
    assert precision_of(Found("2023-05-03T10:30:00+09:00", "time")) == "day"
    assert precision_of(Found("2023-05")) == "month"
    assert precision_of(Found("2023")) == "year"
    assert precision_of(Found("2023-05-01", "month")) == "month"
    assert precision_of(Found(None)) is None


@pytest.mark.parametrize(
    ("expected", "precision", "found", "verdict"),
    [
        # (exact, value, invented day, missing)
        ("2023-05-03", "day", Found("2023-05-03T07:10:00+09:00"), (True, True, False, False)),
        ("2023-05-03", "day", Found("2023-05-04"), (False, False, False, False)),
        ("2023-05-03", "day", Found("2023-05"), (False, False, False, False)),
        ("2023-05-03", "day", Found(None), (False, False, False, True)),
        ("2023-05", "month", Found("2023-05", "month"), (True, True, False, False)),
        ("2023-05", "month", Found("2023-05-01"), (False, True, True, False)),
        ("2023-05", "month", Found("2023-05-01", "month"), (True, True, False, False)),
        ("2023-05", "month", Found("2023", "year"), (False, False, False, False)),
        ("2023", "year", Found("2023-01-01"), (False, True, True, False)),
        ("2023", "year", Found("2024-01-01"), (False, False, True, False)),
        (None, None, Found(None), (True, True, False, False)),
        (None, None, Found("2024-01-01"), (False, False, True, False)),
        (None, None, Found("2024", "year"), (False, False, False, False)),
    ],
)
def test_verdicts(expected, precision, found, verdict):
    result = judge(expected, precision, found)
    assert (result.exact, result.value, result.invented_day, result.missing) == verdict


def _case(id_: str, language: str, date: str | None, precision: str | None) -> PanelCase:
    return PanelCase(
        id_, language, "test", "https://example.org/a", "<p>x</p>", None, None, "2024-01-01", date, precision
    )


def test_scores_are_summed_per_language_and_overall():
    cases = [
        _case("a", "en", "2023-05-03", "day"),
        _case("b", "en", "2023-05", "month"),
        _case("c", "de", None, None),
        _case("d", "de", "2019", "year"),
    ]
    answers = {"a": Found("2023-05-03"), "b": Found("2023-05-01"), "c": Found(None), "d": Found(None)}
    run = run_panel(cases, {"fake": lambda case: answers[case.id]})
    overall = run.scores["fake"]["all"]
    counts = (
        overall.pages,
        overall.exact,
        overall.value,
        overall.invented_days,
        overall.undated,
        overall.missing,
    )
    assert counts == (4, 2, 3, 1, 3, 1)
    assert run.scores["fake"]["en"].exact == 1 and run.scores["fake"]["de"].missing == 1
    assert [case.id for case, _ in run.misses["fake"]] == ["b", "d"]
    rows = table_rows(run, ["en", "de", "all"])
    assert rows[1] == ["en", "2", "0.50", "1.00", "1/1", "0"]
    assert rows[3] == ["all", "4", "0.50", "0.75", "1/3", "1"]
