"""Crawl-run records in Elasticsearch (one document per run) and the scan that rebuilds crawl state."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from elasticsearch import Elasticsearch

from index.client import translated_errors
from newsdesk.kernel.fates import FATES
from newsdesk.kernel.settings import Settings

CRAWL_RUN_PROPERTIES: dict[str, Any] = {
    "run_id": {"type": "keyword"},
    "crawl_source": {"type": "keyword"},
    "started_at": {"type": "date"},
    "finished_at": {"type": "date"},
    "finish_reason": {"type": "keyword"},
    "pages_fetched": {"type": "integer"},
    "bytes": {"type": "long"},
    "discovery_pages": {"type": "integer"},
    "not_modified": {"type": "integer"},
    "article_pages": {"type": "integer"},
    "discovered": {"type": "integer"},
    "sent": {"type": "integer"},
    "skipped_known": {"type": "integer"},
    "robots_refused": {"type": "integer"},
    "retries": {"type": "integer"},
    "crawl_delay": {"type": "float"},
    "errors": {"type": "integer"},
    "errors_by_kind": {"properties": {"kind": {"type": "keyword"}, "count": {"type": "integer"}}},
    "problems": {
        "properties": {"url": {"type": "keyword"}, "kind": {"type": "keyword"}, "detail": {"type": "text"}}
    },
    "urls": {"type": "integer"},
    "fates": {"properties": {name: {"type": "integer"} for name in FATES}},
    "outcomes": {
        "properties": {
            name: {"type": "integer"}
            for name in ("new", "updated", "unchanged", "duplicate", "rejected", "failed")
        }
    },
    "complete": {"type": "boolean"},
    "rechecks": {"type": "integer"},
    "not_modified_articles": {"type": "integer"},
}
_INTEGERS = (
    "pages_fetched",
    "bytes",
    "discovery_pages",
    "not_modified",
    "article_pages",
    "discovered",
    "skipped_known",
    "robots_refused",
    "retries",
    "errors",
    "rechecks",
    "not_modified_articles",
)


def crawl_run_document(run: dict[str, Any]) -> dict[str, Any]:
    """The Elasticsearch document of a run, from its Redis record (crawl fields are prefixed `crawl_`)."""

    def number(key: str, kind=int):
        try:
            return kind(run.get(key) or 0)
        except (TypeError, ValueError):
            return kind(0)

    def parsed(key: str, default):
        try:
            return json.loads(run.get(key) or "null") or default
        except ValueError:
            return default

    errors = parsed("crawl_errors_by_kind", {})
    document = {
        "run_id": run["run_id"],
        "crawl_source": run.get("crawl_source"),
        "started_at": run.get("started_at"),
        "finished_at": run.get("crawl_finished_at"),
        "finish_reason": run.get("crawl_finish_reason"),
        "sent": number("sent"),
        "crawl_delay": number("crawl_crawl_delay", float),
        "errors_by_kind": [{"kind": k, "count": v} for k, v in sorted(errors.items())],
        "problems": parsed("crawl_problems", []),
        "outcomes": {
            k: number(k) for k in ("new", "updated", "unchanged", "duplicate", "rejected", "failed")
        },
        "complete": bool(run.get("complete")),
        "urls": int(run.get("urls") or 0),
        "fates": {name: int(count) for name, count in (run.get("fates") or {}).items() if name in FATES},
    }
    document.update({key: number(f"crawl_{key}") for key in _INTEGERS})
    return document


def write_crawl_run(es: Elasticsearch, settings: Settings, run: dict[str, Any]) -> dict[str, Any]:
    """Index (or replace) the record of one run under its run id; returns the document written."""
    document = crawl_run_document(run)
    with translated_errors("write crawl run"):
        # require_alias: without `newsdesk setup` this fails loudly instead of creating an unmapped index.
        es.index(
            index=settings.crawl_runs_index,
            id=document["run_id"],
            document=document,
            refresh="wait_for",
            require_alias=True,
        )
    return document


def ingested_urls(
    es: Elasticsearch, settings: Settings, source: str | None = None
) -> Iterator[tuple[str, str]]:
    """(crawl_source, url) of every page the archive already holds a fate for: articles, duplicates, and
    pages rejected as not articles, so `crawl-state rebuild` can restore what a re-crawl may skip."""
    stores = [
        (settings.articles_alias, ["url", "final_url"], None),
        (settings.duplicates_index, ["url"], None),
        (
            settings.deadletter_index,
            ["url"],
            {"terms": {"reason": ["not_an_article", "empty_body", "not_html"]}},
        ),
    ]
    for index, fields, extra in stores:
        filters = [extra] if extra else []
        if source:
            filters.append({"term": {"crawl_source": source}})
        query = {"bool": {"filter": filters}} if filters else {"match_all": {}}
        yield from _scan(es, index, query, fields)


def _scan(es: Elasticsearch, index: str, query: dict, fields: list[str]) -> Iterator[tuple[str, str]]:
    search_after = None
    while True:
        with translated_errors(f"scan {index}"):
            response = es.options(ignore_status=404).search(
                index=index,
                query=query,
                size=1000,
                sort=["_doc"],
                source=[*fields, "crawl_source"],
                search_after=search_after,
            )
        hits = response.get("hits", {}).get("hits", [])
        if not hits:
            return
        for hit in hits:
            doc = hit["_source"]
            for field in fields:
                if doc.get(field):
                    yield doc.get("crawl_source") or "", doc[field]
        search_after = hits[-1]["sort"]
