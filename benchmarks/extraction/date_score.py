"""Scoring of the date panel: each reader's date judged at the precision the page states, per language."""

from __future__ import annotations

import base64
import statistics
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import htmldate

from benchmarks.extraction.date_panel import PanelCase
from newsdesk.kernel.errors import Rejected
from newsdesk.kernel.messages import FetchedPage
from newsdesk.kernel.sources import ExtractionHints
from tasks.parse.page import parse_page

# How many characters of an ISO date each precision keeps.
LENGTHS = {"year": 4, "month": 7, "day": 10}


@dataclass(frozen=True)
class Found:
    """A reader's answer: an ISO date or datetime and its precision (None: no date)."""

    date: str | None
    precision: str | None = None


def precision_of(found: Found) -> str | None:
    """The stated precision, else read from the string's length; a time of day counts as a day."""
    if found.date is None:
        return None
    if found.precision in LENGTHS:
        return found.precision
    if found.precision == "time":
        return "day"
    return {4: "year", 7: "month"}.get(len(found.date), "day")


@dataclass(frozen=True)
class Verdict:
    """One page's outcome for one reader."""

    exact: bool  # value and precision as the page states them
    value: bool  # the stated value, whatever finer precision was claimed
    invented_day: bool  # a day where the page states only a month, a year or nothing
    missing: bool  # no date where the page states one


def judge(expected: str | None, expected_precision: str | None, found: Found) -> Verdict:
    precision = precision_of(found)
    if expected is None:
        return Verdict(found.date is None, found.date is None, precision == "day", False)
    if precision is None:
        return Verdict(False, False, False, True)
    # A claim is cut to its own precision first, so "2023-03-01" said at month precision is only "2023-03".
    claimed = found.date[: LENGTHS[precision]]
    value = len(claimed) >= len(expected) and claimed[: len(expected)] == expected
    invented_day = precision == "day" and expected_precision != "day"
    return Verdict(value and precision == expected_precision, value, invented_day, False)


@dataclass
class DateScore:
    """Verdicts summed over a group of pages, with each page's CPU time."""

    pages: int = 0
    exact: int = 0
    value: int = 0
    invented_days: int = 0
    undated: int = 0  # pages stating no day: where a day can be invented
    missing: int = 0
    millis: list[float] = field(default_factory=list)

    def add(self, case: PanelCase, verdict: Verdict, millis: float) -> None:
        self.pages += 1
        self.exact += verdict.exact
        self.value += verdict.value
        self.invented_days += verdict.invented_day
        self.undated += case.precision != "day"
        self.missing += verdict.missing
        self.millis.append(millis)


def newsdesk_reader(case: PanelCase) -> Found:
    """The parse stage as the worker runs it, with the source's locale and zone as hints."""
    page = FetchedPage(
        url=case.url,
        final_url=case.url,
        crawl_source="date-panel",
        fetched_at=case.fetched_at,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        html="",
        body_base64=base64.b64encode(case.html.encode("utf-8")).decode("ascii"),
    )
    hints = ExtractionHints(date_locale=case.date_locale, timezone=case.timezone)
    try:
        article = parse_page(page, hints=hints)
    except Rejected:
        return Found(None)
    return Found(article.published_at, getattr(article, "published_precision", None))


def htmldate_reader(case: PanelCase) -> Found:
    """htmldate on its own, in the mode the parse stage used to call it: original date, extensive search."""
    found = htmldate.find_date(case.html, url=case.url, original_date=True, extensive_search=True)
    return Found(found, "day" if found else None)


READERS: dict[str, Callable[[PanelCase], Found]] = {"newsdesk": newsdesk_reader, "htmldate": htmldate_reader}


@dataclass
class PanelRun:
    """Scores by reader, then by group (a language, a form, or "all"), and each miss of each reader."""

    scores: dict[str, dict[str, DateScore]]
    misses: dict[str, list[tuple[PanelCase, Found]]]


def run_panel(cases: Iterable[PanelCase], readers: dict[str, Callable[[PanelCase], Found]]) -> PanelRun:
    scores: dict[str, dict[str, DateScore]] = {name: {} for name in readers}
    misses: dict[str, list[tuple[PanelCase, Found]]] = {name: [] for name in readers}
    for index, case in enumerate(cases):
        names = list(readers)
        # The first reader on a page meets cold caches: each takes its turn at going first.
        for name in names[index % len(names) :] + names[: index % len(names)]:
            started = time.process_time()
            found = readers[name](case)
            millis = (time.process_time() - started) * 1000
            verdict = judge(case.date, case.precision, found)
            for group in ("all", case.language, f"form:{case.form}"):
                scores[name].setdefault(group, DateScore()).add(case, verdict, millis)
            if not verdict.exact:
                misses[name].append((case, found))
    return PanelRun(scores, misses)


def _share(count: int, total: int) -> str:
    return f"{count / total:.2f}" if total else "-"


def table_rows(run: PanelRun, groups: list[str]) -> list[list[str]]:
    """A row per group: pages, then per reader exact, value, invented days (of pages with no day), missing."""
    names = list(run.scores)
    header = ["", "pages"]
    for name in names:
        header += [f"{name} exact", "value", "inv. days", "missing"]
    rows = [header]
    for group in groups:
        first = run.scores[names[0]][group]
        row = [group.removeprefix("form:"), str(first.pages)]
        for name in names:
            score = run.scores[name][group]
            row += [
                _share(score.exact, score.pages),
                _share(score.value, score.pages),
                f"{score.invented_days}/{score.undated}",
                str(score.missing),
            ]
        rows.append(row)
    return rows


def format_rows(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.rjust(width) if i else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    )


def print_panel(run: PanelRun, show_misses: bool = False) -> None:
    names = list(run.scores)
    groups = run.scores[names[0]]
    languages = sorted(g for g in groups if g != "all" and not g.startswith("form:"))
    forms = sorted(g for g in groups if g.startswith("form:"))
    print(f"Date panel: {groups['all'].pages} pages in {len(languages)} languages")
    print(format_rows(table_rows(run, languages + ["all"])))
    print()
    print("By form:")
    print(format_rows(table_rows(run, forms)))
    print()
    for name in names:
        millis = run.scores[name]["all"].millis
        median, mean = statistics.median(millis), statistics.fmean(millis)
        print(f"{name}: cpu ms per page p50 {median:.1f}, mean {mean:.1f}")
    if show_misses:
        for name in names:
            print(f"\n{name} misses:")
            for case, found in run.misses[name]:
                print(
                    f"  {case.id:18} {case.form:17} expected {case.date} ({case.precision}), got {found.date}"
                    f" ({precision_of(found)})"
                )
