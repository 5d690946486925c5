"""Extraction benchmarks: the parse stage beside trafilatura on real pages, or beside htmldate on dates."""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import trafilatura

from benchmarks.extraction import date_panel, date_panel_holdout
from benchmarks.extraction.date_score import READERS, newsdesk_reader, print_panel, run_panel
from benchmarks.extraction.dateparser_strings import with_dateparser_strings
from newsdesk.kernel.errors import Rejected
from newsdesk.kernel.messages import FetchedPage
from tasks.parse import extract, page_dates
from tasks.parse.page import parse_page

DEFAULT_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "real-pages"
FETCHED_AT = "2026-01-01T00:00:00+00:00"
# The date panels by name: "main" guided the date reader's rules; "holdout" was written without
# looking at them, so only its figures say how the reader does on pages it was not tuned on.
PANELS = {"main": date_panel.CASES, "holdout": date_panel_holdout.CASES}


@dataclass
class Score:
    """Snippet counts as the corpus's authors score them, plus exact title and date matches and timings."""

    name: str
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    titles: int = 0
    titles_right: int = 0
    dates: int = 0
    dates_right: int = 0
    rejected: int = 0
    millis: list[float] = field(default_factory=list)

    def add(self, expected: dict, result: dict, millis: float) -> None:
        body = " ".join((result.get("body") or "").split())
        for snippet in expected.get("with") or []:
            if " ".join(snippet.split()) in body:
                self.tp += 1
            else:
                self.fn += 1
        for snippet in expected.get("without") or []:
            if " ".join(snippet.split()) in body:
                self.fp += 1
            else:
                self.tn += 1
        if expected.get("title"):
            self.titles += 1
            self.titles_right += (result.get("title") or "").strip() == expected["title"].strip()
        if expected.get("date"):
            self.dates += 1
            self.dates_right += (result.get("date") or "")[:10] == expected["date"]
        self.millis.append(millis)

    def row(self) -> list[str]:
        precision = self.tp / max(self.tp + self.fp, 1)
        recall = self.tp / max(self.tp + self.fn, 1)
        f1 = 2 * precision * recall / max(precision + recall, 1e-9)
        return [
            self.name,
            f"{precision:.3f}",
            f"{recall:.3f}",
            f"{f1:.3f}",
            f"{self.titles_right / max(self.titles, 1):.3f}",
            f"{self.dates_right / max(self.dates, 1):.3f}",
            f"{statistics.median(self.millis):.1f}",
            f"{statistics.quantiles(self.millis, n=20)[-1]:.1f}",
            str(self.rejected),
        ]


def ours(url: str, body: bytes) -> dict:
    page = FetchedPage(
        url=url,
        final_url=url,
        crawl_source="benchmark",
        fetched_at=FETCHED_AT,
        status=200,
        headers={"content-type": "text/html"},
        html="",
        body_base64=base64.b64encode(body).decode("ascii"),
    )
    article = parse_page(page, max_bytes=50_000_000)
    return {"body": article.body, "title": article.title, "date": article.published_at}


# Settings of the parse stage measured against each other: (name, overrides of the knobs of
# tasks.parse.extract and tasks.parse.page_dates).
VARIANTS = [
    ("dates: htmldate first", {"DATE_ORDER": ("htmldate", "structured", "url", "time_element")}),
    ("dates: <time> before URL", {"DATE_ORDER": ("structured", "time_element", "htmldate", "url")}),
    ("dates: no htmldate", {"DATE_ORDER": ("structured", "url", "time_element")}),
    ("dates: htmldate not extensive", {"HTMLDATE_EXTENSIVE": False}),
    ("dates: no byline under the headline", {"BYLINE_DATE": False}),
    ("dates: no labelled publication date", {"LABELLED_DATE": False}),
    ("titles: metadata first", {"TITLE_STRATEGY": "metadata"}),
    ("body: with comments", {"TRAFILATURA_OPTIONS": {"include_comments": True, "include_tables": True}}),
    (
        "body: favor precision",
        {"TRAFILATURA_OPTIONS": {"include_comments": False, "include_tables": True, "favor_precision": True}},
    ),
    (
        "body: favor recall",
        {"TRAFILATURA_OPTIONS": {"include_comments": False, "include_tables": True, "favor_recall": True}},
    ),
    (
        "body: fast (no readability/jusText comparison)",
        {"TRAFILATURA_OPTIONS": {"include_comments": False, "include_tables": True, "fast": True}},
    ),
]


def _knob_module(name: str):
    """The parse module a knob lives in: the extractor's own, or the date choice's."""
    return next(module for module in (extract, page_dates) if hasattr(module, name))


