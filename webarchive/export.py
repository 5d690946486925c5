"""Exports a source's indexed articles: their documents as JSON lines, or their raw pages as a WARC."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from elasticsearch import Elasticsearch

from index.query import scan_source_articles, source_articles_query
from index.raw import raw_pages_by_id, refresh_raw_pages
from newsdesk.kernel.settings import Settings
from tasks.parse.page import unpack_body
from webarchive.writer import PageWarcWriter

# The document fields people hand to other tools: the text, its dates, names and places, where it was
# found. Left out: the pipeline's own bookkeeping (fingerprints, run ids, warnings, extraction notes).
EXPORTED_FIELDS = [
    "doc_id",
    "url",
    "final_url",
    "crawl_source",
    "source",
    "title",
    "subtitle",
    "lead",
    "body",
    "authors",
    "published_at",
    "published_precision",
    "updated_at",
    "language",
    "section",
    "keywords",
    "people",
    "organisations",
    "places",
    "countries",
    "story_id",
    "word_count",
    "first_fetched_at",
]


@dataclass
class ExportTally:
    articles: int = 0
    written: int = 0
    without_raw_page: int = 0


def export_jsonl(
    es: Elasticsearch,
    settings: Settings,
    source: str,
    out: IO[str],
    since: str | None = None,
    until: str | None = None,
    on_written: Callable[[int], None] | None = None,
) -> ExportTally:
    """One JSON object per article, in doc_id order."""
    tally = ExportTally()
    query = source_articles_query(source, since, until)
    for page in scan_source_articles(es, settings, query, EXPORTED_FIELDS):
        for document in page:
            out.write(json.dumps({name: document.get(name) for name in EXPORTED_FIELDS}, ensure_ascii=False))
            out.write("\n")
        tally.articles += len(page)
        tally.written += len(page)
        if on_written is not None:
            on_written(len(page))
    return tally


def export_warc(
    es: Elasticsearch,
    settings: Settings,
    source: str,
    out: BinaryIO,
    filename: str,
    since: str | None = None,
    until: str | None = None,
    on_written: Callable[[int], None] | None = None,
) -> ExportTally:
    """The raw page of every selected article as a response record: its URL as requested, the time it
    was first fetched, the kept headers and the bytes as served."""
    tally = ExportTally()
    refresh_raw_pages(es, settings)
    window = f", published {since or '…'} to {until or '…'}" if since or until else ""
    writer = PageWarcWriter(out, filename, f"newsdesk export of {source}{window}")
    query = source_articles_query(source, since, until)
    for page in scan_source_articles(es, settings, query, ["doc_id"], page_size=200):
        doc_ids = [document["doc_id"] for document in page]
        raw_pages = raw_pages_by_id(es, settings, doc_ids)
        for doc_id in doc_ids:
            raw: dict[str, Any] | None = raw_pages.get(doc_id)
            if raw is None:
                tally.without_raw_page += 1
                continue
            writer.write_page(
                raw["url"], raw["fetched_at"], dict(raw.get("headers") or {}), unpack_body(raw["body"])
            )
            tally.written += 1
        tally.articles += len(doc_ids)
        if on_written is not None:
            on_written(len(doc_ids))
    return tally
