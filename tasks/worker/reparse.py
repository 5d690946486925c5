"""Rebuilds a source's articles from their stored raw pages with today's parser, in place, by doc_id."""

from __future__ import annotations

import base64
from collections import Counter
from collections.abc import Callable
from typing import Any

from elasticsearch import Elasticsearch

from index.documents import article_document
from index.minhash import minhash_record, write_minhashes
from index.raw import iter_raw_pages
from index.writer import write_articles
from newsdesk.kernel.clock import utc_now
from newsdesk.kernel.errors import Rejected, TransientError
from newsdesk.kernel.messages import Article, FetchedPage
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.sources import ExtractionHints
from tasks.dedupe.identity import assign_identity
from tasks.dedupe.similarity import content_key
from tasks.dedupe.versions import REVISION_RULES
from tasks.enrich.enricher import enrich_article
from tasks.parse.page import parse_page, unpack_body

OUTCOMES = {"updated": "updated", "noop": "unchanged", "created": "created"}


def page_from_raw(record: dict[str, Any]) -> FetchedPage:
    """The FetchedPage a stored raw page came from, as the spider handed it over."""
    body = unpack_body(record["body"])
    return FetchedPage(
        url=record["url"],
        final_url=record.get("final_url") or record["url"],
        crawl_source=record["crawl_source"],
        fetched_at=record["fetched_at"],
        status=200,
        headers=record.get("headers") or {},
        html="",
        body_base64=base64.b64encode(body).decode("ascii"),
    )


def reparsed_article(record: dict[str, Any], settings: Settings, hints: ExtractionHints | None) -> Article:
    """Parse and enrich again; the document keeps its doc_id even where today's rules would differ."""
    article = assign_identity(parse_page(page_from_raw(record), settings.max_page_bytes, hints))
    return enrich_article(article.replace(doc_id=record["doc_id"]))


def reparse_source(
    es: Elasticsearch,
    settings: Settings,
    source: str,
    hints: ExtractionHints | None,
    on_progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Counts of updated / unchanged / rejected / failed documents; rejected ones keep their old version."""
    counts: Counter[str] = Counter()
    problems: list[dict[str, str]] = []
    for record in iter_raw_pages(es, settings, source):
        if on_progress is not None:
            on_progress(1)
        try:
            article = reparsed_article(record, settings, hints)
        except Rejected as exc:
            counts["rejected"] += 1
            problems.append({"doc_id": record["doc_id"], "url": record["url"], "reason": str(exc)})
            continue
        document = article_document(article, indexed_at=utc_now())
        (result,) = write_articles(es, settings, [document], REVISION_RULES)
        if result.outcome == "retry":
            raise TransientError(f"reparse {result.doc_id}: {result.error}")
        if result.outcome == "rejected":
            counts["failed"] += 1
            problems.append({"doc_id": record["doc_id"], "url": record["url"], "reason": result.error or ""})
            continue
        if result.outcome in ("created", "updated"):
            _archive_signature(es, settings, article)
        counts[OUTCOMES.get(result.outcome, "updated")] += 1
    totals = {k: counts[k] for k in ("updated", "unchanged", "created", "rejected", "failed")}
    return {"source": source, **totals, "problems": problems}


def _archive_signature(es: Elasticsearch, settings: Settings, article: Article) -> None:
    """Near-copies are found by the text the document holds now, not by the text it was first parsed to."""
    key = content_key(article.body, article.published_at)
    record = minhash_record(article.doc_id, key.signature, key.bands, key.day)
    refused = write_minhashes(es, settings, [record])
    if refused:
        raise TransientError(f"reparse {article.doc_id}: minhash refused: {refused[0].error}")
