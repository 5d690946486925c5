"""An article's history in the index: removals and restorations marked once, and every kept version read."""

from __future__ import annotations

from typing import Any

from elasticsearch import Elasticsearch

from index.bulk import run_bulk
from index.client import translated_errors
from index.writer import conditional_update, read_current
from newsdesk.kernel.errors import Rejected, TransientError
from newsdesk.kernel.settings import Settings
from newsdesk.kernel.versioning import RevisionRules

MAX_REVISIONS = 1000


def _keep_record(es: Elasticsearch, settings: Settings, doc_id: str, record_id: str, record: dict) -> None:
    operation = {"index": {"_index": settings.revisions_index, "_id": record_id}}
    (result,) = run_bulk(es, [operation, record], "keep revision record")
    if result.outcome == "retry":
        raise TransientError(f"revision record of {doc_id}: {result.error}")
    if result.outcome == "rejected":
        raise Rejected("revision_rejected", f"revision record of {doc_id}: {result.error}")


def _update_if_unchanged(es: Elasticsearch, stored: dict[str, Any], changes: dict[str, Any]) -> bool:
    """Apply `changes` only if the article is still the version read; False when another writer won."""
    (result,) = run_bulk(es, conditional_update(stored["_index"], stored, changes), "mark article")
    if result.outcome == "rejected":
        raise Rejected("revision_rejected", f"marking {stored['_id']}: {result.error}")
    return result.outcome != "retry"


def mark_removed(
    es: Elasticsearch,
    settings: Settings,
    doc_id: str,
    evidence: dict[str, Any],
    at: str,
    rules: RevisionRules,
    attempts: int = 20,
) -> str:
    """Mark an archived article removed, with the evidence; the document itself is never deleted.

    Returns "unknown" (never archived), "already" (marked removed and not restored since) or "removed".
    The removal record is written first, under an id derived from when the article was first seen gone,
    then the article is updated only if it is still the version read: a retry writes the same record.
    """
    for _ in range(attempts):
        stored = read_current(es, settings.articles_alias, [doc_id]).get(doc_id)
        if stored is None:
            return "unknown"
        source = stored["_source"]
        if source.get("removed_at") and not source.get("restored_at"):
            return "already"
        _keep_record(es, settings, doc_id, *rules.removal_record(source, evidence, at))
        changes = {"removed_at": at, "restored_at": None, "removal_evidence": evidence}
        if _update_if_unchanged(es, stored, changes):
            return "removed"
    raise TransientError(f"marking {doc_id} removed: still conflicting after {attempts} attempts")


def mark_restored(
    es: Elasticsearch,
    settings: Settings,
    doc_id: str,
    evidence: dict[str, Any],
    at: str,
    removed_as: str,
    rules: RevisionRules,
    attempts: int = 20,
) -> str:
    """Set `restored_at` on an article removed for the reason `removed_as` (an evidence kind).

    Returns "unknown", "not_removed" (not removed, already restored, or removed for another reason, which
    only its own evidence can lift) or "restored".
    """
    for _ in range(attempts):
        stored = read_current(es, settings.articles_alias, [doc_id]).get(doc_id)
        if stored is None:
            return "unknown"
        source = stored["_source"]
        kind = (source.get("removal_evidence") or {}).get("kind")
        if not source.get("removed_at") or source.get("restored_at") or kind != removed_as:
            return "not_removed"
        _keep_record(es, settings, doc_id, *rules.restoration_record(source, evidence, at))
        if _update_if_unchanged(es, stored, {"restored_at": at}):
            return "restored"
    raise TransientError(f"marking {doc_id} restored: still conflicting after {attempts} attempts")


def article_history(es: Elasticsearch, settings: Settings, doc_id: str) -> dict[str, Any] | None:
    """{"article": current document, "events": revisions/removals/restorations oldest first}, or None."""
    stored = read_current(es, settings.articles_alias, [doc_id]).get(doc_id)
    if stored is None:
        return None
    with translated_errors("read article"):
        article = es.get(index=stored["_index"], id=doc_id)["_source"]
    with translated_errors("read revisions"):
        response = es.options(ignore_status=404).search(
            index=settings.revisions_index,
            query={"term": {"doc_id": doc_id}},
            sort=[{"recorded_at": "asc"}, {"revision": "asc"}],
            size=MAX_REVISIONS,
        )
    events = [hit["_source"] for hit in response.body.get("hits", {}).get("hits", [])]
    return {"article": article, "events": events}
