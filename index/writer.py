"""Idempotent bulk writes: every document's `_id` comes from its canonical URL, every item result is read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch

from index.client import is_transient_status, translated_errors
from newsdesk.settings import Settings

# Set once, when a document is first created; a re-crawl must not touch them (or it would never be a no-op).
CREATE_ONLY_FIELDS = frozenset({"first_fetched_at", "indexed_at", "run_id"})


@dataclass(frozen=True)
class WriteResult:
    """What Elasticsearch did with one document: created, updated, noop, retry or rejected."""

    doc_id: str
    outcome: str
    error: str | None = None
    # The run that created the document (articles only): a redone write can tell it made the document.
    created_by_run: str | None = None


def stable_id(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


def _item_result(item: dict[str, Any]) -> WriteResult:
    (body,) = item.values()
    status = body.get("status", 500)
    if "error" not in body:
        created_by = ((body.get("get") or {}).get("_source") or {}).get("run_id")
        return WriteResult(body["_id"], body.get("result", "updated"), created_by_run=created_by)
    error = body["error"]
    reason = f"{error.get('type')}: {error.get('reason')}" if isinstance(error, dict) else str(error)
    return WriteResult(body["_id"], "retry" if is_transient_status(status) else "rejected", reason)


def _bulk(es: Elasticsearch, operations: list[dict[str, Any]], action: str) -> list[WriteResult]:
    if not operations:
        return []
    with translated_errors(action):
        response = es.bulk(operations=operations)
    return [_item_result(item) for item in response["items"]]


def upsert_operations(index: str, doc_id: str, document: dict[str, Any]) -> list[dict[str, Any]]:
    """An update that creates the document with every field, or merges only the content fields.

    Partial-document updates need no scripting module, and `detect_noop` makes an unchanged
    re-crawl a no-op that leaves the version and every count alone.
    """
    content = {k: v for k, v in document.items() if k not in CREATE_ONLY_FIELDS}
    return [
        {"update": {"_index": index, "_id": doc_id, "retry_on_conflict": 5}},
        {"doc": content, "upsert": document, "detect_noop": True, "_source": ["run_id"]},
    ]


def write_articles(
    es: Elasticsearch, settings: Settings, documents: list[dict[str, Any]]
) -> list[WriteResult]:
    operations: list[dict[str, Any]] = []
    for document in documents:
        operations += upsert_operations(settings.articles_alias, document["doc_id"], document)
    return _bulk(es, operations, "bulk write articles")


def write_duplicate(es: Elasticsearch, settings: Settings, record: dict[str, Any]) -> WriteResult:
    """Record that `record["url"]` is a copy of an indexed article; once per URL, whatever the retries."""
    operations = upsert_operations(settings.duplicates_index, stable_id(record["url"]), record)
    operations[1]["doc"].pop("seen_at", None)
    return _bulk(es, operations, "record duplicate")[0]


def write_dead_letter(es: Elasticsearch, settings: Settings, record: dict[str, Any]) -> WriteResult:
    """Store a failed or rejected payload with its reason; one record per URL and stage."""
    doc_id = stable_id(record["url"], record["stage"])
    operations = [{"index": {"_index": settings.deadletter_index, "_id": doc_id}}, record]
    return _bulk(es, operations, "record dead letter")[0]
