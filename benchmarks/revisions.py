"""`python -m benchmarks revisions`: what revision tracking costs the index stage, against main's writer."""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from typing import Any

from benchmarks.stack import BenchStack
from index.bulk import run_bulk
from index.client import build_client
from index.setup import ensure_setup
from index.writer import locate, upsert_operations, write_articles
from newsdesk.demosite.site import generate_site
from newsdesk.kernel.settings import Settings
from tasks.dedupe.identity import canonical_url, document_id
from tasks.dedupe.versions import REVISION_RULES

EDIT_EVERY = 10  # one article in ten edited between two crawls


def upsert_writer(es, settings: Settings, documents: list[dict[str, Any]]):
    """The index stage's writer before revision tracking: locate older generations, then upsert."""
    homes = locate(es, settings.articles_alias, [d["doc_id"] for d in documents])
    operations: list[dict[str, Any]] = []
    for document in documents:
        operations += upsert_operations(
            homes.get(document["doc_id"], settings.articles_alias), document["doc_id"], document
        )
    return run_bulk(es, operations, "bulk write articles")


def documents(size: int, fetched_at: str, edited: bool = False) -> list[dict[str, Any]]:
    site = generate_site(size=size, seed=11)
    found = []
    for article in site.articles:
        url = canonical_url(f"http://bench.test{article.path}")
        paragraphs = list(article.paragraphs)
        if edited and article.article_id % EDIT_EVERY == 0:
            paragraphs[-1] += " The statement was amended later."
        found.append(
            {
                "doc_id": document_id(url),
                "url": url,
                "final_url": url,
                "crawl_source": "bench",
                "source": article.source.name,
                "title": article.title,
                "body": "\n\n".join(paragraphs),
                "published_at": article.published.isoformat(),
                "first_fetched_at": fetched_at,
                "indexed_at": fetched_at,
                "run_id": "bench",
            }
        )
    return found


def timed_batches(es, settings, writer, docs: list[dict], batch: int) -> tuple[list[float], dict[str, int]]:
    """Wall ms per batch, and the outcomes written."""
    costs, outcomes = [], {}
    for start in range(0, len(docs), batch):
        began = time.perf_counter()
        for result in writer(es, settings, docs[start : start + batch]):
            outcomes[result.outcome] = outcomes.get(result.outcome, 0) + 1
        costs.append((time.perf_counter() - began) * 1000)
    return costs, outcomes


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks revisions", description=__doc__)
    parser.add_argument("--size", type=int, default=2000, help="articles written per crawl")
    parser.add_argument("--batch", type=int, default=200, help="articles per bulk write")
    parser.add_argument("--rounds", type=int, default=3, help="alternate the two writers this often")
    args = parser.parse_args(argv)
    stack = BenchStack()
    try:
        base = stack.start()
        es = build_client(base)
        crawls = {
            "first crawl (all new)": documents(args.size, "2026-01-01T00:00:00+00:00"),
            "re-crawl, unchanged": documents(args.size, "2026-01-02T00:00:00+00:00"),
            f"re-crawl, 1 in {EDIT_EVERY} edited": documents(args.size, "2026-01-03T00:00:00+00:00", True),
        }
        writers = {
            "upsert (main)": upsert_writer,
            "revisions": lambda es, settings, docs: write_articles(es, settings, docs, REVISION_RULES),
        }
        per_batch: dict[tuple[str, str], list[float]] = {}
        written: dict[tuple[str, str], dict[str, int]] = {}
        for round_number in range(args.rounds):
            # Alternated, each on fresh indices, so load on the machine falls on both alike.
            for number, (name, writer) in enumerate(writers.items()):
                settings = dataclasses.replace(base, index_prefix=f"ndbench-rev{round_number}-{number}")
                ensure_setup(es, settings)
                for crawl, docs in crawls.items():
                    costs, outcomes = timed_batches(es, settings, writer, docs, args.batch)
                    per_batch.setdefault((crawl, name), []).extend(costs)
                    written[(crawl, name)] = outcomes
        print(f"\nindex stage, {args.size} articles in batches of {args.batch}, {args.rounds} rounds")
        print(f"| crawl | {' | '.join(f'{name}: median ms/batch (outcomes)' for name in writers)} | ratio |")
        print("| --- | " + " | ".join("---" for _ in writers) + " | --- |")
        for crawl in crawls:
            medians = [statistics.median(per_batch[(crawl, name)]) for name in writers]
            cells = [f"{m:.1f} ({written[(crawl, name)]})" for m, name in zip(medians, writers, strict=True)]
            print(f"| {crawl} | {' | '.join(cells)} | {medians[1] / medians[0]:.2f}× |")
        es.close()
    finally:
        stack.stop()
    return 0
