"""Re-runs enrichment over indexed articles: search_after pages in, partial-document updates out."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from elasticsearch import Elasticsearch

from index.client import translated_errors
from index.query import scan_article_pages
from index.writer import update_documents
from newsdesk.kernel.settings import Settings

# What enrichment reads; everything else in the document is left as it is.
SOURCE_FIELDS = ["doc_id", "url", "final_url", "crawl_source", "first_fetched_at", "title", "body"]
# Updates refused for now (a shard without its primary while a node is lost, a 429) are sent again after
# 1, 2, 4, 8 and 16 s: a replica is promoted well within that.
RETRY_WAITS = (1, 2, 4, 8, 16)


def update_with_retries(
    es: Elasticsearch, updates: list[tuple[str, str, dict[str, Any]]], waits=RETRY_WAITS, sleep=time.sleep
) -> list:
    """The final WriteResult of each update: those answered "retry" are sent again, up to len(waits)."""
    results = dict(zip(range(len(updates)), update_documents(es, updates), strict=True))
    for wait in waits:
        again = [number for number, result in results.items() if result.outcome == "retry"]
        if not again:
            break
        sleep(wait)
        for number, result in zip(again, update_documents(es, [updates[n] for n in again]), strict=True):
            results[number] = result
    return [results[number] for number in range(len(updates))]


def reenrich_documents(
    es: Elasticsearch,
    settings: Settings,
    enrich: Callable[[dict[str, Any]], dict[str, Any]],
    batch_size: int = 200,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Apply `enrich(source) -> changed fields` to every article; returns counts by outcome.

    Pages are read in doc_id order with search_after (no scroll context to expire, no scripts), and each
    page is written back as partial updates with detect_noop, so an article whose enrichment did not
    change is not rewritten and keeps its version.
    """
    with translated_errors("refresh articles"):
        es.indices.refresh(index=settings.articles_alias)
    outcomes: Counter[str] = Counter()
    errors: list[str] = []
    for page in scan_article_pages(es, settings, SOURCE_FIELDS, batch_size):
        # Each document is updated in the index that holds it: after a rollover that is not the write index.
        updates = [(hit["_index"], hit["_id"], enrich(hit["_source"])) for hit in page]
        for result in update_with_retries(es, updates):
            outcomes[{"updated": "updated", "noop": "unchanged"}.get(result.outcome, "failed")] += 1
            if result.error and len(errors) < 20:
                errors.append(f"{result.doc_id}: {result.error}")
        if on_progress is not None:
            on_progress(len(page))
    return {
        "scanned": sum(outcomes.values()),
        "updated": outcomes["updated"],
        "unchanged": outcomes["unchanged"],
        "failed": outcomes["failed"],
        "errors": errors,
    }
