"""Idempotent bulk writes: every document's `_id` comes from its canonical URL, every item result is read."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from elasticsearch import Elasticsearch

from index.bulk import WriteResult, run_bulk, stable_id
from index.client import indices_behind, translated_errors
from newsdesk.kernel.errors import TransientError
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.versioning import RevisionPlan, RevisionRules

# Set once, when a document is first created; a re-crawl must not touch them (or it would never be a no-op).
CREATE_ONLY_FIELDS = frozenset({"first_fetched_at", "indexed_at", "run_id", "revision_count"})
ALSO_SEEN_FIELDS = ("url", "source", "seen_at", "kind")


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


# What a write compares with the stored article to decide whether it is a new revision.
REVISION_READ_FIELDS = [
    "doc_id",
    "url",
    "crawl_source",
    "source",
    "title",
    "body",
    "published_at",
    "content_fingerprint",
    "first_fetched_at",
    "revision_count",
    "last_changed_at",
    "removed_at",
    "restored_at",
    "removal_evidence",
    "version_fingerprint",
]
# Enough to tell an unchanged article (most of a re-crawl) without reading its body.
REVISION_STATE_FIELDS = [
    "doc_id",
    "url",
    "crawl_source",
    "version_fingerprint",
    "revision_count",
    "removed_at",
    "restored_at",
    "removal_evidence.kind",
    "run_id",
]


def read_current(
    es: Elasticsearch, alias: str, doc_ids: list[str], fields: list[str] = REVISION_READ_FIELDS
) -> dict[str, dict[str, Any]]:
    """The stored version of each id that exists: `_index`, `_seq_no`, `_primary_term`, `_source`.

    A realtime multi-get over every generation behind the alias (not a search), so what was written a
    moment ago is seen, and the sequence number guards the write that follows.
    """
    if not doc_ids:
        return {}
    indices = list(indices_behind(es, alias))
    if not indices:
        return {}
    requests = [{"_index": index, "_id": doc_id} for index in indices for doc_id in dict.fromkeys(doc_ids)]
    with translated_errors("read stored articles"):
        found = es.mget(docs=requests, source_includes=fields)
    return {doc["_id"]: doc for doc in found["docs"] if doc.get("found")}


def conditional_update(index: str, stored: dict[str, Any], content: dict[str, Any]) -> list[dict[str, Any]]:
    """An update that applies only if the article is still the version read (optimistic concurrency)."""
    return [
        {
            "update": {
                "_index": index,
                "_id": stored["_id"],
                "if_seq_no": stored["_seq_no"],
                "if_primary_term": stored["_primary_term"],
            }
        },
        {"doc": content, "detect_noop": True},
    ]


def write_articles(
    es: Elasticsearch,
    settings: Settings,
    documents: list[dict[str, Any]],
    rules: RevisionRules,
    gathered_copies: dict[str, list[dict[str, Any]]] | None = None,
) -> list[WriteResult]:
    """Write a batch; an article whose title or body changed keeps its old version in the revisions index.

    `rules` fingerprint and compare versions (the revisions stage's, handed in: the index imports no stage).

    `gathered_copies` (doc_id → copies gathered for it) are listed on an article this write creates,
    which spares an update re-indexing the whole article right after; an existing article's are merged
    later (`merge_also_seen_many`).

    While the alias covers one index, every article is first sent as a create, which Elasticsearch
    refuses (409) for one that exists: only those are read and written again, so a batch of new
    articles (most of a crawl) costs no read. After a rollover an article may live in an older index,
    where a create in the write index would not see it: the stored versions are read first.
    """
    versions = [rules.fingerprint(d.get("title"), d.get("body")) for d in documents]
    if len(indices_behind(es, settings.articles_alias)) > 1:
        return _write_read_first(es, settings, documents, versions, rules)
    results = _write_planned(es, settings, documents, versions, rules, {}, gathered_copies)
    existing = [position for position, result in enumerate(results) if _conflicted(result)]
    if existing:
        again = _write_read_first(
            es, settings, [documents[p] for p in existing], [versions[p] for p in existing], rules
        )
        for position, result in zip(existing, again, strict=True):
            results[position] = result
    return results


def _conflicted(result: WriteResult) -> bool:
    """Refused because the document is not what the write expected: it exists (a create), or another
    writer changed it since it was read (a conditional update)."""
    return result.outcome == "retry" and "version_conflict_engine_exception" in (result.error or "")


def _write_read_first(
    es: Elasticsearch,
    settings: Settings,
    documents: list[dict[str, Any]],
    versions: list[str],
    rules: RevisionRules,
) -> list[WriteResult]:
    """The stored versions are read first; an existing article is updated only if it is still the version
    read (a 409 means retry), and only after its revision records are safely written, so a revision is
    never lost and, its id being derived from the version, never doubled by a retry. A new article is
    created (a 409 means another writer won: retry and compare)."""
    current = read_current(
        es, settings.articles_alias, [d["doc_id"] for d in documents], REVISION_STATE_FIELDS
    )
    # Only an article whose text changed (or that predates stored fingerprints) needs its old text read.
    changed = [
        document["doc_id"]
        for document, version in zip(documents, versions, strict=True)
        if document["doc_id"] in current
        and current[document["doc_id"]]["_source"].get("version_fingerprint") != version
    ]
    current.update(read_current(es, settings.articles_alias, changed))
    return _write_planned(es, settings, documents, versions, rules, current)


def _write_planned(
    es: Elasticsearch,
    settings: Settings,
    documents: list[dict[str, Any]],
    versions: list[str],
    rules: RevisionRules,
    current: dict[str, dict[str, Any]],
    gathered_copies: dict[str, list[dict[str, Any]]] | None = None,
) -> list[WriteResult]:
    """Create what `current` does not hold, update what it does. A second copy of the same version in
    the batch shares the first one's fate; a second, different version is sent round again."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
    plans = []
    record_operations: list[dict[str, Any]] = []
    blocked: dict[int, WriteResult] = {}
    copies: dict[int, int] = {}  # position → position of the same version earlier in the batch
    first_seen: dict[str, tuple[int, str]] = {}
    for position, (document, version) in enumerate(zip(documents, versions, strict=True)):
        doc_id = document["doc_id"]
        if doc_id in first_seen:
            earlier, earlier_version = first_seen[doc_id]
            if version == earlier_version:
                copies[position] = earlier  # a redelivery: its fate is the earlier copy's
            else:
                # Planned against the version read for the first one: it must read again, in a later batch.
                blocked[position] = WriteResult(doc_id, "retry", "two versions of an article in one batch")
            plans.append(RevisionPlan())
            continue
        first_seen[doc_id] = (position, version)
        stored = current.get(doc_id)
        # A change is dated by the fetch that saw it.
        changed_at = document.get("first_fetched_at") or now
        plan = rules.plan(stored["_source"] if stored else None, document, changed_at, version)
        plans.append(plan)
        for record_id, record in plan.records:
            record_operations += [{"index": {"_index": settings.revisions_index, "_id": record_id}}, record]
    record_results = iter(run_bulk(es, record_operations, "write revisions"))
    operations: list[dict[str, Any]] = []
    for position, (document, plan) in enumerate(zip(documents, plans, strict=True)):
        if position in blocked or position in copies:
            continue
        outcomes = [next(record_results) for _ in plan.records]
        failed = [r for r in outcomes if r.outcome in ("retry", "rejected")]
        if failed:
            blocked[position] = WriteResult(document["doc_id"], failed[0].outcome, failed[0].error)
            continue
        stored = current.get(document["doc_id"])
        if stored is None:
            # Create, not upsert: a writer that lost the race gets a 409, reads the winner and compares.
            operations += [
                {"create": {"_index": settings.articles_alias, "_id": document["doc_id"]}},
                {**document, **plan.article_changes, **_copies_listed(document, gathered_copies)},
            ]
        else:
            content = {k: v for k, v in document.items() if k not in CREATE_ONLY_FIELDS}
            operations += conditional_update(stored["_index"], stored, {**content, **plan.article_changes})
    written = iter(run_bulk(es, operations, "bulk write articles"))
    results: list[WriteResult] = []
    for position in range(len(documents)):
        if position in copies:
            earlier = results[copies[position]]
            # A copy changed nothing itself; if the write it rode on must go round again, so must it.
            done = earlier.outcome in ("created", "updated", "noop")
            results.append(WriteResult(earlier.doc_id, "noop") if done else earlier)
        elif position in blocked:
            results.append(blocked[position])
        else:
            results.append(_with_creator(next(written), current.get(documents[position]["doc_id"])))
    return results


def _copies_listed(document: dict[str, Any], gathered: dict[str, list[dict[str, Any]]] | None) -> dict:
    listed = _listed_with(document, (gathered or {}).get(document["doc_id"], []))
    return {"also_seen_at": listed, "also_seen_count": len(listed)} if listed else {}


def _with_creator(result: WriteResult, stored: dict[str, Any] | None) -> WriteResult:
    """A no-op names the run that created the document: a batch replayed after its worker died between
    writing and counting still counts its creations as new."""
    if result.outcome != "noop" or stored is None:
        return result
    return dataclasses.replace(result, created_by_run=stored["_source"].get("run_id"))


def write_duplicates(
    es: Elasticsearch, settings: Settings, records: list[dict[str, Any]]
) -> list[WriteResult]:
    """Record that each `record["url"]` is a copy of an indexed article; once per URL, whatever the retries.

    One bulk request for a batch: a request costs Elasticsearch a fixed share of CPU however small it is.
    """
    operations: list[dict[str, Any]] = []
    for record in records:
        upsert = upsert_operations(settings.duplicates_index, stable_id(record["url"]), record)
        upsert[1]["doc"].pop("seen_at", None)
        operations += upsert
    return run_bulk(es, operations, "record duplicates")


def write_dead_letter(es: Elasticsearch, settings: Settings, record: dict[str, Any]) -> WriteResult:
    """Store a failed or rejected payload with its reason; one record per URL and stage."""
    doc_id = stable_id(record["url"], record["stage"])
    operations = [{"index": {"_index": settings.deadletter_index, "_id": doc_id}}, record]
    return run_bulk(es, operations, "record dead letter")[0]


def merge_also_seen(
    es: Elasticsearch, settings: Settings, doc_id: str, entries: list[dict[str, Any]], attempts: int = 20
) -> str:
    """`merge_also_seen_many` for one document."""
    return merge_also_seen_many(es, settings, {doc_id: entries}, attempts)[doc_id]


def merge_also_seen_many(
    es: Elasticsearch, settings: Settings, entries_by_doc: dict[str, list[dict[str, Any]]], attempts: int = 20
) -> dict[str, str]:
    """Add the copies not yet listed to each canonical document's `also_seen_at`; once per URL.

    A read-modify-write guarded by `if_seq_no`/`if_primary_term` (no scripting needed): a concurrent
    writer makes ours fail with 409, and we read again. One multi-get and one bulk request for the
    whole batch, whatever its size. Outcome per document: "missing" (the canonical is not indexed
    yet; its own index step merges the copies), "noop" (every copy listed already), "updated", or
    "rejected" (Elasticsearch refused the update; the copies stay gathered).
    """
    outcomes = {doc_id: "noop" for doc_id, entries in entries_by_doc.items() if not entries}
    waiting = {doc_id: entries for doc_id, entries in entries_by_doc.items() if entries}
    for _ in range(attempts):
        if not waiting:
            return outcomes
        # A realtime multi-get over every generation behind the alias: after a rollover the document
        # may live in an older index, and the update must go to the one that holds it.
        current = read_current(es, settings.articles_alias, list(waiting), ["also_seen_at", "url"])
        operations: list[dict[str, Any]] = []
        updating: list[str] = []
        for doc_id, entries in waiting.items():
            stored = current.get(doc_id)
            merged = None if stored is None else _listed_with(stored["_source"], entries)
            if stored is None:
                outcomes[doc_id] = "missing"
            elif merged is None:
                outcomes[doc_id] = "noop"
            else:
                changes = {"also_seen_at": merged, "also_seen_count": len(merged)}
                operations += conditional_update(stored["_index"], stored, changes)
                updating.append(doc_id)
        conflicted = {}
        for doc_id, result in zip(
            updating, run_bulk(es, operations, "list copies on canonicals"), strict=True
        ):
            if result.outcome in ("updated", "noop"):
                outcomes[doc_id] = "updated"
            elif result.outcome == "rejected":
                outcomes[doc_id] = "rejected"
            elif _conflicted(result):
                conflicted[doc_id] = waiting[doc_id]  # another writer got there first: read again
            else:
                raise TransientError(f"also_seen_at of {doc_id}: {result.error}")
        waiting = conflicted
    if waiting:
        raise TransientError(
            f"also_seen_at of {len(waiting)} documents: still conflicting after {attempts} attempts"
        )
    return outcomes


def _listed_with(source: dict[str, Any], entries: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    """The document's `also_seen_at` with the copies it does not list yet; None when it lists them all."""
    listed = source.get("also_seen_at") or []
    known = {item["url"] for item in listed} | {source.get("url")}
    added = []
    for entry in entries:
        if entry["url"] not in known:
            known.add(entry["url"])
            added.append({field: entry.get(field) for field in ALSO_SEEN_FIELDS})
    if not added:
        return None
    return listed + sorted(added, key=lambda entry: (entry["seen_at"], entry["url"]))


def update_documents(es: Elasticsearch, updates: list[tuple[str, str, dict[str, Any]]]) -> list[WriteResult]:
    """Merge `changes` into existing documents only, each `(index, doc_id, changes)` in the index that
    holds it: a document deleted meanwhile is not brought back."""
    operations: list[dict[str, Any]] = []
    for index, doc_id, changes in updates:
        operations += [
            {"update": {"_index": index, "_id": doc_id, "retry_on_conflict": 5}},
            {"doc": changes, "detect_noop": True},
        ]
    return run_bulk(es, operations, "bulk update articles")