def with_overrides(overrides: dict) -> Callable[[str, bytes], dict]:
    def run_variant(url: str, body: bytes) -> dict:
        saved = {name: getattr(_knob_module(name), name) for name in overrides}
        for name, value in overrides.items():
            setattr(_knob_module(name), name, value)
        try:
            return ours(url, body)
        finally:
            for name, value in saved.items():
                setattr(_knob_module(name), name, value)

    return run_variant


def trafilatura_alone(url: str, body: bytes) -> dict:
    """trafilatura's defaults: the body as `extract` returns it, title and date from its own metadata."""
    output = trafilatura.extract(body, url=url, output_format="json", with_metadata=True)
    if not output:
        return {}
    data = json.loads(output)
    text = "\n".join(part for part in (data.get("text"), data.get("comments")) if part)
    return {"body": text, "title": data.get("title"), "date": data.get("date")}


SPLITS = ("all", "tune", "held-out")


def split_of(index: int) -> str:
    """Pages at an even position of evaldata.json are for tuning; odd ones are held out to check it."""
    return "tune" if index % 2 == 0 else "held-out"


def run(
    corpus: Path,
    limit: int | None,
    extractors: dict[str, Callable[[str, bytes], dict]],
    dump: Path | None = None,
) -> dict[str, list[Score]]:
    """Scores per split ("all", "tune", "held-out"), each a list in the order of `extractors`."""
    expected_by_url = json.loads((corpus / "evaldata.json").read_text(encoding="utf-8"))
    items = list(expected_by_url.items())[:limit]
    scores = {split: {name: Score(name) for name in extractors} for split in SPLITS}
    records = dump.open("w", encoding="utf-8") if dump else None
    for index, (url, expected) in enumerate(items):
        body = (corpus / "pages" / expected["file"]).read_bytes()
        names = list(extractors)
        # The first extractor on a page meets cold caches: each takes its turn at going first.
        for name in names[index % len(names) :] + names[: index % len(names)]:
            extract = extractors[name]
            # CPU time of this process: other load on the machine does not count against a page.
            started = time.process_time()
            rejected = False
            try:
                result = extract(url, body)
            except Rejected:
                result, rejected = {}, True
            millis = (time.process_time() - started) * 1000
            for split in ("all", split_of(index)):
                scores[split][name].add(expected, result, millis)
                scores[split][name].rejected += rejected
            if records:
                record = {"index": index, "url": url, "extractor": name, "ms": round(millis, 1)}
                record |= {"title": result.get("title"), "date": result.get("date"), "rejected": rejected}
                record |= {"expected_title": expected.get("title"), "expected_date": expected.get("date")}
                records.write(json.dumps(record, ensure_ascii=False) + "\n")
    if records:
        records.close()
    return {split: list(by_name.values()) for split, by_name in scores.items()}


def print_table(scores: list[Score], label: str) -> None:
    header = ["extractor", "body P", "body R", "body F1", "title", "date", "cpu ms p50", "p95", "rejected"]
    rows = [header] + [score.row() for score in scores]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    print(f"{label}: {len(scores[0].millis)} pages")
    for row in rows:
        print(
            "  ".join(
                cell.rjust(width) if i else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--variants", action="store_true", help="also score alternative settings")
    parser.add_argument("--only", help="comma-separated parts of extractor names to run (splits a long run)")
    parser.add_argument("--dump", type=Path, help="write each page's title, date and time as JSON lines here")
    parser.add_argument(
        "--panel",
        nargs="?",
        const="main",
        choices=sorted(PANELS),
        help="score dates on a date panel instead of the corpus: main (the default) or holdout",
    )
    parser.add_argument(
        "--misses", action="store_true", help="with --panel: list each page a reader got wrong"
    )
    parser.add_argument(
        "--dateparser",
        action="store_true",
        help="with --panel: also the parse stage with dateparser reading each date string",
    )
    args = parser.parse_args(argv)
    if args.panel:
        readers = dict(READERS)
        if args.dateparser:
            readers["dateparser strings"] = with_dateparser_strings(newsdesk_reader)
        print_panel(run_panel(PANELS[args.panel][: args.limit], readers), show_misses=args.misses)
        return 0
    extractors = {"newsdesk parse": ours, "trafilatura alone": trafilatura_alone}
    if args.variants:
        extractors |= {name: with_overrides(overrides) for name, overrides in VARIANTS}
    if args.only:
        wanted = [part.strip() for part in args.only.split(",")]
        extractors = {name: run for name, run in extractors.items() if any(w in name for w in wanted)}
    scores = run(args.corpus, args.limit, extractors, args.dump)
    for split in SPLITS:
        if scores[split][0].millis:
            print_table(scores[split], split)
            print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
