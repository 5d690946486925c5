"""Read side: full-text search over articles and the counts behind `newsdesk stats`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from elasticsearch import Elasticsearch

from index.client import translated_errors
from newsdesk.settings import Settings

SEARCH_FIELDS = ["title^3", "body", "source"]
HIT_FIELDS = ["doc_id", "url", "title", "source", "published_at", "language", "word_count", "crawl_source"]


def search_articles(es: Elasticsearch, settings: Settings, query: str, size: int = 10) -> dict[str, Any]:
    """Best-matching articles first; the query syntax is simple_query_string (quotes, -, |, *)."""
    with translated_errors("search"):
        response = es.search(
            index=settings.articles_alias,
            query={
                "simple_query_string": {"query": query, "fields": SEARCH_FIELDS, "default_operator": "and"}
            },
            source_includes=HIT_FIELDS,
            size=size,
            track_total_hits=True,
        )
    hits = [{**hit["_source"], "score": hit["_score"]} for hit in response["hits"]["hits"]]
    return {"query": query, "total": response["hits"]["total"]["value"], "hits": hits}


def _count(es: Elasticsearch, index: str) -> int:
    with translated_errors(f"count {index}"):
        return es.count(index=index)["count"]


def collect_stats(es: Elasticsearch, settings: Settings) -> dict[str, Any]:
    """Documents, duplicates and failures by stage and reason, straight from the stores."""
    with translated_errors("refresh"):
        es.indices.refresh(
            index=[settings.articles_alias, settings.duplicates_index, settings.deadletter_index]
        )
    with translated_errors("aggregate dead letters"):
        failures = es.search(
            index=settings.deadletter_index,
            size=0,
            aggs={
                "by_reason": {"terms": {"field": "reason", "size": 100}},
                "by_stage": {"terms": {"field": "stage", "size": 20}},
            },
        )
    with translated_errors("aggregate articles"):
        articles = es.search(
            index=settings.articles_alias,
            size=0,
            aggs={
                "by_source": {"terms": {"field": "source.keyword", "size": 100}},
                "by_language": {"terms": {"field": "language", "size": 50}},
            },
        )

    def buckets(response: Any, name: str) -> dict[str, int]:
        return {b["key"]: b["doc_count"] for b in response["aggregations"][name]["buckets"]}

    return {
        "documents": _count(es, settings.articles_alias),
        "duplicates": _count(es, settings.duplicates_index),
        "failures": _count(es, settings.deadletter_index),
        "failures_by_reason": buckets(failures, "by_reason"),
        "failures_by_stage": buckets(failures, "by_stage"),
        "documents_by_source": buckets(articles, "by_source"),
        "documents_by_language": buckets(articles, "by_language"),
    }


def scan_articles(
    es: Elasticsearch, settings: Settings, fields: list[str], page_size: int = 500
) -> Iterator[dict[str, Any]]:
    """Every article's `fields`, in doc_id order, a page at a time (search_after: no scroll context)."""
    after: list[Any] | None = None
    while True:
        with translated_errors("scan articles"):
            response = es.search(
                index=settings.articles_alias,
                query={"match_all": {}},
                source_includes=fields,
                sort=[{"doc_id": "asc"}],
                size=page_size,
                search_after=after,
            )
        hits = response["hits"]["hits"]
        for hit in hits:
            yield hit["_source"]
        if len(hits) < page_size:
            return
        after = hits[-1]["sort"]
