"""Idempotent bulk writes: every document's `_id` comes from its canonical URL, every item result is read."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from elasticsearch import Elasticsearch

from index.client import indices_behind, is_transient_status, is_write_block, translated_errors
from newsdesk.errors import TransientError
from newsdesk.settings import Settings

# Set once, when a document is first created; a re-crawl must not touch them (or it would never be a no-op).
CREATE_ONLY_FIELDS = frozenset({"first_fetched_at", "indexed_at", "run_id"})
ALSO_SEEN_FIELDS = ("url", "source", "seen_at", "kind")


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
    error_type = error.get("type") if isinstance(error, dict) else None
    retry = is_transient_status(status) or is_write_block(error_type)
    return WriteResult(body["_id"], "retry" if retry else "rejected", reason)


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


def locate(es: Elasticsearch, alias: str, doc_ids: list[str]) -> dict[str, str]:
    """Which older generation behind `alias` already holds each id (a realtime get, not a search).

    After a rollover the write index is new; an update of an article created before it must go to
    the index that holds it, or the archive would hold the article twice.
    """
    if not doc_ids:
        return {}
    generations = indices_behind(es, alias)
    if len(generations) <= 1:
        return {}
    requests = [{"_index": index, "_id": doc_id} for index in generations for doc_id in doc_ids]
    with translated_errors("locate documents"):
        found = es.mget(docs=requests, source=False)
    return {doc["_id"]: doc["_index"] for doc in found["docs"] if doc.get("found")}


def write_articles(
    es: Elasticsearch, settings: Settings, documents: list[dict[str, Any]]
) -> list[WriteResult]:
    homes = locate(es, settings.articles_alias, [d["doc_id"] for d in documents])
    operations: list[dict[str, Any]] = []
    for document in documents:
        index = homes.get(document["doc_id"], settings.articles_alias)
        operations += upsert_operations(index, document["doc_id"], document)
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


def merge_also_seen(
    es: Elasticsearch, settings: Settings, doc_id: str, entries: list[dict[str, Any]], attempts: int = 20
) -> str:
    """Add the copies not yet listed to the canonical document's `also_seen_at`; once per URL.

    A read-modify-write guarded by `if_seq_no`/`if_primary_term` (no scripting needed): a concurrent
    writer makes ours fail with 409, and we read again. Returns "missing" (the canonical is not indexed
    yet; its own index step merges the copies), "noop" (every copy listed already) or "updated".
    """
    # After a rollover the alias covers several indices, and a get needs the one that holds the id.
    home = locate(es, settings.articles_alias, [doc_id]).get(doc_id, settings.articles_alias)
    for _ in range(attempts):
        with translated_errors("read canonical"):
            current = es.options(ignore_status=404).get(
                index=home, id=doc_id, source_includes=["also_seen_at", "url"]
            )
        if not current.get("found"):
            return "missing"
        source = current["_source"]
        listed = source.get("also_seen_at") or []
        known = {item["url"] for item in listed} | {source.get("url")}
        added = []
        for entry in entries:
            if entry["url"] not in known:
                known.add(entry["url"])
                added.append({field: entry.get(field) for field in ALSO_SEEN_FIELDS})
        if not added:
            return "noop"
        merged = listed + sorted(added, key=lambda entry: (entry["seen_at"], entry["url"]))
        with translated_errors("list copy on canonical"):
            response = es.options(ignore_status=409).update(
                index=current["_index"],
                id=doc_id,
                doc={"also_seen_at": merged, "also_seen_count": len(merged)},
                if_seq_no=current["_seq_no"],
                if_primary_term=current["_primary_term"],
            )
        if response.meta.status != 409:
            return "updated"
    raise TransientError(f"also_seen_at of {doc_id}: still conflicting after {attempts} attempts")


def update_documents(es: Elasticsearch, updates: list[tuple[str, str, dict[str, Any]]]) -> list[WriteResult]:
    """Merge `changes` into existing documents only, each `(index, doc_id, changes)` in the index that
    holds it: a document deleted meanwhile is not brought back."""
    operations: list[dict[str, Any]] = []
    for index, doc_id, changes in updates:
        operations += [
            {"update": {"_index": index, "_id": doc_id, "retry_on_conflict": 5}},
            {"doc": changes, "detect_noop": True},
        ]
    return _bulk(es, operations, "bulk update articles")
