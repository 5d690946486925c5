"""Re-runs enrichment over indexed articles: search_after pages in, partial-document updates out."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from elasticsearch import Elasticsearch

from index.bulk import with_retries
from index.client import translated_errors
from index.query import scan_article_pages
from index.writer import update_documents
from newsdesk.kernel.settings import Settings

# What enrichment reads; everything else in the document is left as it is.
SOURCE_FIELDS = ["doc_id", "url", "final_url", "crawl_source", "first_fetched_at", "title", "body"]


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
        for result in with_retries(lambda batch: update_documents(es, batch), updates):
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
