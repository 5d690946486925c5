"""The raw-page store: each article's HTML as served, compressed, kept apart from the searchable fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from elasticsearch import Elasticsearch

from index.bulk import WriteResult, run_bulk
from index.client import translated_errors
from index.writer import upsert_operations
from newsdesk.kernel.settings import Settings

PAGE_SIZE = 100


def write_raw_pages(
    es: Elasticsearch, settings: Settings, records: list[dict[str, Any]]
) -> list[WriteResult]:
    """Store raw pages by the article's doc_id; writing the same page again changes nothing."""
    operations: list[dict[str, Any]] = []
    for record in records:
        operations += upsert_operations(settings.raw_index, record["doc_id"], record)
        # The fetch time alone changing must not rewrite a page that is byte-for-byte the same.
        operations[-1]["doc"].pop("fetched_at", None)
    return run_bulk(es, operations, "bulk write raw pages")


def iter_raw_pages(es: Elasticsearch, settings: Settings, source: str) -> Iterator[dict[str, Any]]:
    """Every stored raw page of one source, in doc_id order, a page of results at a time."""
    after: list[Any] | None = None
    while True:
        with translated_errors("read raw pages"):
            response = es.search(
                index=settings.raw_index,
                size=PAGE_SIZE,
                query={"term": {"crawl_source": source}},
                sort=[{"doc_id": "asc"}],
                search_after=after,
            )
        hits = response["hits"]["hits"]
        if not hits:
            return
        for hit in hits:
            yield hit["_source"]
        after = hits[-1]["sort"]


def raw_pages_by_id(es: Elasticsearch, settings: Settings, doc_ids: list[str]) -> dict[str, dict[str, Any]]:
    """The stored raw pages of these articles, by doc_id (an article stored without one is absent)."""
    if not doc_ids:
        return {}
    with translated_errors("read raw pages"):
        response = es.search(
            index=settings.raw_index, size=len(doc_ids), query={"terms": {"doc_id": doc_ids}}
        )
    return {hit["_source"]["doc_id"]: hit["_source"] for hit in response["hits"]["hits"]}


def refresh_raw_pages(es: Elasticsearch, settings: Settings) -> None:
    """Make every raw page written so far searchable: an export reads them by search, and the index stage
    writes a batch's raw pages only moments before its articles."""
    with translated_errors("refresh raw pages"):
        es.indices.refresh(index=settings.raw_index)
